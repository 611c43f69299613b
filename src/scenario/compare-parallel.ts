/**
 * compareVariantsParallel: compareVariants (compare.ts) with the runs spread over worker threads,
 * each worker taking the next run not yet started. The result is the one compareVariants returns,
 * byte for byte: each run is simulate() on the same plain-data scenario with the same seed, only in
 * another thread (docs/decisions.md "Scenario format and CLI"). The scenario as written comes back
 * whole (its result is what --json and --report write); every variant only as its VariantResult row.
 */
import { Worker } from 'node:worker_threads';
import type { RunResult, VariantResult } from '../model/result.js';
import { BASE_VARIANT, compareVariants, resolveVariant } from './compare.js';
import type { ResolvedScenario } from './types.js';
import { canLoadWorker, defaultJobs, WORKER_RESOURCE_LIMITS } from './workers.js';

/** One run, posted to a worker (compare-worker.ts). */
export interface RunJob {
  readonly index: number;
  readonly name: string;
  readonly description: string;
  /** Resolved on this thread (resolveVariant): applyVariant finds a variant by the loaded object, which a copy is not. */
  readonly scenario: ResolvedScenario;
  readonly seed?: number;
  readonly until?: number;
  /** Post the whole RunResult back (the scenario as written), not only its row. */
  readonly isBase: boolean;
}

/** What a worker posts back: about 100 progress messages per run, then the run's outcome. */
export type WorkerMessage =
  | { readonly kind: 'progress'; readonly index: number; readonly simulated: number; readonly events: number }
  | {
      readonly kind: 'done';
      readonly index: number;
      readonly row: VariantResult;
      readonly result: RunResult | null;
    }
  | { readonly kind: 'failed'; readonly index: number; readonly message: string; readonly stack: string };

/** Progress summed over every run: simulated seconds (of duration x runs) and events processed. */
export interface CompareTotals {
  readonly simulated: number;
  readonly events: number;
}

export interface ParallelCompareOptions {
  /** Overrides the scenario's seed, for every run. */
  readonly seed?: number;
  /** Stop every run at this simulated time, seconds (default: the scenario's duration). */
  readonly until?: number;
  /** Runs at once, each on its own worker thread (default: one per core, at most one per run); 1 runs compareVariants in this thread. */
  readonly jobs?: number;
  readonly onProgress?: (totals: CompareTotals) => void;
}

type Comparison = ReturnType<typeof compareVariants>;

const WORKER = new URL('./compare-worker.js', import.meta.url);

/** Whether runs can go to worker threads (compiled JavaScript; under tsx they cannot). */
export const canRunOnWorkers = (): boolean => canLoadWorker(WORKER);

/**
 * Runs the scenario as written and every variant, up to `jobs` at a time, and returns what
 * compareVariants returns. With jobs 1, a single run or no loadable worker, it is compareVariants.
 * A run that throws rejects with an Error naming its variant, after the other workers are stopped.
 */
export async function compareVariantsParallel(
  scenario: ResolvedScenario,
  options: ParallelCompareOptions,
): Promise<Comparison> {
  const names = Object.keys(scenario.variants);
  const runLength = options.until ?? scenario.duration;
  const workers = Math.min(options.jobs ?? defaultJobs(), names.length + 1);
  if (workers <= 1 || !canRunOnWorkers()) return compareInThisThread(scenario, options, runLength);

  const jobs: RunJob[] = [BASE_VARIANT, ...names].map((name, index) => {
    return {
      index,
      name,
      description: index === 0 ? scenario.description : (scenario.variants[name]?.description ?? ''),
      scenario: index === 0 ? scenario : resolveVariant(scenario, name),
      ...(options.seed !== undefined ? { seed: options.seed } : {}),
      ...(options.until !== undefined ? { until: options.until } : {}),
      isBase: index === 0,
    };
  });
  const { base, rows } = await runOnWorkers(jobs, workers, runLength, options.onProgress);
  return { base: { ...base, variants: rows }, variants: rows };
}

