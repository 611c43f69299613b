import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { whichRecovered } from '../../src/cli/commands/replay.js';
import type { ClusterRecovery, RunResult } from '../../src/model/result.js';
import { packageRoot } from '../../src/scenario/builtins.js';
import { loadScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/scenario/simulate.js';

const tinyFleet = path.join(packageRoot(), 'test', 'fixtures', 'fleet', 'tiny-fleet.yaml');

test('a rollout result lists each troubled cluster, and the recovery milestones come from that list', () => {
  const loaded = loadScenario(tinyFleet);
  assert.ok(loaded.ok);
  const result = simulate(loaded.scenario);
  const recoveries = result.recoveries ?? [];
  assert.ok(recoveries.length > 0, 'the agent troubles at least one cluster of the tiny fleet');
  assert.ok(recoveries.length < result.clusters.length, 'clusters that stayed healthy are not listed');
  for (const r of recoveries) {
    assert.ok(result.clusters.some((c) => c.name === r.cluster));
    assert.ok(r.recoveredAt === null || r.recoveredAt > r.troubleStartedAt);
  }
  const impacted = recoveries.filter((r) => r.customerImpactSeconds > 0);
  const pool = impacted.length > 0 ? impacted : recoveries;
  const times = pool.map((r) => r.recoveredAt).filter((t): t is number => t !== null);
  assert.equal(result.milestones.firstClusterRecovered, Math.min(...times));
  const last = recoveries.some((r) => r.recoveredAt === null)
    ? null
    : Math.max(...recoveries.map((r) => r.recoveredAt!));
  assert.equal(result.milestones.fullRecovery, last);
});

test('a run without a rollout has no recoveries', () => {
  const loaded = loadScenario('baseline-5k');
  assert.ok(loaded.ok);
  const result = simulate(loaded.scenario, { until: 60 });
  assert.equal(result.recoveries, undefined);
});

const withRecoveries = (recoveries: ClusterRecovery[]): RunResult => ({ recoveries }) as unknown as RunResult;

test('the replay names the first cluster back among those whose customers were hit', () => {
  const text = whichRecovered(
    withRecoveries([
      // Recovered first, but only its control plane was unhealthy: not the "first cluster recovered".
      { cluster: 'big-01', troubleStartedAt: 100, recoveredAt: 200, customerImpactSeconds: 0 },
      { cluster: 'xl-02', troubleStartedAt: 100, recoveredAt: 5000, customerImpactSeconds: 3000 },
      { cluster: 'medium-003', troubleStartedAt: 150, recoveredAt: 400, customerImpactSeconds: 90 },
      { cluster: 'large-04', troubleStartedAt: 150, recoveredAt: 500, customerImpactSeconds: 20 },
    ]),
  );
  assert.equal(
    text,
    '4 clusters in trouble, 3 with customer impact; first recovered: medium-003 (2 min of customer impact); ' +
      'last recovered: xl-02 (50 min of customer impact).',
  );
});

test('the replay lists the clusters that never recovered instead of a last one', () => {
  const text = whichRecovered(
    withRecoveries([
      { cluster: 'xl-01', troubleStartedAt: 100, recoveredAt: 900, customerImpactSeconds: 600 },
      { cluster: 'xl-04', troubleStartedAt: 100, recoveredAt: null, customerImpactSeconds: 9000 },
    ]),
  );
  assert.equal(
    text,
    '2 clusters in trouble, 2 with customer impact; first recovered: xl-01 (10 min of customer impact); ' +
      'never recovered: xl-04.',
  );
  assert.equal(whichRecovered(withRecoveries([])), null);
});

test('the replay gives an impact under a minute in seconds, not as 0 min', () => {
  const text = whichRecovered(
    withRecoveries([
      { cluster: 'large-04', troubleStartedAt: 100, recoveredAt: 300, customerImpactSeconds: 20 },
    ]),
  );
  assert.equal(
    text,
    '1 cluster in trouble, 1 with customer impact; first recovered: large-04 (20 s of customer impact).',
  );
});
