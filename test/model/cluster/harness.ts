/**
 * Runs a cluster for the scenario tests and keeps what the assertions need: the summary, the event
 * log and every declared metric sampled once per 10 s window (as the result recorder does).
 */
import { createSimulation } from '../../../src/engine/index.js';
import { createCluster, type SimulatedCluster } from '../../../src/model/cluster.js';
import { createEventLog, type LoggedEvent } from '../../../src/model/component.js';
import type { ClusterConfig, WorkloadConfig } from '../../../src/model/config.js';
import type { ClusterSummary } from '../../../src/model/result.js';

export interface Run {
  readonly cluster: SimulatedCluster;
  readonly summary: ClusterSummary;
  readonly events: readonly LoggedEvent[];
  /** Series by "name{label=value,...}", one value per 10 s from t = 10. */
  readonly series: ReadonlyMap<string, readonly number[]>;
  readonly eventsProcessed: number;
}

export function seriesKey(name: string, labels: Readonly<Record<string, string>> = {}): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`);
  return parts.length === 0 ? name : `${name}{${parts.join(',')}}`;
}

export function runCluster(options: {
  readonly config: ClusterConfig;
  readonly until: number;
  readonly seed?: number;
  readonly workloads?: readonly WorkloadConfig[];
  readonly blockSize?: number;
  /** Extra actions, scheduled by the caller against the cluster. */
  readonly setup?: (cluster: SimulatedCluster, sim: ReturnType<typeof createSimulation>) => void;
}): Run {
  const sim = createSimulation({ seed: options.seed ?? 1 });
  const log = createEventLog(100_000);
  const cluster = createCluster(sim, options.config, {
    log,
    until: options.until,
    ...(options.blockSize !== undefined ? { blockSize: options.blockSize } : {}),
  });
  for (const w of options.workloads ?? []) {
    if (w.startAt !== null) sim.scheduleAt(w.startAt, () => cluster.deployWorkload(w), undefined);
  }
  options.setup?.(cluster, sim);
  const series = new Map<string, number[]>();
  const sample = (): void => {
    for (const component of cluster.components()) {
      for (const m of component.metrics()) {
        const key = seriesKey(m.name, m.labels);
        let values = series.get(key);
        if (values === undefined) {
          values = [];
          series.set(key, values);
        }
        values.push(m.read());
      }
    }
    if (sim.now + 10 <= options.until) sim.schedule(10, sample, undefined, 3);
  };
  sim.schedule(10, sample, undefined, 3);
  sim.run({ until: options.until });
  return {
    cluster,
    summary: cluster.summary(),
    events: log.events,
    series,
    eventsProcessed: sim.eventsProcessed,
  };
}

/** Values of one series from time `from` (s) on (windows end at 10, 20, ...). */
export function seriesFrom(run: Run, key: string, from: number): number[] {
  const values = run.series.get(key);
  if (values === undefined)
    throw new Error(`no series ${key}; have ${[...run.series.keys()].slice(0, 40).join(', ')}`);
  return values.slice(Math.max(0, Math.floor(from / 10) - 1));
}