/** compareVariants with its per-run progress summed into totals over every run. */
function compareInThisThread(
  scenario: ResolvedScenario,
  options: ParallelCompareOptions,
  runLength: number,
): Comparison {
  const { onProgress } = options;
  let simulatedBefore = 0;
  let eventsBefore = 0;
  let events = 0;
  return compareVariants(scenario, {
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.until !== undefined ? { until: options.until } : {}),
    ...(onProgress
      ? {
          onProgress: (p) => {
            events = p.events;
            onProgress({ simulated: simulatedBefore + p.simulated, events: eventsBefore + p.events });
          },
          onVariant: (p) => {
            simulatedBefore = p.index * runLength;
            eventsBefore += events;
            events = 0;
          },
        }
      : {}),
  });
}

/** The work queue: each worker gets the next job when it finishes one, and is stopped when none are left. */
function runOnWorkers(
  jobs: readonly RunJob[],
  count: number,
  runLength: number,
  onProgress: ((totals: CompareTotals) => void) | undefined,
): Promise<{ base: RunResult; rows: VariantResult[] }> {
  return new Promise((resolve, reject) => {
    const rows: VariantResult[] = [];
    let base: RunResult | null = null;
    const simulated = jobs.map(() => 0);
    const events = jobs.map(() => 0);
    const current = new Map<Worker, RunJob | null>();
    const stopping: Promise<number>[] = [];
    let next = 0;
    let finished = 0;
    let settled = false;

    const report = (): void => {
      if (!onProgress) return;
      let s = 0;
      let e = 0;
      for (let i = 0; i < jobs.length; i++) {
        s += simulated[i]!;
        e += events[i]!;
      }
      onProgress({ simulated: s, events: e });
    };
    const stop = (worker: Worker): void => {
      current.set(worker, null);
      stopping.push(worker.terminate());
    };
    const give = (worker: Worker): void => {
      const job = jobs[next++];
      if (job === undefined) {
        stop(worker);
        return;
      }
      current.set(worker, job);
      worker.postMessage(job);
    };
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      for (const worker of current.keys()) if (current.get(worker) !== null) stop(worker);
      void Promise.allSettled(stopping).then(() => reject(error));
    };
    const failure = (worker: Worker, what: string, cause?: unknown): Error =>
      new Error(
        `variant ${current.get(worker)?.name ?? '(none)'} ${what}`,
        cause === undefined ? {} : { cause },
      );

    for (let i = 0; i < count; i++) {
      const worker = new Worker(WORKER, { resourceLimits: WORKER_RESOURCE_LIMITS });
      current.set(worker, null);
      worker.on('message', (m: WorkerMessage) => {
        if (settled) return;
        if (m.kind === 'progress') {
          simulated[m.index] = m.simulated;
          events[m.index] = m.events;
          report();
          return;
        }
        if (m.kind === 'failed') {
          const error = failure(worker, `failed: ${m.message}`);
          // The stack that matters is the worker's, where simulate() threw.
          error.stack = `Error: ${error.message}\n${m.stack.split('\n').slice(1).join('\n')}`;
          fail(error);
          return;
        }
        rows[m.index] = m.row;
        if (m.result !== null) base = m.result;
        simulated[m.index] = runLength;
        report();
        finished++;
        give(worker);
        if (finished === jobs.length) {
          settled = true;
          void Promise.allSettled(stopping).then(() => {
            if (base === null) reject(new Error('compare: the scenario as written never came back'));
            else resolve({ base, rows });
          });
        }
      });
      worker.on('error', (e: Error) => {
        const memory = (e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY';
        fail(
          failure(
            worker,
            memory
              ? `ran out of memory in its worker thread (heap limit ${WORKER_RESOURCE_LIMITS.maxOldGenerationSizeMb} MB); run fewer at once: ${e.message}`
              : `failed in its worker thread: ${e.message}`,
            e,
          ),
        );
      });
      worker.on('messageerror', (e: Error) =>
        fail(failure(worker, `sent back a message that did not arrive: ${e.message}`, e)),
      );
      worker.on('exit', (code) => {
        if (current.get(worker) !== null)
          fail(failure(worker, `stopped its worker thread (exit code ${code}) before it finished`));
      });
      give(worker);
    }
  });
}
