#!/usr/bin/env node
// Runs a scenario with every cluster at one fidelity (exact or aggregate) and prints the first
// cluster's summary, its node-high rejections, its OOM kills and how often its API was reachable
// after the change: how docs/fm-009.md compares the
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

// How reachable the control plane was once the change had landed: the share of time from two
// minutes after the workload was created to the end during which at least one replica served, and
// the lengths of the windows in which some replica was up (a kubectl request needs one of them).
function reachability() {
  const created = result.events.find((e) => e.kind === 'workload-created');
  const replicas = loaded.scenario.clusters[0].apiServer?.replicas ?? 3;
  if (created === undefined) return { apiUpShare: null, apiUpWindowsSeconds: [] };
  const from = created.t + 120;
  const to = result.simulatedSeconds;
  let up = replicas;
  let last = from;
  let upTime = 0;
  let openedAt = 0;
  const windows = [];
  for (const e of result.events) {
    const isStart = e.kind === 'apiserver-started';
    if (!isStart && e.kind !== 'apiserver-oom-killed' && e.kind !== 'apiserver-killed') continue;
    if (e.t > from && up > 0) upTime += e.t - Math.max(last, from);
    last = Math.max(last, e.t);
    if (isStart) {
      if (up++ === 0) openedAt = e.t;
    } else if (--up === 0 && openedAt > from) windows.push(Math.round(e.t - openedAt));
  }
  if (up > 0) upTime += to - Math.max(last, from);
  return { apiUpShare: Math.round((1000 * upTime) / (to - from)) / 1000, apiUpWindowsSeconds: windows };
}

console.log(
  JSON.stringify({
    scenario,
    fidelity,
    wallSeconds: Math.round((performance.now() - started) / 100) / 10,
    nodeHighRejected,
    apiserverOomKills: count('apiserver-oom-killed'),
    corednsOomKills: count('coredns-oom-killed'),
    ...reachability(),
    summary: cluster.summary,
  }),
);
