import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { COMMAND_LATENCY_SECONDS } from '../../../src/model/fleet/partition.js';
import { packageRoot } from '../../../src/scenario/builtins.js';
import { loadScenarioText } from '../../../src/scenario/load.js';
import { simulate } from '../../../src/scenario/simulate.js';

/** Two small healthy clusters; a DaemonSet rolled out to both at 5 min, 2 min apart. */
const text = `apiVersion: stormglass.dev/v1alpha1
kind: Scenario
metadata: { name: command-latency }
duration: 15m
clusterDefaults: { podsPerNode: 10, fidelity: aggregate }
clusters:
  - { name: "c-{index}", count: 2, nodes: 100 }
workloads:
  - manifests: ./telemetry-agent.yaml
rollout:
  workload: telemetry-agent
  startAt: 5m
  strategy: { kind: all-at-once, window: 2m, order: listed, spacing: even }
`;

test('a change the pipeline deploys reaches each cluster one command latency later', () => {
  const loaded = loadScenarioText(
    text,
    path.join(packageRoot(), 'test', 'fixtures', 'fleet', 'command-latency.yaml'),
  );
  assert.ok(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.issues, null, 1));
  const result = simulate(loaded.scenario);
  for (const cluster of ['c-1', 'c-2']) {
    const at = (kind: string): number => {
      const e = result.events.find((x) => x.kind === kind && x.cluster === cluster);
      assert.ok(e, `${cluster}: no ${kind} event`);
      return e.t;
    };
    const deployed = at('rollout-cluster-deployed');
    const created = at('workload-created');
    // The pipeline's apply is a command: it acts in the cluster a latency later, and the DaemonSet's
    // create then takes a healthy API server milliseconds.
    assert.ok(
      created - deployed >= COMMAND_LATENCY_SECONDS && created - deployed < COMMAND_LATENCY_SECONDS + 1,
      `${cluster}: deployed at ${deployed} s, created at ${created} s`,
    );
  }
});
