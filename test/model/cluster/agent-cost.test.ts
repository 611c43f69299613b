/**
 * The agent's API cost as a function of cluster size, measured in simulation: core-seconds of
 * API-server and etcd CPU its requests consume per hour once rolled out, on a control plane whose
 * cores, memory and APF seats are too large to cap it (so the cost is what the agent asks for, not
 * what a saturated server lets through). Aggregate fidelity (differential-tested).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterConfig, telemetryAgent } from './fixtures.js';
import { runCluster } from './harness.js';

const TIB = 2 ** 40;
const FROM = 900;
const UNTIL = 1200;

function agentCostPerHour(nodes: number, version: string): { apiserver: number; etcd: number } {
  const base = clusterConfig({ nodes: 1 }).apiServer;
  const config = clusterConfig({
    nodes,
    kubernetesVersion: version,
    fidelity: 'aggregate',
    apiServer: {
      ...base,
      cores: 4096,
      memoryBytes: 64 * TIB,
      maxRequestsInflight: 40_000,
      maxMutatingRequestsInflight: 20_000,
    },
    etcd: { members: 3, cores: 4096, writeLatencyFloor: 0.003 },
  });
  let at = { apiserver: 0, etcd: 0 };
  const run = runCluster({
    config,
    until: UNTIL,
    workloads: [telemetryAgent({ startAt: 1 })],
    setup: (cluster, sim) =>
      sim.scheduleAt(
        FROM,
        () => {
          const stats = cluster.controlPlane.stats;
          at = { apiserver: stats.apiserverCost.get('agent') ?? 0, etcd: stats.etcdCost.get('agent') ?? 0 };
        },
        undefined,
      ),
  });
  assert.equal(
    run.summary.apiserver!.saturatedAt,
    null,
    `${nodes} nodes: the control plane must not saturate`,
  );
  const stats = run.cluster.controlPlane.stats;
  const scale = 3600 / (UNTIL - FROM);
  return {
    apiserver: ((stats.apiserverCost.get('agent') ?? 0) - at.apiserver) * scale,
    etcd: ((stats.etcdCost.get('agent') ?? 0) - at.etcd) * scale,
  };
}

test("the agent's per-cluster API cost grows faster than linearly with cluster size (log-log slope > 1.5)", () => {
  const sizes = [50, 200, 800, 3200, 8000];
  const costs = sizes.map((n) => {
    const c = agentCostPerHour(n, '1.30');
    return c.apiserver + c.etcd;
  });
  // Least-squares slope of log(cost) on log(nodes).
  const xs = sizes.map(Math.log);
  const ys = costs.map(Math.log);
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  const slope = num / den;
  assert.ok(
    slope > 1.5,
    `slope ${slope.toFixed(2)}; costs ${costs.map((c) => c.toFixed(1)).join(', ')} core-s/h`,
  );
  // Every node lists every pod: the cost is quadratic in nodes, so the slope is close to 2.
  assert.ok(slope < 2.2, `slope ${slope.toFixed(2)}`);
});

test('on 1.31 the same agent costs the control plane more than 10x less than on 1.30 (5,000 nodes)', () => {
  const old = agentCostPerHour(5000, '1.30');
  const fresh = agentCostPerHour(5000, '1.31');
  const ratio = (old.apiserver + old.etcd) / (fresh.apiserver + fresh.etcd);
  // 1.30: every call decodes all 150k pods from etcd (about 8 API-server and 4.6 etcd core-seconds);
  // 1.31: the watch cache's node index returns the node's pods after an etcd count of the keys.
  assert.ok(
    old.apiserver / fresh.apiserver > 100,
    `API-server CPU ${old.apiserver.toFixed(0)} vs ${fresh.apiserver.toFixed(0)} core-s/h`,
  );
  assert.ok(ratio > 10, `total ${ratio.toFixed(1)}x`);
});
