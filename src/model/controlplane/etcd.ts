/**
 * etcd as one shared server for the cluster's API servers.
 *
 * Range reads are processor-sharing jobs over all members' cores (each apiserver's client spreads
 * reads over members; a range is one goroutine, so at most one core). Writes pass a FIFO apply
 * pipeline after a latency floor (fsync + raft round trip): the pipeline is one goroutine that gets
 * the same CPU share as a range reader, so heavy ranges slow every write behind it - the way large
 * LISTs delay lease renewals. The write's finish time is fixed when it enters the pipeline (rate at
 * that moment): one event per write, with the pipeline's share a second-order effect.
 */
import type { Simulation } from '../../engine/index.js';
import type { EtcdConfig } from '../config.js';
import type { Component, MetricDeclaration } from '../component.js';
import { LatencyStats } from './latency.js';
import {
  ETCD_APPLY_PER_WRITE,
  ETCD_COUNT_PER_KEY,
  ETCD_RANGE_FIXED,
  ETCD_RANGE_PER_KIB,
  ETCD_RANGE_PER_OBJECT,
} from './parameters.js';
import { createProcessorSharing, type ProcessorSharing } from './processor-sharing.js';

export interface Etcd extends Component {
  /**
   * A range over `keys` keys of `bytesPerKey` each, for `weight` identical requests at once, each of
   * which then serves `rounds` more in turn (a cohort whose seats hold only some members at once).
   */
  range<T>(
    keys: number,
    bytesPerKey: number,
    weight: number,
    rounds: number,
    done: (arg: T) => void,
    arg: T,
  ): void;
  /** A range with count and limit 1 (current RV of a resource): walks the key index only. */
  count<T>(keys: number, weight: number, rounds: number, done: (arg: T) => void, arg: T): void;
  /**
   * `weight` writes entering the pipeline now: returns the sim time they are applied (committed and
   * visible to watchers). The caller schedules its own continuation then (no allocation here).
   */
  write(weight: number, at?: number): number;
  readonly rangesInFlight: number;
  /** Share of etcd's cores busy in the last sampling window. */
  readonly utilization: number;
  /** Closes the 10 s sampling window (called by the cluster's sampler). */
  roll(): void;
}

interface Pending<T> {
  readonly start: number;
  readonly weight: number;
  readonly rounds: number;
  readonly done: (arg: T) => void;
  readonly arg: T;
}

export function countCost(keys: number): number {
  return ETCD_RANGE_FIXED + keys * ETCD_COUNT_PER_KEY;
}

export function rangeCost(keys: number, bytesPerKey: number): number {
  return ETCD_RANGE_FIXED + keys * (ETCD_RANGE_PER_OBJECT + (ETCD_RANGE_PER_KIB * bytesPerKey) / 1024);
}

export function createEtcd(
  sim: Simulation,
  config: EtcdConfig,
  options: { readonly id: string; readonly cluster: string; readonly windowsPerMinute: number },
): Etcd {
  const cores = Math.max(1, config.members * config.cores);
  const ps: ProcessorSharing = createProcessorSharing(sim, cores);
  const rangeLatency = new LatencyStats(options.windowsPerMinute);
  const writeLatency = new LatencyStats(options.windowsPerMinute);
  let applyFreeAt = 0;
  let lastBusy = 0;
  let lastBusyAt = 0;
  let coresUsed = 0;
  let rangeP99 = Number.NaN;
  let writeP99 = Number.NaN;

  // Members served in turn each took an equal share of the elapsed time.
  const finishRange = (p: Pending<unknown>): void => {
    rangeLatency.observe((sim.now - p.start) / p.rounds, p.weight * p.rounds);
    p.done(p.arg);
  };

  /** `weight` requests of `cost` each at once, each followed by `rounds - 1` more in turn. */
  const serve = <T>(cost: number, weight: number, rounds: number, done: (arg: T) => void, arg: T) => {
    const p: Pending<T> = { start: sim.now, done, arg, weight, rounds };
    ps.add(cost * rounds, weight, finishRange, p as Pending<unknown>);
  };

  const metrics: MetricDeclaration[] = [
    {
      name: 'etcd_request_duration_seconds',
      labels: { quantile: '0.99', operation: 'range' },
      unit: 'seconds',
      help: 'p99 latency of etcd range requests from the API servers, per sampling window',
      read: () => rangeP99,
    },
    {
      name: 'etcd_request_duration_seconds',
      labels: { quantile: '0.99', operation: 'txn' },
      unit: 'seconds',
      help: 'p99 latency of etcd writes (floor + apply queue), per sampling window',
      read: () => writeP99,
    },
    {
      name: 'etcd_cpu_cores_used',
      unit: 'cores',
      help: 'etcd cores busy serving ranges (all members), averaged over the sampling window',
      read: () => coresUsed,
    },
    {
      name: 'etcd_ranges_in_flight',
      unit: 'requests',
      help: 'Range requests being served',
      read: () => ps.jobs,
    },
  ];

  return {
    id: options.id,
    metrics: () => metrics,
    get rangesInFlight() {
      return ps.jobs;
    },
    get utilization() {
      return coresUsed / cores;
    },
    range(keys, bytesPerKey, weight, rounds, done, arg) {
      serve(rangeCost(keys, bytesPerKey), weight, rounds, done, arg);
    },
    count(keys, weight, rounds, done, arg) {
      serve(countCost(keys), weight, rounds, done, arg);
    },
    write(weight, at) {
      const now = at ?? sim.now;
      const share = Math.min(1, cores / (ps.jobs + 1));
      const start = Math.max(now + config.writeLatencyFloor, applyFreeAt);
      applyFreeAt = start + (weight * ETCD_APPLY_PER_WRITE) / share;
      // The pipeline is busy for every member's apply; a member (a call on its own clock, see
      // apiserver.ts runCpu) waits only for what was queued before it and for its own apply.
      const done = start + ETCD_APPLY_PER_WRITE / share;
      writeLatency.observe(done - now, weight);
      return done;
    },
    roll() {
      rangeP99 = rangeLatency.roll();
      writeP99 = writeLatency.roll();
      const busy = ps.busyIntegral();
      const dt = sim.now - lastBusyAt;
      coresUsed = dt > 0 ? (busy - lastBusy) / dt : 0;
      lastBusy = busy;
      lastBusyAt = sim.now;
    },
  };
}
