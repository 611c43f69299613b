/**
 * `npm run bench -- quiet [--clusters N] [--hours H]`: FM-009's quiet tail, in one thread: the first
 * N of its 200-node clusters (default 80, all of them) for H simulated hours (default 2), with the
 * rollout and response as published (none of them saturates). Their cost is mostly each cluster's
 * state coming back into the caches at every window, so this is the bench for memory layout: compare
 * `wallSeconds` at --clusters 20 and 80 (per cluster it should not grow with the count).
 */
import { loadScenario } from '../src/scenario/load.js';
import { simulate } from '../src/scenario/simulate.js';

function flag(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!(Number.isFinite(value) && value > 0)) throw new Error(`quiet: ${name} takes a positive number`);
  return value;
}

export function run(args: string[]): unknown {
  const count = Math.round(flag(args, '--clusters', 80));
  const hours = flag(args, '--hours', 2);
  const loaded = loadScenario('fm-009');
  if (!loaded.ok) throw new Error(`fm-009 does not load: ${loaded.issues[0]?.message}`);
  const all = loaded.scenario;
  const clusters = all.clusters.filter((c) => c.nodes === 200).slice(0, count);
  const scenario = {
    ...all,
    clusters,
    rollout: all.rollout === null ? null : { ...all.rollout, clusters: clusters.map((c) => c.name) },
  };
  let events = 0;
  const started = performance.now();
  const result = simulate(scenario, {
    until: hours * 3600,
    onProgress: (p) => {
      events = p.events;
    },
  });
  const wallSeconds = (performance.now() - started) / 1000;
  return {
    clusters: clusters.length,
    simulatedSeconds: result.simulatedSeconds,
    wallSeconds: Math.round(wallSeconds * 100) / 100,
    wallSecondsPerCluster: Math.round((wallSeconds / clusters.length) * 1000) / 1000,
    events,
    eventsPerSec: Math.round(events / wallSeconds),
  };
}
