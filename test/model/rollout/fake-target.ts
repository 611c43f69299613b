/** A RolloutTarget driven by functions of simulated time, for rollout tests. */
import type { Simulation } from '../../../src/engine/index.js';
import type { RolloutTarget } from '../../../src/model/rollout/index.js';

export interface FakeTargetSpec {
  readonly name: string;
  readonly nodes?: number;
  readonly labels?: Readonly<Record<string, string>>;
  /** Client p99 seconds; receives the time since this cluster was deployed (null before). */
  readonly p99?: (t: number, sinceDeploy: number | null) => number;
  readonly errorFraction?: (t: number, sinceDeploy: number | null) => number;
  readonly availability?: (t: number) => number;
  /** Whether a rollback started at `t` succeeds (default: always). */
  readonly rollbackSucceeds?: (t: number, attempt: number) => boolean;
  /** Seconds a rollback call takes to report (default 1: an API round trip). */
  readonly rollbackLatency?: number;
  readonly withApf?: boolean;
}

export interface FakeTarget extends RolloutTarget {
  readonly deployTimes: number[];
  readonly rollbackStarts: number[];
}

export function createFakeTarget(sim: Simulation, spec: FakeTargetSpec): FakeTarget {
  const deployTimes: number[] = [];
  const rollbackStarts: number[] = [];
  const since = (): number | null => (deployTimes.length === 0 ? null : sim.now - deployTimes[0]!);
  const target: FakeTarget = {
    name: spec.name,
    labels: spec.labels ?? {},
    nodes: spec.nodes ?? 100,
    deployTimes,
    rollbackStarts,
    deploy() {
      deployTimes.push(sim.now);
    },
    rollback(done) {
      rollbackStarts.push(sim.now);
      const ok = (spec.rollbackSucceeds ?? (() => true))(sim.now, rollbackStarts.length);
      sim.schedule(spec.rollbackLatency ?? 1, done, ok);
    },
    health() {
      const p99 = spec.p99?.(sim.now, since()) ?? 0.2;
      return {
        errorFraction: spec.errorFraction?.(sim.now, since()) ?? 0,
        clientP99: p99,
        replicasUp: 3,
        isSaturated: p99 > 30,
      };
    },
    serviceAvailability: () => spec.availability?.(sim.now) ?? 1,
    servfailFraction: () => 0,
  };
  if (spec.withApf === true) return { ...target, apfRejectionsPerSecond: () => 0 };
  return target;
}
