/**
 * Deleting a DaemonSet is one accepted DELETE; its pods go only as the garbage collector deletes
 * them through the same API (and as their nodes go away).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { userIdentity } from '../../../src/model/client/identities.js';
import { clusterConfig, telemetryAgent } from './fixtures.js';
import { runCluster } from './harness.js';

const GIB = 2 ** 30;
const base = clusterConfig({ nodes: 1 }).apiServer;
const small = () =>
  clusterConfig({
    nodes: 500,
    fidelity: 'aggregate',
    apiServer: { ...base, cores: 2, memoryBytes: 8 * GIB },
  });
const admin = userIdentity('oncall', [], 'operator');

test('the garbage collector removes every pod of a DaemonSet deleted mid-collapse, retrying the deletes that fail', () => {
  let acceptedAt = -1;
  const run = runCluster({
    config: small(),
    blockSize: 10,
    until: 3600,
    workloads: [telemetryAgent({ startAt: 60 })],
    setup: (cluster, sim) => {
      // kubectl delete retried every 10 s from the first failure on, no network block.
      const del = (): void =>
        cluster.removeWorkloadViaApi('telemetry-agent', admin, (o) => {
          if (o.kind === 'ok') acceptedAt = sim.now;
          else sim.schedule(10, del, undefined);
        });
      sim.scheduleAt(400, del, undefined);
    },
  });
  assert.ok(acceptedAt > 0, 'the delete was accepted');
  assert.ok(run.summary.apiserver!.saturatedAt! < acceptedAt, 'while the control plane was in trouble');
  assert.equal(run.cluster.workload('telemetry-agent')!.runningPods, 0, 'every pod is gone by the end');
});

test('scaling node pools down after the delete takes the pods of the removed nodes with them', () => {
  let runningBefore = -1;
  let runningAfterScale = -1;
  const run = runCluster({
    config: small(),
    blockSize: 10,
    until: 1500,
    workloads: [telemetryAgent({ startAt: 60 })],
    setup: (cluster, sim) => {
      sim.scheduleAt(300, () => cluster.setClientClassBlocked('agent', true), undefined);
      const del = (): void =>
        cluster.removeWorkloadViaApi('telemetry-agent', admin, (o) => {
          if (o.kind !== 'ok') {
            sim.schedule(10, del, undefined);
            return;
          }
          // The same instant: the garbage collector has not deleted anything yet.
          runningBefore = cluster.workloadRunningPods('telemetry-agent');
          cluster.scaleNodes(100);
          runningAfterScale = cluster.workloadRunningPods('telemetry-agent');
        });
      sim.scheduleAt(600, del, undefined);
    },
  });
  assert.ok(run.events.some((e) => e.kind === 'workload-deleted'));
  assert.ok(runningBefore > 400, `${runningBefore} agents ran before the scale-down`);
  assert.ok(
    runningAfterScale >= 0 && runningAfterScale <= 100,
    `${runningAfterScale} agents still running on 100 nodes`,
  );
});
