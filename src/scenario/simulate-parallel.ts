/**
 * simulateParallel: simulate() with the fleet's clusters split over worker threads, one partition
 * each (src/model/fleet/partition.ts). The partitions meet at every barrier through shared memory:
 * each writes its clusters' snapshot rows and its messages, waits for the others, then reads all of
 * them. The result is simulate()'s, byte for byte (tested): partitioning changes where a cluster is
 * simulated, never what happens to it.
 */
import { Worker } from 'node:worker_threads';
import { finishFleet, type PartitionResult, planPartitions } from '../model/fleet/index.js';
import { windowRowsLength } from '../model/fleet/partition.js';
import type { RunResult } from '../model/result.js';
import { fleetConfig, type SimulateOptions, simulate, toRunResult } from './simulate.js';
import type { ResolvedScenario } from './types.js';
import { canLoadWorker, defaultJobs, WORKER_RESOURCE_LIMITS } from './workers.js';

/** What the main thread gives each worker (fleet-worker.ts). */
export interface PartitionJob {
  readonly scenario: ResolvedScenario;
  readonly seed: number;
  readonly until: number;
  readonly index: number;
  readonly count: number;
  readonly owner: readonly number[];
  readonly shared: SharedArrayBuffer;
}

/** What a worker posts: about 100 progress messages, then its result or why it failed. */
export type PartitionMessage =
  | { readonly kind: 'progress'; readonly index: number; readonly simulated: number; readonly events: number }
  | { readonly kind: 'done'; readonly index: number; readonly result: PartitionResult }
  | { readonly kind: 'failed'; readonly index: number; readonly message: string; readonly stack: string };

// Shared memory: a control block of int32s, then two row buffers (every cluster's row at each barrier
// of a window), then two message areas per partition (double-buffered: a partition writes exchange
// k's while a slower one still reads k - 1's).
export const CONTROL_ARRIVED = 0;
export const CONTROL_GENERATION = 1;
export const CONTROL_ABORT = 2;
const CONTROL_BYTES = 64;
/** Bytes of JSON one partition may send at one exchange (call outcomes and alert firings: a few). */
export const MESSAGE_BYTES = 1 << 18;

export interface SharedLayout {
  readonly control: Int32Array;
  readonly snapshots: readonly [Float64Array, Float64Array];
  /** [buffer][partition]: a length word, then UTF-8 JSON. */
  readonly messages: readonly (readonly Uint8Array[])[];
}

/** `rows`: numbers in one exchange's rows (FleetPartition.rowsLength). */
export function sharedBytes(rows: number, partitions: number): number {
  return CONTROL_BYTES + 2 * rows * 8 + 2 * partitions * MESSAGE_BYTES;
}

/** The control block at the start of the shared memory. */
export const sharedControl = (shared: SharedArrayBuffer): Int32Array =>
  new Int32Array(shared, 0, CONTROL_BYTES / 4);

export function sharedLayout(shared: SharedArrayBuffer, rows: number, partitions: number): SharedLayout {
  const snapshots: [Float64Array, Float64Array] = [
    new Float64Array(shared, CONTROL_BYTES, rows),
    new Float64Array(shared, CONTROL_BYTES + rows * 8, rows),
  ];
  const base = CONTROL_BYTES + 2 * rows * 8;
  const messages = [0, 1].map((b) =>
    Array.from(
      { length: partitions },
      (_, p) => new Uint8Array(shared, base + (b * partitions + p) * MESSAGE_BYTES, MESSAGE_BYTES),
    ),
  );
  return { control: sharedControl(shared), snapshots, messages };
}

const WORKER = new URL('./fleet-worker.js', import.meta.url);
/** Whether partitions can go to worker threads (compiled JavaScript; under tsx they cannot). */
export const canRunPartitionsOnWorkers = (): boolean => canLoadWorker(WORKER);

export interface ParallelSimulateOptions extends SimulateOptions {
  /**
   * Worker threads, one partition each (default: one per core); 1 (or a single cluster) runs
   * simulate() in this thread.
   */
  readonly jobs?: number;
}

export async function simulateParallel(
  scenario: ResolvedScenario,
  options: ParallelSimulateOptions = {},
): Promise<RunResult> {
  const count = Math.min(options.jobs ?? defaultJobs(), scenario.clusters.length);
  if (count <= 1 || !canRunPartitionsOnWorkers()) return simulate(scenario, options);
  const seed = options.seed ?? scenario.seed;
  const until = options.until ?? scenario.duration;
  const owner = planPartitions(scenario.clusters, count);
  const rows = windowRowsLength(scenario.clusters.length, scenario.workloads.length);
  const shared = new SharedArrayBuffer(sharedBytes(rows, count));
  const control = sharedControl(shared);
  const results: PartitionResult[] = new Array(count);
  // Progress: the slowest partition's clock, and the events of all of them.
  const clocks = new Array<number>(count).fill(0);
  const events = new Array<number>(count).fill(0);
  const workers: Worker[] = [];
  const stopAll = (): Promise<unknown> => {
    // Wake anyone waiting at a barrier, so it sees the abort and stops.
    Atomics.store(control, CONTROL_ABORT, 1);
    Atomics.notify(control, CONTROL_GENERATION);
    return Promise.all(workers.map((w) => w.terminate()));
  };
  try {
    await new Promise<void>((resolve, reject) => {
      let done = 0;
      let failed = false;
      const fail = (error: Error): void => {
        if (failed) return;
        failed = true;
        void stopAll().then(() => reject(error));
      };
      for (let index = 0; index < count; index++) {
        const job: PartitionJob = { scenario, seed, until, index, count, owner, shared };
        const worker = new Worker(WORKER, {
          workerData: job,
          resourceLimits: WORKER_RESOURCE_LIMITS,
        });
        workers.push(worker);
        worker.on('message', (m: PartitionMessage) => {
          if (m.kind === 'progress') {
            clocks[m.index] = m.simulated;
            events[m.index] = m.events;
            options.onProgress?.({
              simulated: Math.min(...clocks),
              until,
              events: events.reduce((a, b) => a + b, 0),
            });
          } else if (m.kind === 'done') {
            results[m.index] = m.result;
            if (++done === count) resolve();
          } else {
            const error = new Error(m.message);
            error.stack = m.stack;
            fail(error);
          }
        });
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (results[index] === undefined) fail(new Error(`fleet partition ${index} exited (code ${code})`));
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const config = fleetConfig(scenario, until);
  return toRunResult(scenario, seed, until, finishFleet(config, results));
}
