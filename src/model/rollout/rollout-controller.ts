/**
 * The fleet rollout controller: runs a planned rollout wave by wave, measures the gate from each
 * wave's first deploy to the end of its bake time, halts when the gate fails (no cluster gets the
 * change after a halt), and rolls back the clusters that have it. A rollback goes through each
 * cluster's own API server, so it can fail while that server is saturated; failed attempts are
 * retried with exponential backoff, like Argo CD's sync retry.
 */
import { LATE, NORMAL, type Simulation } from '../../engine/index.js';
import type { EventLog, EventSeverity } from '../component.js';
import { planRollout } from './plan.js';
import type {
  GateCheck,
  GateConfig,
  GateSignal,
  PlannedWave,
  RetryPolicy,
  RollbackState,
  RolloutConfig,
  RolloutEvent,
  RolloutState,
  RolloutTarget,
} from './types.js';

/**
 * Rollback retry defaults: Argo CD's sync retry backoff (common/common.go DefaultSyncRetryDuration
 * 5 s, DefaultSyncRetryFactor 2, DefaultSyncRetryMaxDuration 3 min). Argo CD's default retry limit
 * is 0 (no retry); 5 attempts is the limit its docs' examples use, our choice. No jitter, as Argo CD.
 */
export const DEFAULT_ROLLBACK_RETRY: RetryPolicy = {
  maxAttempts: 5,
  initialBackoff: 5,
  factor: 2,
  maxBackoff: 180,
  jitter: 0,
};

/** The `cluster` field of fleet-level LoggedEvents (waves, gates, halts). */
export const FLEET_EVENT_SCOPE = 'fleet';

export interface RolloutControllerOptions {
  /** Receives every RolloutEvent as a LoggedEvent of the same kind. */
  readonly log?: EventLog;
  readonly onEvent?: (event: RolloutEvent) => void;
}

export interface RolloutController {
  readonly config: RolloutConfig;
  readonly plan: readonly PlannedWave[];
  readonly state: RolloutState;
  /** Index of the wave running (or that was running when the rollout halted), or null. */
  readonly currentWave: number | null;
  readonly haltedAt: number | null;
  /** Every event so far, in order. */
  events(): readonly RolloutEvent[];
  /** Clusters that got the change, in deploy order. */
  deployed(): readonly string[];
  deployedAt(cluster: string): number | null;
  rollbackState(cluster: string): RollbackState;
  /**
   * Stops the rollout now (an operator freezing the pipeline, or a failed gate): nothing is deployed
   * after this. With `rollback`, every deployed cluster is rolled back with the retry policy.
   */
  halt(reason: string, options?: { readonly rollback?: boolean }): void;
  /** Rolls back one deployed cluster (an operator's kubectl rollback), with the retry policy. */
  rollback(cluster: string): void;
}

const TIME_EPSILON = 1e-9;

