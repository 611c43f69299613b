#!/usr/bin/env node
// Runs a scenario with every cluster at one fidelity (exact or aggregate) and prints the first
// cluster's summary, its node-high rejections and its OOM kills: how docs/fm-009.md compares the
// aggregate path with the exact one. Usage (after `npm run build`):
//   node scripts/compare-fidelity.mjs <scenario name or file> exact|aggregate [dist folder]
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [scenario, fidelity, distArg] = process.argv.slice(2);
if (!scenario || (fidelity !== 'exact' && fidelity !== 'aggregate')) {
  console.error('usage: node scripts/compare-fidelity.mjs <scenario> exact|aggregate [dist folder]');
  process.exit(2);
}
const dist = pathToFileURL(path.resolve(distArg ?? new URL('../dist', import.meta.url).pathname)).href;
const { loadScenario } = await import(`${dist}/src/scenario/load.js`);
const { simulate } = await import(`${dist}/src/scenario/simulate.js`);
const loaded = loadScenario(scenario);
if (!loaded.ok) {
  console.error(loaded.issues.map((i) => i.message).join('\n'));
  process.exit(1);
}
const started = performance.now();
const result = simulate({
  ...loaded.scenario,
  clusters: loaded.scenario.clusters.map((c) => ({ ...c, fidelity })),
});
const cluster = result.clusters[0];
let nodeHighRejected = 0;
for (const s of cluster.series)
  if (s.name === 'apiserver_flowcontrol_rejected_requests_total' && s.labels.priority_level === 'node-high')
    nodeHighRejected += s.values.at(-1) ?? 0;
const count = (kind) => result.events.filter((e) => e.kind === kind).length;
console.log(
  JSON.stringify({
    scenario,
    fidelity,
    wallSeconds: Math.round((performance.now() - started) / 100) / 10,
    nodeHighRejected,
    apiserverOomKills: count('apiserver-oom-killed'),
    corednsOomKills: count('coredns-oom-killed'),
    summary: cluster.summary,
  }),
);
