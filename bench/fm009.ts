/**
 * `npm run bench -- fm009`: the full FM-009 replay (the built-in fleet, default seed), timed.
 * Progress goes to stderr; one JSON object to stdout.
 */
import { loadScenario } from '../src/scenario/load.js';
import { simulateParallel } from '../src/scenario/simulate-parallel.js';
import { defaultJobs } from '../src/scenario/workers.js';

/** Flags: [scenario] [--jobs N] (default: one worker thread per CPU core). */
export async function run(args: string[]): Promise<unknown> {
  const at = args.indexOf('--jobs');
  const jobs = at >= 0 ? Number(args[at + 1]) : defaultJobs();
  if (!(Number.isInteger(jobs) && jobs >= 1)) throw new Error('fm009: --jobs takes a whole number >= 1');
  const name = args.filter((_, i) => i !== at && i !== at + 1)[0] ?? 'fm-009';
  const loaded = loadScenario(name);
  if (!loaded.ok) throw new Error(`${name} does not load: ${loaded.issues[0]?.message}`);
  const scenario = loaded.scenario;
  const started = performance.now();
  let events = 0;
  let shown = -10;
  const result = await simulateParallel(scenario, {
    jobs,
    onProgress: (p) => {
      events = p.events;
      const pct = Math.floor((100 * p.simulated) / p.until);
      if (pct >= shown + 10) {
        shown = pct - (pct % 10);
        process.stderr.write(
          `fm009: ${pct}% simulated, ${((performance.now() - started) / 1000).toFixed(1)} s wall\n`,
        );
      }
    },
  });
  const wallSeconds = (performance.now() - started) / 1000;
  return {
    simulatedSeconds: result.simulatedSeconds,
    wallSeconds: Math.round(wallSeconds * 100) / 100,
    clusters: result.clusters.length,
    nodes: scenario.clusters.reduce((n, c) => n + c.nodes, 0),
    jobs,
    events,
    eventsPerSec: Math.round(events / wallSeconds),
    milestones: result.milestones,
  };
}