export function createRolloutController(
  sim: Simulation,
  targets: readonly RolloutTarget[],
  config: RolloutConfig,
  options: RolloutControllerOptions = {},
): RolloutController {
  validateConfig(targets, config);
  const plan = planRollout(
    targets,
    config.strategy,
    config.bakeSeconds,
    sim.random(`rollout:${config.name}:plan`),
  );
  const retryRandom = sim.random(`rollout:${config.name}:rollback`);
  const byName = new Map(targets.map((t) => [t.name, t]));
  const gate = config.gate;

  let state: RolloutState = 'pending';
  let current: number | null = null;
  let haltedAt: number | null = null;
  /** Scheduled deploys, gate measurements and wave ends: cancelled on halt. */
  const scheduled = new Set<number>();
  const deployOrder: string[] = [];
  const deployTimes = new Map<string, number>();
  const rollbacks = new Map<string, RollbackState>();
  const log: RolloutEvent[] = [];
  let waveFailures = 0;
  let waveMeasurements = 0;
  let bakeEnd = 0;

  const emit = (event: RolloutEvent): void => {
    log.push(event);
    if (options.log !== undefined) {
      const { cluster, severity, message } = describe(event);
      options.log.record({ t: event.t, cluster, kind: event.kind, severity, message });
    }
    options.onEvent?.(event);
  };

  const at = (time: number, handler: () => void, priority: number): void => {
    const id: number = sim.scheduleAt(
      time,
      () => {
        scheduled.delete(id);
        handler();
      },
      undefined,
      priority,
    );
    scheduled.add(id);
  };

  const startWave = (index: number): void => {
    const wave = plan[index]!;
    current = index;
    waveFailures = 0;
    waveMeasurements = 0;
    const start = sim.now;
    emit({ kind: 'rollout-wave-started', t: start, wave });
    wave.clusters.forEach((cluster, i) => {
      at(start + wave.offsets[i]!, () => deploy(cluster, index), NORMAL);
    });
    bakeEnd = start + (wave.offsets.at(-1) ?? 0) + wave.bakeSeconds;
    if (gate !== null && start + gate.interval < bakeEnd - TIME_EPSILON) {
      at(start + gate.interval, measureAndContinue, LATE);
    }
    at(bakeEnd, finishWave, LATE);
  };

  const deploy = (cluster: string, wave: number): void => {
    // Cancelled on halt; the check makes "nothing after a halt" hold even for a same-instant event.
    if (state !== 'running') return;
    byName.get(cluster)!.deploy();
    deployOrder.push(cluster);
    deployTimes.set(cluster, sim.now);
    emit({ kind: 'rollout-cluster-deployed', t: sim.now, cluster, wave });
  };

  /** One gate measurement; false when it failed the gate (and halted the rollout). */
  const measure = (): boolean => {
    if (gate === null) return true;
    waveMeasurements++;
    const violation = findViolation(gate, scopeClusters());
    if (violation === null) return true;
    waveFailures++;
    if (waveFailures <= gate.failureLimit) return true;
    emit({ kind: 'rollout-gate-failed', t: sim.now, wave: current!, ...violation });
    const signal = violation.check.signal;
    halt(`gate failed on ${violation.cluster}: ${signal} = ${formatNumber(violation.value)}`, {
      rollback: config.autoRollback,
      scope: config.rollbackScope,
    });
    return false;
  };

  const measureAndContinue = (): void => {
    if (!measure()) return;
    const next = sim.now + gate!.interval;
    if (next < bakeEnd - TIME_EPSILON) at(next, measureAndContinue, LATE);
  };

  const finishWave = (): void => {
    if (!measure()) return;
    if (gate !== null)
      emit({ kind: 'rollout-gate-passed', t: sim.now, wave: current!, measurements: waveMeasurements });
    const next = current! + 1;
    if (next < plan.length) {
      startWave(next);
    } else {
      state = 'completed';
      emit({ kind: 'rollout-completed', t: sim.now });
    }
  };

  const scopeClusters = (): RolloutTarget[] => {
    const inWave = gate?.scope === 'wave' ? new Set(plan[current!]!.clusters) : null;
    const out: RolloutTarget[] = [];
    for (const name of deployOrder) {
      if (inWave !== null && !inWave.has(name)) continue;
      if (rollbacks.get(name) === 'succeeded') continue;
      out.push(byName.get(name)!);
    }
    return out;
  };

  const startRollback = (cluster: string): void => {
    const s = rollbacks.get(cluster) ?? 'none';
    if (s === 'in-progress' || s === 'succeeded') return;
    rollbacks.set(cluster, 'in-progress');
    attemptRollback(cluster, 1);
  };

  const attemptRollback = (cluster: string, attempt: number): void => {
    emit({ kind: 'rollout-rollback-attempt', t: sim.now, cluster, attempt });
    let isSettled = false;
    byName.get(cluster)!.rollback((ok) => {
      if (isSettled)
        throw new Error(`rollout: the rollback of "${cluster}" reported its outcome twice (a target bug)`);
      isSettled = true;
      if (ok) {
        rollbacks.set(cluster, 'succeeded');
        emit({ kind: 'rollout-rollback-succeeded', t: sim.now, cluster, attempt });
        return;
      }
      const policy = config.rollbackRetry;
      if (attempt >= policy.maxAttempts) {
        rollbacks.set(cluster, 'failed');
        emit({ kind: 'rollout-rollback-failed', t: sim.now, cluster, attempt, retryIn: null });
        return;
      }
      const base = Math.min(policy.initialBackoff * policy.factor ** (attempt - 1), policy.maxBackoff);
      const wait = policy.jitter > 0 ? retryRandom.jitter(base, policy.jitter) : base;
      emit({ kind: 'rollout-rollback-failed', t: sim.now, cluster, attempt, retryIn: wait });
      // Retries are not cancelled by a halt: reverting is what a halt asks for.
      sim.schedule(wait, () => attemptRollback(cluster, attempt + 1), undefined, NORMAL);
    });
  };

  const halt = (
    reason: string,
    opts: { readonly rollback?: boolean; readonly scope?: RolloutConfig['rollbackScope'] } = {},
  ): void => {
    if (state === 'halted') {
      if (opts.rollback === true) for (const c of deployOrder) startRollback(c);
      return;
    }
    for (const id of scheduled) sim.cancel(id);
    scheduled.clear();
    state = 'halted';
    haltedAt = sim.now;
    const willRollBack = opts.rollback === true;
    emit({ kind: 'rollout-halted', t: sim.now, reason, willRollBack });
    if (!willRollBack) return;
    const inWave = opts.scope === 'failed-wave' && current !== null ? new Set(plan[current]!.clusters) : null;
    for (const c of deployOrder) if (inWave === null || inWave.has(c)) startRollback(c);
  };

  at(
    Math.max(config.startAt, sim.now),
    () => {
      state = 'running';
      if (plan.length === 0) {
        state = 'completed';
        emit({ kind: 'rollout-completed', t: sim.now });
        return;
      }
      startWave(0);
    },
    NORMAL,
  );

  return {
    config,
    plan,
    get state() {
      return state;
    },
    get currentWave() {
      return current;
    },
    get haltedAt() {
      return haltedAt;
    },
    events: () => log,
    deployed: () => deployOrder,
    deployedAt: (cluster) => deployTimes.get(cluster) ?? null,
    rollbackState: (cluster) => rollbacks.get(cluster) ?? 'none',
    halt(reason, opts) {
      halt(reason, { rollback: opts?.rollback ?? false, scope: 'all-deployed' });
    },
    rollback(cluster) {
      if (!deployTimes.has(cluster)) {
        throw new RangeError(`rollout: cannot roll back "${cluster}": the change was never deployed there`);
      }
      startRollback(cluster);
    },
  };
}

