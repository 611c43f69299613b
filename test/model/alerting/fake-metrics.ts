/** A MetricSource whose series are functions of simulated time, for alerting tests. */
import type { Simulation } from '../../../src/engine/index.js';
import type { MetricSource } from '../../../src/model/alerting/index.js';

export interface FakeSeries {
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: (t: number) => number;
}

/** Implements the MetricSource contract: the sum of the series whose labels include `labels`. */
export function createFakeMetrics(
  sim: Simulation,
  series: readonly FakeSeries[],
): MetricSource & { reads: number } {
  const source = {
    reads: 0,
    sample(name: string, labels?: Readonly<Record<string, string>>): number | undefined {
      source.reads++;
      let sum: number | undefined;
      for (const s of series) {
        if (s.name !== name) continue;
        if (labels !== undefined && !Object.entries(labels).every(([k, v]) => s.labels?.[k] === v)) continue;
        sum = (sum ?? 0) + s.value(sim.now);
      }
      return sum;
    },
  };
  return source;
}

/** A counter growing at `rate(t)` per second, piecewise constant between the given change points. */
export function piecewiseCounter(
  start: number,
  segments: readonly { from: number; rate: number }[],
): (t: number) => number {
  return (t) => {
    let total = start;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const end = i + 1 < segments.length ? segments[i + 1]!.from : Number.POSITIVE_INFINITY;
      if (t <= seg.from) break;
      total += seg.rate * (Math.min(t, end) - seg.from);
    }
    return total;
  };
}
