import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { BASE_VARIANT, compareVariants } from '../../src/scenario/compare.js';
import { packageRoot } from '../../src/scenario/builtins.js';
import { loadScenario } from '../../src/scenario/load.js';

const file = path.join(packageRoot(), 'test', 'fixtures', 'fleet', 'tiny-fleet.yaml');

function load() {
  const loaded = loadScenario(file);
  if (!loaded.ok) throw new Error(loaded.issues.map((i) => i.message).join('; '));
  return loaded.scenario;
}

const compared = compareVariants(load());
const row = (name: string) => compared.variants.find((v) => v.name === name)!;

test('compare runs the scenario as written first, then every variant in file order', () => {
  assert.deepEqual(
    compared.variants.map((v) => v.name),
    [BASE_VARIANT, 'apf-quarantine', 'kill-switch'],
  );
  assert.deepEqual(compared.base.variants, compared.variants);
});

test('the per-node LIST agent saturates only the large cluster of the fleet', () => {
  const big = compared.base.clusters.find((c) => c.name === 'big')!;
  assert.notEqual(big.summary.apiserver?.saturatedAt ?? null, null);
  for (const c of compared.base.clusters.filter((c) => c.name.startsWith('small'))) {
    assert.equal(c.summary.apiserver?.saturatedAt ?? null, null, c.name);
  }
  assert.equal(row(BASE_VARIANT).clustersAffected, 1);
});

test('a FlowSchema cap on the agent keeps every control plane healthy', () => {
  assert.equal(row('apf-quarantine').clustersAffected, 0);
});

test('a node-local kill switch recovers the fleet sooner than the API-bound response', () => {
  const killSwitch = row('kill-switch').timeToFullRecoveryMinutes;
  const published = row(BASE_VARIANT).timeToFullRecoveryMinutes;
  assert.ok(
    killSwitch !== null && published !== null && killSwitch < published,
    `${killSwitch} vs ${published}`,
  );
});

test('detection comes out of the alert rules, within minutes of the rollout', () => {
  const ttd = row(BASE_VARIANT).timeToDetectMinutes;
  assert.ok(ttd !== null && ttd > 0 && ttd < 15, `time to detect ${ttd}`);
});