interface Violation {
  readonly cluster: string;
  readonly check: GateCheck;
  readonly value: number;
}

/** The first failing (cluster, check) in deploy order, or null. NaN (no data) fails, to be safe. */
function findViolation(gate: GateConfig, clusters: readonly RolloutTarget[]): Violation | null {
  for (const target of clusters) {
    for (const check of gate.checks) {
      const value = readSignal(target, check.signal);
      const isBad =
        Number.isNaN(value) ||
        (check.max !== undefined && value > check.max) ||
        (check.min !== undefined && value < check.min);
      if (isBad) return { cluster: target.name, check, value };
    }
  }
  return null;
}

export function readSignal(target: RolloutTarget, signal: GateSignal): number {
  switch (signal) {
    case 'api-p99-seconds':
      return target.health().clientP99;
    case 'api-error-fraction':
      return target.health().errorFraction;
    case 'api-saturated':
      return target.health().isSaturated ? 1 : 0;
    case 'apf-rejections-per-second':
      return target.apfRejectionsPerSecond!();
    case 'etcd-p99-seconds':
      return target.etcdP99Seconds!();
    case 'dns-servfail-fraction':
      return target.servfailFraction();
    case 'service-availability':
      return target.serviceAvailability();
  }
}

function validateConfig(targets: readonly RolloutTarget[], config: RolloutConfig): void {
  const where = `rollout "${config.name}"`;
  if (!(config.startAt >= 0))
    throw new RangeError(`${where}: startAt must be >= 0 seconds, got ${config.startAt}`);
  if (!(config.bakeSeconds >= 0))
    throw new RangeError(`${where}: bakeSeconds must be >= 0, got ${config.bakeSeconds}`);
  const gate = config.gate;
  if (gate !== null) {
    if (!(gate.interval > 0))
      throw new RangeError(`${where}: gate.interval must be > 0 seconds, got ${gate.interval}`);
    if (!(Number.isInteger(gate.failureLimit) && gate.failureLimit >= 0)) {
      throw new RangeError(`${where}: gate.failureLimit must be an integer >= 0, got ${gate.failureLimit}`);
    }
    if (gate.checks.length === 0)
      throw new RangeError(`${where}: a gate needs at least one check (or use gate: null)`);
    for (const check of gate.checks) {
      if (check.max === undefined && check.min === undefined) {
        throw new RangeError(`${where}: gate check on ${check.signal} needs a max or a min`);
      }
      const method =
        check.signal === 'apf-rejections-per-second'
          ? 'apfRejectionsPerSecond'
          : check.signal === 'etcd-p99-seconds'
            ? 'etcdP99Seconds'
            : null;
      if (method === null) continue;
      const lacking = targets.filter((t) => t[method] === undefined).map((t) => t.name);
      if (lacking.length > 0) {
        throw new RangeError(
          `${where}: gate check ${check.signal} needs ${method}() on every target; missing on ${lacking.join(', ')}`,
        );
      }
    }
  }
  const r = config.rollbackRetry;
  if (!(Number.isInteger(r.maxAttempts) && r.maxAttempts >= 1)) {
    throw new RangeError(`${where}: rollbackRetry.maxAttempts must be an integer >= 1, got ${r.maxAttempts}`);
  }
  if (!(r.initialBackoff >= 0 && r.factor >= 1 && r.maxBackoff >= 0 && r.jitter >= 0)) {
    throw new RangeError(
      `${where}: rollbackRetry needs initialBackoff >= 0, factor >= 1, maxBackoff >= 0, jitter >= 0`,
    );
  }
}

