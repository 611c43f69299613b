/**
 * Differential test of aggregate fidelity: the same cluster, seed and workload run exact (every
 * client simulated) and aggregated (nodes in blocks of 10 whose identical clients travel as one
 * request of count 10; heavy agent calls kept in small cohorts), for a healthy and an overloaded
 * cluster. The summaries must agree within the tolerances below, chosen from the exact model's own
 * seed-to-seed spread on the overloaded case (about 10-15% on totals; single-request latencies of
 * small writes within 20 ms, since a cohort's members share CPU as simultaneous arrivals would).
 *
 * Sizes are kept small (500 nodes, 20 minutes, small API servers so that 500 nodes overload them)
 * so the exact runs stay fast.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ClusterConfig } from '../../../src/model/config.js';
import { clusterConfig, telemetryAgent } from './fixtures.js';
import { type Run, runCluster } from './harness.js';

const GIB = 2 ** 30;
const UNTIL = 1200;
const BLOCK = 10;

function pair(config: ClusterConfig, withAgent: boolean): { exact: Run; aggregate: Run } {
  const workloads = withAgent ? [telemetryAgent({ startAt: 120 })] : [];
  return {
    exact: runCluster({ config: { ...config, fidelity: 'exact' }, until: UNTIL, workloads }),
    aggregate: runCluster({
      config: { ...config, fidelity: 'aggregate' },
      until: UNTIL,
      workloads,
      blockSize: BLOCK,
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

test('a healthy cluster summarises the same exact and aggregated', () => {
  const { exact, aggregate } = pair(clusterConfig({ nodes: 500 }), true);
  for (const run of [exact, aggregate]) {
    const s = run.summary.apiserver!;
    assert.equal(s.saturatedAt, null);
    assert.equal(s.restarts, 0);
    assert.equal(s.rejectedFraction, 0);
    assert.equal(run.summary.nodes!.notReadyMax, 0);
    // Both inside the SLOs; cohorts make single-request latencies a few ms longer at most.
    assert.ok(
      s.worstP99Seconds.mutating < 0.05 && s.worstP99Seconds.get < 0.05 && s.worstClientP99Seconds.list < 30,
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

test('an overloaded cluster (1.30, small API servers) summarises the same exact and aggregated', () => {
  const base = clusterConfig({ nodes: 1 }).apiServer;
  const config = clusterConfig({ nodes: 500, apiServer: { ...base, cores: 2, memoryBytes: 8 * GIB } });
  const { exact, aggregate } = pair(config, true);
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
  // Cohort writes share a small replica's two cores as simultaneous arrivals do: a few ms more.
  assert.ok(
    Math.abs(se.worstP99Seconds.mutating - sa.worstP99Seconds.mutating) <= 0.02,
    'mutating p99 within 20 ms',
  );
  const e = exact.cluster.controlPlane.stats;
  const a = aggregate.cluster.controlPlane.stats;
  within('agent API-server CPU', e.apiserverCost.get('agent')!, a.apiserverCost.get('agent')!, 0.25);
  within('informer relists', e.relistsTotal, a.relistsTotal, 0.3);
  within('requests reaching the API servers', e.arrivedTotal, a.arrivedTotal, 0.3);
});
