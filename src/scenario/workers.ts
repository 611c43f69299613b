/**
 * What the runners on worker threads share (simulate-parallel.ts: a fleet's partitions;
 * compare-parallel.ts: a comparison's runs): how many workers by default, how much heap each gets,
 * and whether a worker module can be loaded at all.
 */
import fs from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

/** Workers when the user gives no --jobs: one per core (docs/decisions.md). */
export const defaultJobs = (): number => os.availableParallelism();

/**
 * Old-generation heap per worker, MB: a full FM-009 run peaks under 2 GB resident; the default (the
 * process's own limit, about 4 GB here) would do, but a worker that hits its limit fails the whole
 * run, so give it room, and never less than the process itself was given.
 */
export const WORKER_HEAP_MB = Math.max(8192, Math.ceil(v8.getHeapStatistics().heap_size_limit / 2 ** 20));

/**
 * Whether the worker module at `url` can run: it is compiled JavaScript next to its runner. Run from
 * the TypeScript sources (tsx) there is no .js to load, and the work stays in this thread.
 */
export function canLoadWorker(url: URL): boolean {
  return !import.meta.url.endsWith('.ts') && fs.existsSync(fileURLToPath(url));
}
