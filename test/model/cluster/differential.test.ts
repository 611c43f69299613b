/**
 * Differential test of aggregate fidelity: the same cluster, seed and workload run exact (every
 * client simulated) and aggregated (nodes in blocks whose identical clients travel as one request of
 * count n; heavy agent calls kept in small cohorts), for a healthy and an overloaded cluster, at 10
 * nodes per block and at the block size the model uses for this cluster (aggregateBlockSize). The
 * summaries must agree within the tolerances below, chosen from the exact model's own seed-to-seed
 * spread on the overloaded case (about 10-15% on totals; single-request latencies of small writes
 * within 10 ms: a cohort's members are timed as calls on their own clocks).
 *
 * Sizes are kept small (500 nodes, 20 minutes, small API servers so that 500 nodes overload them)
 * so the exact runs stay fast.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { aggregateBlockSize } from '../../../src/model/cluster.js';
import type { ClusterConfig } from '../../../src/model/config.js';
import { clusterConfig, telemetryAgent } from './fixtures.js';
import { type Run, runCluster } from './harness.js';

const GIB = 2 ** 30;
const UNTIL = 1200;
const NODES = 500;
const BLOCKS = [10, aggregateBlockSize(NODES)];

const exactRuns = new Map<ClusterConfig, Run>();

function pair(config: ClusterConfig, block: number): { exact: Run; aggregate: Run } {
  const workloads = [telemetryAgent({ startAt: 120 })];
  let exact = exactRuns.get(config);
  if (exact === undefined) {
    exact = runCluster({ config: { ...config, fidelity: 'exact' }, until: UNTIL, workloads });
    exactRuns.set(config, exact);
  }
  return {
    exact,
    aggregate: runCluster({
      config: { ...config, fidelity: 'aggregate' },
      until: UNTIL,
      workloads,
      blockSize: block,
    }),
  };
}

function within(name: string, exact: number, aggregate: number, relative: number): void {
  const scale = Math.max(Math.abs(exact), 1e-9);
  assert.ok(
    Math.abs(aggregate - exact) / scale <= relative,
    `${name}: exact ${exact}, aggregate ${aggregate} (tolerance ${relative * 100}%)`,
  );
}

const healthy = clusterConfig({ nodes: NODES });
const base = clusterConfig({ nodes: 1 }).apiServer;
const overloaded = clusterConfig({
  nodes: NODES,
  apiServer: { ...base, cores: 2, memoryBytes: 8 * GIB },
});

test('the model aggregates a 500-node cluster into blocks of 50 nodes', () => {
  assert.equal(aggregateBlockSize(NODES), 50);
});

for (const block of BLOCKS) {
  test(`a healthy cluster summarises the same exact and in blocks of ${block} nodes`, () => {
    const { exact, aggregate } = pair(healthy, block);
    for (const run of [exact, aggregate]) {
      const s = run.summary.apiserver!;
      assert.equal(s.saturatedAt, null);
      assert.equal(s.restarts, 0);
      assert.equal(s.rejectedFraction, 0);
      assert.equal(run.summary.nodes!.notReadyMax, 0);
      // Both inside the SLOs; cohorts make single-request latencies a few ms longer at most.
      assert.ok(
        s.worstP99Seconds.mutating < 0.05 &&
          s.worstP99Seconds.get < 0.05 &&
          s.worstClientP99Seconds.list < 30,
      );
    }
    const e = exact.cluster.controlPlane.stats;
    const a = aggregate.cluster.controlPlane.stats;
    within('requests reaching the API servers', e.arrivedTotal, a.arrivedTotal, 0.03);
    within('agent API-server CPU', e.apiserverCost.get('agent')!, a.apiserverCost.get('agent')!, 0.05);
    within('agent etcd CPU', e.etcdCost.get('agent')!, a.etcdCost.get('agent')!, 0.05);
    within('kubelet API-server CPU', e.apiserverCost.get('kubelet')!, a.apiserverCost.get('kubelet')!, 0.05);
    within(
      'worst server LIST p99',
      exact.summary.apiserver!.worstP99Seconds.list,
      aggregate.summary.apiserver!.worstP99Seconds.list,
      0.3,
    );
    within(
      'worst client LIST p99',
      exact.summary.apiserver!.worstClientP99Seconds.list,
      aggregate.summary.apiserver!.worstClientP99Seconds.list,
      0.3,
    );
    assert.ok(aggregate.eventsProcessed * 3 < exact.eventsProcessed, 'aggregation saves events');
  });

  test(`an overloaded cluster (1.30, small API servers) summarises the same exact and in blocks of ${block} nodes`, () => {
    const { exact, aggregate } = pair(overloaded, block);
    const se = exact.summary.apiserver!;
    const sa = aggregate.summary.apiserver!;
    assert.ok(se.saturatedAt !== null && sa.saturatedAt !== null, 'both saturate');
    assert.ok(
      Math.abs(se.saturatedAt - sa.saturatedAt) <= 60,
      `saturated at ${se.saturatedAt} vs ${sa.saturatedAt}`,
    );
    within('OOM restarts', se.restarts, sa.restarts, 0.25);
    within('worst server LIST p99', se.worstP99Seconds.list, sa.worstP99Seconds.list, 0.5);
    within('worst client LIST p99', se.worstClientP99Seconds.list, sa.worstClientP99Seconds.list, 0.5);
    // A cohort's members are timed as calls on their own clocks: as long as a lone write takes.
    assert.ok(
      Math.abs(se.worstP99Seconds.mutating - sa.worstP99Seconds.mutating) <= 0.01,
      `mutating p99 within 10 ms: exact ${se.worstP99Seconds.mutating}, aggregate ${sa.worstP99Seconds.mutating}`,
    );
    assert.ok(
      Math.abs(se.worstP99Seconds.get - sa.worstP99Seconds.get) <= 0.01,
      `get p99 within 10 ms: exact ${se.worstP99Seconds.get}, aggregate ${sa.worstP99Seconds.get}`,
    );
    const e = exact.cluster.controlPlane.stats;
    const a = aggregate.cluster.controlPlane.stats;
    within('agent API-server CPU', e.apiserverCost.get('agent')!, a.apiserverCost.get('agent')!, 0.25);
    within('informer relists', e.relistsTotal, a.relistsTotal, 0.3);
    within('requests reaching the API servers', e.arrivedTotal, a.arrivedTotal, 0.3);
  });
}
