import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadScenarioText } from '../../../src/scenario/load.js';
import { simulate } from '../../../src/scenario/simulate.js';

/**
 * Two 400-node clusters in one region, scaled to 30% at 5 min and restored at 15 min: no change is
 * rolled out, so everything that happens to availability comes from the nodes.
 */
function scaleDownAndRestore(registryBandwidth: string): { minutes: number[]; availability: number[] } {
  const text = `apiVersion: stormglass.dev/v1alpha1
kind: Scenario
metadata: { name: second-wave }
duration: 1h
fleet: { registryBandwidth: ${registryBandwidth} }
clusterDefaults:
  podsPerNode: 10
  fidelity: aggregate
  nodeStartup: { provisioning: 3m, imageBytes: 1Gi }
  services: [{ name: web, replicas: 10, userRps: 100 }]
clusters:
  - { name: "c-{index}", count: 2, nodes: 400, region: r }
response:
  operators: 2
  actions:
    - { name: shrink, action: scale-nodes, to: 30%, after: start, decisionDelay: 5m, clusters: all, manual: false }
    - { name: grow, action: restore-nodes, after: { action: shrink }, decisionDelay: 10m, manual: false }
`;
  const loaded = loadScenarioText(text, '/second-wave.yaml');
  assert.ok(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.issues, null, 1));
  const result = simulate(loaded.scenario);
  const series = result.clusters[0]!.series.find(
    (s) => s.name === 'service_availability' && s.labels.service === '*',
  );
  assert.ok(series);
  const availability = series.values.map((v) => v ?? Number.NaN);
  return { minutes: availability.map((_, k) => (k * result.resolutionSeconds) / 60), availability };
}

const at = (run: { availability: number[] }, minute: number): number => run.availability[minute * 6]!;
const backAt = (run: { availability: number[] }, after: number): number | null => {
  for (let k = after * 6; k < run.availability.length; k++) if (run.availability[k]! >= 0.99) return k / 6;
  return null;
};

const fast = scaleDownAndRestore('1G');
const slow = scaleDownAndRestore('500M');

test('a cluster scaled to 30% serves 30% x its 1.5x headroom of its load', () => {
  assert.ok(at(fast, 4) >= 0.999, `healthy before (${at(fast, 4)})`);
  assert.ok(Math.abs(at(fast, 10) - 0.45) < 0.02, `45% served while scaled down (${at(fast, 10)})`);
});

test('restored nodes bring no capacity back until they boot and pull their images: a second wave', () => {
  assert.ok(at(fast, 17) < 0.5, `still short 2 min after the restore (${at(fast, 17)})`);
  const back = backAt(fast, 15);
  assert.ok(back !== null && back > 18, `back at ${back} min, after the 3 min boot`);
});

test('half the registry bandwidth makes the second wave last longer', () => {
  const fastBack = backAt(fast, 15)!;
  const slowBack = backAt(slow, 15);
  assert.ok(slowBack !== null && slowBack > fastBack + 2, `fast ${fastBack} min, slow ${slowBack} min`);
});
