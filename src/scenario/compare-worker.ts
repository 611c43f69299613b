/**
 * The worker thread of compareVariantsParallel (compare-parallel.ts): simulates each run it is
 * posted, one at a time, and posts back its progress, then its row (and, for the scenario as
 * written, the whole result), or why it failed. Loaded by path; it exports nothing.
 */
import { parentPort } from 'node:worker_threads';
import type { RunJob, WorkerMessage } from './compare-parallel.js';
import { simulate } from './simulate.js';
import { summarizeVariant } from './variant-summary.js';

const port = parentPort;
if (port === null) throw new Error('compare-worker runs in a worker thread started by compare-parallel');

const post = (m: WorkerMessage): void => port.postMessage(m);

port.on('message', (job: RunJob) => {
  try {
    const result = simulate(job.scenario, {
      ...(job.seed !== undefined ? { seed: job.seed } : {}),
      ...(job.until !== undefined ? { until: job.until } : {}),
      onProgress: (p) =>
        post({ kind: 'progress', index: job.index, simulated: p.simulated, events: p.events }),
    });
    const row = summarizeVariant(job.name, job.description, result);
    post({ kind: 'done', index: job.index, row, result: job.isBase ? result : null });
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    post({ kind: 'failed', index: job.index, message: error.message, stack: error.stack ?? '' });
  }
});
