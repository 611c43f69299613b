#!/usr/bin/env node
// How the aggregate block size moves single-request latencies: the differential test's 500-node
// cluster (overloaded: two cores, 8 GiB API servers; or healthy), run exact and in blocks of the
// given sizes, seed 1, 20 minutes. Prints one JSON line per run: worst server and client p99 per verb
// class, saturation time, OOM restarts, relists, requests. docs/decisions.md quotes its output.
// Usage (after `npm run build`): node scripts/cohort-latency.mjs [overloaded|healthy] [1 10 25 50 100]
// (block size 1 is exact fidelity).
import { clusterConfig, telemetryAgent } from '../dist/test/model/cluster/fixtures.js';
import { runCluster } from '../dist/test/model/cluster/harness.js';

const GIB = 2 ** 30;
const [which = 'overloaded', ...sizes] = process.argv.slice(2);
if (which !== 'overloaded' && which !== 'healthy') {
  console.error(`cohort-latency: unknown case "${which}"; use overloaded or healthy`);
  process.exit(2);
}
const base = clusterConfig({ nodes: 1 }).apiServer;
const config =
  which === 'healthy'
    ? clusterConfig({ nodes: 500 })
    : clusterConfig({ nodes: 500, apiServer: { ...base, cores: 2, memoryBytes: 8 * GIB } });
const workloads = [telemetryAgent({ startAt: 120 })];
const round = (v) => Math.round(v * 1e4) / 1e4;
for (const block of (sizes.length > 0 ? sizes : ['1', '10', '25', '50', '100']).map(Number)) {
  const exact = block <= 1;
  const run = runCluster({
    config: { ...config, fidelity: exact ? 'exact' : 'aggregate' },
    until: 1200,
    workloads,
    ...(exact ? {} : { blockSize: block }),
  });
  const s = run.summary.apiserver;
  const stats = run.cluster.controlPlane.stats;
  const p99 = (o) => ({ mutating: round(o.mutating), get: round(o.get), list: round(o.list) });
  console.log(
    JSON.stringify({
      nodesPerBlock: block,
      serverP99: p99(s.worstP99Seconds),
      clientP99: p99(s.worstClientP99Seconds),
      saturatedAt: s.saturatedAt,
      restarts: s.restarts,
      relists: stats.relistsTotal,
      requests: stats.arrivedTotal,
      events: run.eventsProcessed,
    }),
  );
}
