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
const WORKER_HEAP_MB = Math.max(8192, Math.ceil(v8.getHeapStatistics().heap_size_limit / 2 ** 20));

/**
 * Young generation per worker, MB (two 32 MB semi-spaces and V8's share for large new objects). A
 * replay allocates a small object or a boxed number at nearly every event (a Call per API request,
 * an outcome per answer), almost all dead within a window: a larger nursery is scavenged less often
 * and copies fewer survivors. On `npm run bench -- fm009` the two workers took 7-10% less CPU than
 * with V8's default (which 48 MB matched); 192 MB did no better (docs/decisions.md).
 */
export const WORKER_YOUNG_GENERATION_MB = 96;

/** The resource limits every worker starts with. */
export const WORKER_RESOURCE_LIMITS = {
  maxOldGenerationSizeMb: WORKER_HEAP_MB,
  maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB,
} as const;

/**
 * Whether the worker module at `url` can run: it is compiled JavaScript next to its runner. Run from
 * the TypeScript sources (tsx) there is no .js to load, and the work stays in this thread.
 */
export function canLoadWorker(url: URL): boolean {
  return !import.meta.url.endsWith('.ts') && fs.existsSync(fileURLToPath(url));
}
