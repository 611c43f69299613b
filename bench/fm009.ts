/**
 * `npm run bench -- fm009`: the full FM-009 replay (the built-in fleet, default seed), timed.
 * Progress goes to stderr; one JSON object to stdout.
 */
import { loadScenario } from '../src/scenario/load.js';
import { simulate } from '../src/scenario/simulate.js';

export function run(args: string[]): unknown {
  const name = args[0] ?? 'fm-009';
  const loaded = loadScenario(name);
  if (!loaded.ok) throw new Error(`${name} does not load: ${loaded.issues[0]?.message}`);
  const scenario = loaded.scenario;
  const started = performance.now();
  let events = 0;
  let shown = -1;
  const result = simulate(scenario, {
    onProgress: (p) => {
      events = p.events;
      const pct = Math.floor((100 * p.simulated) / p.until);
      if (pct % 10 === 0 && pct !== shown) {
        shown = pct;
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
    events,
    eventsPerSec: Math.round(events / wallSeconds),
    milestones: result.milestones,
  };
}
