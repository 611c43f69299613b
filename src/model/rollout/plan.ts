/**
 * Planning: which cluster gets the change in which wave, and when within the wave. Pure and
 * deterministic for a given random stream, so a plan can be shown before anything runs.
 */
import type { RandomStream } from '../../engine/index.js';
import type {
  AllAtOnceStrategy,
  ClusterOrder,
  PlannedWave,
  RolloutStrategy,
  WavesStrategy,
} from './types.js';

/** What planning needs of a target. */
export interface PlanTarget {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly nodes: number;
}

type WaveDraft = Omit<PlannedWave, 'index'>;

/**
 * Plans the waves of `strategy` over `targets`. Empty waves are dropped; wave indices are
 * renumbered from 0. Throws a RangeError naming the fix on a strategy that cannot apply.
 */
export function planRollout(
  targets: readonly PlanTarget[],
  strategy: RolloutStrategy,
  defaultBakeSeconds: number,
  random: RandomStream,
): readonly PlannedWave[] {
  const names = new Set<string>();
  for (const t of targets) {
    if (names.has(t.name)) throw new RangeError(`rollout: cluster "${t.name}" appears twice in the fleet`);
    names.add(t.name);
  }
  const drafts = planStrategy(targets, strategy, defaultBakeSeconds, random, targets.length);
  return drafts.filter((w) => w.clusters.length > 0).map((w, index) => ({ index, ...w }));
}

function planStrategy(
  targets: readonly PlanTarget[],
  strategy: RolloutStrategy,
  bake: number,
  random: RandomStream,
  fleetSize: number,
): WaveDraft[] {
  switch (strategy.kind) {
    case 'all-at-once':
      return [planAllAtOnce(targets, strategy, bake, random)];
    case 'waves':
      return planWaves(targets, strategy, bake, random, fleetSize);
    case 'canary': {
      const canary = pickCanary(targets, strategy.canary);
      const rest = targets.filter((t) => t !== canary);
      const canaryWave: WaveDraft = {
        name: 'canary',
        clusters: [canary.name],
        offsets: [0],
        bakeSeconds: nonNegative(strategy.bakeSeconds ?? bake, 'canary bakeSeconds'),
      };
      return [canaryWave, ...planStrategy(rest, strategy.afterCanary, bake, random, fleetSize)];
    }
  }
}

function pickCanary(
  targets: readonly PlanTarget[],
  canary: { readonly kind: 'named'; readonly cluster: string } | { readonly kind: 'largest' },
): PlanTarget {
  if (targets.length === 0) throw new RangeError('rollout: a canary needs at least one cluster in the fleet');
  if (canary.kind === 'named') {
    const found = targets.find((t) => t.name === canary.cluster);
    if (found === undefined) {
      throw new RangeError(
        `rollout: canary cluster "${canary.cluster}" is not in the fleet; use one of: ${targets.map((t) => t.name).join(', ')}`,
      );
    }
    return found;
  }
  let largest = targets[0]!;
  for (const t of targets) if (t.nodes > largest.nodes) largest = t;
  return largest;
}

function planAllAtOnce(
  targets: readonly PlanTarget[],
  strategy: AllAtOnceStrategy,
  bake: number,
  random: RandomStream,
): WaveDraft {
  const window = nonNegative(strategy.window, 'all-at-once window');
  const ordered = orderTargets(targets, strategy.order, random);
  const n = ordered.length;
  let offsets: number[];
  if (strategy.spacing === 'even') {
    offsets = ordered.map((_, i) => (n > 1 ? (window * i) / (n - 1) : 0));
  } else {
    offsets = ordered.map(() => random.uniform(0, window)).sort((a, b) => a - b);
  }
  return { name: 'all', clusters: ordered.map((t) => t.name), offsets, bakeSeconds: bake };
}

function planWaves(
  targets: readonly PlanTarget[],
  strategy: WavesStrategy,
  bake: number,
  random: RandomStream,
  fleetSize: number,
): WaveDraft[] {
  let remaining = orderTargets(targets, strategy.order, random);
  const known = new Set(targets.map((t) => t.name));
  const drafts: WaveDraft[] = [];
  strategy.waves.forEach((wave, i) => {
    const name = wave.name ?? `wave-${i + 1}`;
    const sel = wave.select;
    let chosen: PlanTarget[];
    switch (sel.kind) {
      case 'names': {
        for (const n of sel.names) {
          if (!known.has(n))
            throw new RangeError(`rollout: wave "${name}" names cluster "${n}", which is not in the fleet`);
        }
        const wanted = new Set(sel.names);
        chosen = remaining.filter((t) => wanted.has(t.name));
        break;
      }
      case 'labels': {
        const entries = Object.entries(sel.labels);
        chosen = remaining.filter((t) => entries.every(([k, v]) => t.labels[k] === v));
        break;
      }
      case 'percent': {
        if (!(sel.percent > 0 && sel.percent <= 100)) {
          throw new RangeError(`rollout: wave "${name}" percent must be in (0, 100], got ${sel.percent}`);
        }
        chosen = remaining.slice(0, Math.ceil((sel.percent / 100) * fleetSize - 1e-9));
        break;
      }
      case 'count': {
        if (!(Number.isInteger(sel.count) && sel.count > 0)) {
          throw new RangeError(`rollout: wave "${name}" count must be a positive integer, got ${sel.count}`);
        }
        chosen = remaining.slice(0, sel.count);
        break;
      }
      case 'rest':
        chosen = remaining;
        break;
    }
    const taken = new Set(chosen);
    remaining = remaining.filter((t) => !taken.has(t));
    drafts.push(spreadWave(name, chosen, wave.spreadSeconds ?? 0, wave.bakeSeconds ?? bake));
  });
  if (remaining.length > 0 && (strategy.remainder ?? 'final-wave') === 'final-wave') {
    drafts.push(spreadWave('remainder', remaining, 0, bake));
  }
  return drafts;
}

function spreadWave(name: string, clusters: readonly PlanTarget[], spread: number, bake: number): WaveDraft {
  const s = nonNegative(spread, `wave "${name}" spreadSeconds`);
  const n = clusters.length;
  return {
    name,
    clusters: clusters.map((t) => t.name),
    offsets: clusters.map((_, i) => (n > 1 ? (s * i) / (n - 1) : 0)),
    bakeSeconds: nonNegative(bake, `wave "${name}" bakeSeconds`),
  };
}

/** Stable orderings (ties keep the listed order); 'shuffled' is a Fisher-Yates shuffle on the stream. */
export function orderTargets<T extends PlanTarget>(
  targets: readonly T[],
  order: ClusterOrder,
  random: RandomStream,
): T[] {
  const out = [...targets];
  switch (order) {
    case 'listed':
      return out;
    case 'largest-first':
      return out.sort((a, b) => b.nodes - a.nodes);
    case 'smallest-first':
      return out.sort((a, b) => a.nodes - b.nodes);
    case 'shuffled':
      for (let i = out.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        const tmp = out[i]!;
        out[i] = out[j]!;
        out[j] = tmp;
      }
      return out;
  }
}

function nonNegative(value: number, what: string): number {
  if (!(value >= 0 && Number.isFinite(value)))
    throw new RangeError(`rollout: ${what} must be a finite number >= 0 seconds, got ${value}`);
  return value;
}
