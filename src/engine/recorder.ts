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
  /** Samples taken so far, per key; a series added late is NaN-padded at the front. */
  series(): Map<string, Float64Array>;
  readonly samples: number;
}

/**
 * Samples every registered series at a fixed resolution of simulated time (t = 0, r, 2r, ...),
 * late priority so a sample sees the state after all events at that instant.
 */
export function createRecorder(sim: Simulation, resolution: number, until: number): Recorder {
  const steps = Math.floor(until / resolution) + 1;
  const entries: { s: Sampled; data: Float64Array }[] = [];
  let taken = 0;
  const tick = (): void => {
    for (const e of entries) e.data[taken] = e.s.read();
    taken++;
    if (taken < steps) sim.schedule(resolution, tick, undefined, 3);
  };
  sim.scheduleAt(0, tick, undefined, 3);
  return {
    resolution,
    add(series) {
      for (const s of series) {
        const data = new Float64Array(steps).fill(Number.NaN);
        entries.push({ s, data });
      }
    },
    series() {
      const out = new Map<string, Float64Array>();
      for (const e of entries) out.set(e.s.key, e.data.subarray(0, taken));
      return out;
    },
    get samples() {
      return taken;
    },
  };
}
