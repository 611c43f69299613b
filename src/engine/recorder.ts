import type { Simulation } from './simulation.js';

/** A sampled quantity: anything with a stable key and a read(). */
export interface Sampled {
  readonly key: string;
  read(): number;
}

export interface Recorder {
  readonly resolution: number;
  /** Registers series; sampling starts at the next step. */
  add(series: readonly Sampled[]): void;
  /**
   * Samples taken so far, per key (only the keys `keep` accepts, when given); a series added late is
   * NaN-padded at the front.
   */
  series(keep?: (key: string) => boolean): Map<string, Float64Array>;
  readonly samples: number;
}

/** Rows per block when series() transposes: 64 rows of a cluster's ~200 series is about 100 KB. */
const TRANSPOSE_ROWS = 64;

/**
 * Samples every registered series at a fixed resolution of simulated time (t = 0, r, 2r, ...),
 * late priority so a sample sees the state after all events at that instant. Samples are stored
 * time-major (one row of every series per sample), so a sample writes one run of memory instead of
 * one cache line in each series' array; series() transposes once at the end.
 */
export function createRecorder(sim: Simulation, resolution: number, until: number): Recorder {
  const steps = Math.floor(until / resolution) + 1;
  const sources: Sampled[] = [];
  let width = 0;
  let rows = new Float64Array(0);
  let taken = 0;
  /** Re-lays the rows out for the series added since the last sample (NaN before they were added). */
  const widen = (): void => {
    const next = new Float64Array(steps * sources.length).fill(Number.NaN);
    for (let t = 0; t < taken; t++) next.set(rows.subarray(t * width, (t + 1) * width), t * sources.length);
    rows = next;
    width = sources.length;
  };
  const tick = (): void => {
    if (width !== sources.length) widen();
    const at = taken * width;
    for (let k = 0; k < width; k++) rows[at + k] = sources[k]!.read();
    taken++;
    if (taken < steps) sim.schedule(resolution, tick, undefined, 3);
  };
  sim.scheduleAt(0, tick, undefined, 3);
  return {
    resolution,
    add(series) {
      sources.push(...series);
    },
    series(keep) {
      if (width !== sources.length) widen();
      const columns: number[] = [];
      const out = new Map<string, Float64Array>();
      const values: Float64Array[] = [];
      for (let k = 0; k < width; k++) {
        if (keep !== undefined && !keep(sources[k]!.key)) continue;
        const series = new Float64Array(taken);
        columns.push(k);
        values.push(series);
        out.set(sources[k]!.key, series);
      }
      // Transposed a block of rows at a time, so the block stays in cache while every series takes
      // its part of it.
      for (let t0 = 0; t0 < taken; t0 += TRANSPOSE_ROWS) {
        const t1 = Math.min(taken, t0 + TRANSPOSE_ROWS);
        for (let c = 0; c < columns.length; c++) {
          const k = columns[c]!;
          const into = values[c]!;
          for (let t = t0; t < t1; t++) into[t] = rows[t * width + k]!;
        }
      }
      return out;
    },
    get samples() {
      return taken;
    },
  };
}
