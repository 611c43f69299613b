import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { compareVariants } from '../../src/scenario/compare.js';
import { canRunOnWorkers, compareVariantsParallel } from '../../src/scenario/compare-parallel.js';
import { builtInNames, packageRoot } from '../../src/scenario/builtins.js';
import { applyVariant, loadScenario } from '../../src/scenario/load.js';
import { serialize } from '../../src/scenario/serialize.js';
import { simulate } from '../../src/scenario/simulate.js';
import type { ResolvedScenario } from '../../src/scenario/types.js';

/** Three clusters, a rollout, alerts and a playbook, two variants: three runs of a few seconds each. */
const file = path.join(packageRoot(), 'test', 'fixtures', 'fleet', 'tiny-fleet.yaml');

function load(fileOrName: string): ResolvedScenario {
  const loaded = loadScenario(fileOrName);
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => i.message).join('; '));
  return loaded.scenario;
}

test('runs go to worker threads when the tests run from the compiled dist/', () => {
  assert.equal(canRunOnWorkers(), !import.meta.url.endsWith('.ts'));
});

test('every built-in scenario and variant survives structuredClone, the copy a worker gets', () => {
  for (const name of builtInNames()) {
    const scenario = load(name);
    assert.deepStrictEqual(structuredClone(scenario), scenario, name);
    for (const variant of Object.keys(scenario.variants)) {
      const applied = applyVariant(scenario, variant);
      assert.ok(applied.ok, `${name}/${variant}`);
      assert.deepStrictEqual(structuredClone(applied.scenario), applied.scenario, `${name}/${variant}`);
    }
  }
});

test('two workers give the result of one thread, byte for byte, for the same seed', async () => {
  const scenario = load(file);
  const sequential = compareVariants(scenario, { seed: 5 });
  const totals: number[] = [];
  const parallel = await compareVariantsParallel(scenario, {
    seed: 5,
    jobs: 2,
    onProgress: (p) => totals.push(p.simulated),
  });
  assert.deepStrictEqual(parallel, sequential);
  assert.equal(serialize(parallel.base), serialize(sequential.base));
  assert.equal(parallel.base.seed, 5);
  assert.deepEqual(
    parallel.variants.map((v) => v.name),
    ['as-published', 'apf-quarantine', 'kill-switch'],
  );
  // Progress is summed over the three runs and ends at all three durations.
  assert.ok(totals.length >= 3 && totals.length < 1000, `${totals.length} progress updates`);
  assert.equal(Math.max(...totals), 3 * scenario.duration);
});

test('more jobs than runs, and jobs 1, give the same result again', async () => {
  const scenario = load(file);
  const until = 20 * 60;
  const one = await compareVariantsParallel(scenario, { jobs: 1, until });
  const many = await compareVariantsParallel(scenario, { jobs: 8, until });
  assert.equal(serialize(many.base), serialize(one.base));
  assert.deepStrictEqual(many.variants, one.variants);
  assert.equal(one.base.simulatedSeconds, until);
});

test('a variant that throws in its worker rejects with an Error naming it, without waiting for the other run', async (t) => {
  if (!canRunOnWorkers()) {
    t.skip('run from the TypeScript sources, where compare stays in one thread');
    return;
  }
  const scenario = load(file);
  const t0 = performance.now();
  simulate(scenario);
  const baseRunMs = performance.now() - t0;
  // applyVariant hands out the variant resolved at load time: break it so that simulate() throws.
  const applied = applyVariant(scenario, 'apf-quarantine');
  assert.ok(applied.ok);
  Object.assign(applied.scenario, { clusters: null });
  const started = performance.now();
  await assert.rejects(compareVariantsParallel(scenario, { jobs: 2 }), (e: unknown) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /^variant apf-quarantine failed: .*null/);
    return true;
  });
  // as-published was running in the other worker (cold, so slower than the warm run above): it
  // was stopped, not waited for.
  const elapsed = performance.now() - started;
  assert.ok(
    elapsed < baseRunMs,
    `rejected after ${elapsed.toFixed(0)} ms; a run takes ${baseRunMs.toFixed(0)} ms`,
  );
});
