#!/usr/bin/env node
// Golden scenarios: runs each built-in listed below with its default seed and compares the parts
// of the result people rely on (fm-009's milestones, the others' cluster summaries) with the
// checked-in files in test/golden/. A change that moves them shows up as a diff here.
// Usage: node scripts/check-golden.mjs [--update] [name ...]  (after `npm run build`)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../dist/src/scenario/load.js';
import { serialize } from '../dist/src/scenario/serialize.js';
import { simulateParallel } from '../dist/src/scenario/simulate-parallel.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** Every cluster's summary, by name. */
const summaries = (r) => ({ summaries: r.clusters.map((c) => ({ name: c.name, summary: c.summary })) });
const GOLDEN = {
  'fm-009': (r) => ({ milestones: r.milestones }),
  'baseline-5k': summaries,
  'agent-5k': summaries,
  'agent-5k-quarantine': summaries,
  'dns-apiserver-outage': summaries,
  'fm-009-one-cluster': summaries,
  'dns-apiserver-outage-serve-stale': summaries,
};
const args = process.argv.slice(2);
const update = args.includes('--update');
const names = args.filter((a) => !a.startsWith('--'));
let failed = 0;
let checked = 0;
for (const name of names.length ? names : Object.keys(GOLDEN)) {
  const loaded = loadScenario(name);
  if (!loaded.ok) throw new Error(`${name} does not load`);
  const started = performance.now();
  // Fleets share out over one worker thread per core (the result is the same for any number).
  const picked = GOLDEN[name](await simulateParallel(loaded.scenario));
  const text = serialize(picked);
  const file = path.join(root, 'test', 'golden', `${name}.json`);
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  if (update) {
    fs.writeFileSync(file, text);
    console.log(`golden ${name}: written (${secs} s)`);
    continue;
  }
  checked++;
  const expected = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  if (expected === text) console.log(`golden ${name}: unchanged (${secs} s)`);
  else {
    failed++;
    console.log(
      `golden ${name}: CHANGED (${secs} s)\n--- expected ${path.relative(root, file)}\n${expected}\n+++ got\n${text}`,
    );
  }
}
if (!update) console.log(`golden: ${checked - failed} passed, ${failed} failed`);
if (failed > 0) {
  console.log(
    `${failed} golden result(s) changed; if the change is intended, run: node scripts/check-golden.mjs --update`,
  );
  process.exit(1);
}
