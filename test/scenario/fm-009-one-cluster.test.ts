/**
 * End to end: one 7,500-node cluster of the FM-009 fleet meets the telemetry agent and nobody
 * responds (scenarios/fm-009-one-cluster.yaml, aggregate fidelity). docs/fm-009.md compares the same
 * run at exact fidelity.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadScenario } from '../../src/scenario/load.js';
import { simulate } from '../../src/scenario/simulate.js';

const AGENT_AT = 600;
const loaded = loadScenario('fm-009-one-cluster');
if (!loaded.ok) throw new Error('fm-009-one-cluster does not load');
const result = simulate(loaded.scenario);
const cluster = result.clusters[0]!;
const availability = cluster.series.find((s) => s.name === 'service_availability')!.values;

test('left alone, the cluster loses its customers within minutes of the agent, through DNS', () => {
  const s = cluster.summary;
  assert.ok(s.services?.impactStartedAt != null && s.services.impactStartedAt < AGENT_AT + 15 * 60);
  assert.ok((s.services?.availabilityMin ?? 1) < 0.1, `availability ${s.services?.availabilityMin}`);
  assert.ok((s.dns?.servfailFractionMax ?? 0) > 0.1, `SERVFAIL ${s.dns?.servfailFractionMax}`);
  assert.equal(s.nodes?.notReadyMax, 0, 'the kubelets keep their leases: no endpoint is lost to NotReady');
  assert.ok((s.apiserver?.restarts ?? 0) > 20, 'the API servers crash-loop');
});

test('without a response the outage does not end: the last 20 minutes average under 60% available', () => {
  const step = result.resolutionSeconds;
  const tail = availability
    .slice(Math.floor((result.simulatedSeconds - 20 * 60) / step))
    .filter((v): v is number => v !== null);
  assert.ok(tail.length > 0);
  const mean = tail.reduce((sum, v) => sum + v, 0) / tail.length;
  assert.ok(mean < 0.6, `mean availability ${mean}`);
});