function formatNumber(v: number): string {
  return Number.isFinite(v) ? Number(v.toPrecision(4)).toString() : String(v);
}

function describe(event: RolloutEvent): { cluster: string; severity: EventSeverity; message: string } {
  switch (event.kind) {
    case 'rollout-wave-started':
      return {
        cluster: FLEET_EVENT_SCOPE,
        severity: 'info',
        message: `wave ${event.wave.index} "${event.wave.name}" started: ${event.wave.clusters.length} cluster(s)`,
      };
    case 'rollout-cluster-deployed':
      return { cluster: event.cluster, severity: 'info', message: `change deployed (wave ${event.wave})` };
    case 'rollout-gate-passed':
      return {
        cluster: FLEET_EVENT_SCOPE,
        severity: 'info',
        message: `gate passed after wave ${event.wave} (${event.measurements} measurement(s))`,
      };
    case 'rollout-gate-failed': {
      const bound = event.check.max !== undefined ? `max ${event.check.max}` : `min ${event.check.min}`;
      return {
        cluster: event.cluster,
        severity: 'critical',
        message: `gate failed in wave ${event.wave}: ${event.check.signal} = ${formatNumber(event.value)} (${bound})`,
      };
    }
    case 'rollout-halted':
      return {
        cluster: FLEET_EVENT_SCOPE,
        severity: 'warning',
        message: `rollout halted: ${event.reason}${event.willRollBack ? '; rolling back' : ''}`,
      };
    case 'rollout-completed':
      return { cluster: FLEET_EVENT_SCOPE, severity: 'info', message: 'rollout completed' };
    case 'rollout-rollback-attempt':
      return { cluster: event.cluster, severity: 'info', message: `rollback attempt ${event.attempt}` };
    case 'rollout-rollback-failed':
      return {
        cluster: event.cluster,
        severity: event.retryIn === null ? 'critical' : 'warning',
        message:
          event.retryIn === null
            ? `rollback attempt ${event.attempt} failed; giving up`
            : `rollback attempt ${event.attempt} failed; retrying in ${formatNumber(event.retryIn)} s`,
      };
    case 'rollout-rollback-succeeded':
      return { cluster: event.cluster, severity: 'info', message: `rolled back (attempt ${event.attempt})` };
  }
}
