/**
 * Acceptance of the control-plane model (issue 4) on the four built-in situations, as ClusterConfig
 * fixtures. The hour-long 5,000-node runs use aggregate fidelity (blocks of 25 nodes), which
 * differential.test.ts checks against the exact path; each run happens once and is shared.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clusterConfig, QUARANTINE_FS, QUARANTINE_PLC, telemetryAgent } from './fixtures.js';
import { type Run, runCluster, seriesFrom, seriesKey } from './harness.js';

const HOUR = 3600;
const ROLLOUT = 600;
const BLOCK = 25;
const runs = new Map<string, Run>();

function memo(name: string, make: () => Run): Run {
  let run = runs.get(name);
  if (run === undefined) {
    run = make();
    runs.set(name, run);
  }
  return run;
}

const baseline = () =>
  memo('baseline-5k', () =>
    runCluster({
      config: clusterConfig({ nodes: 5000, fidelity: 'aggregate' }),
      until: HOUR,
      blockSize: BLOCK,
    }),
  );
const agent5k = (version: string) =>
  memo(`agent-5k-${version}`, () =>
    runCluster({
      config: clusterConfig({ nodes: 5000, kubernetesVersion: version, fidelity: 'aggregate' }),
      until: HOUR,
      blockSize: BLOCK,
      workloads: [telemetryAgent({ startAt: ROLLOUT })],
    }),
  );
const quarantine = () =>
  memo('agent-5k-quarantine', () =>
    runCluster({
      config: clusterConfig({
        nodes: 5000,
        fidelity: 'aggregate',
        flowSchemas: [QUARANTINE_FS],
        priorityLevels: [QUARANTINE_PLC],
      }),
      until: HOUR,
      blockSize: BLOCK,
      workloads: [telemetryAgent({ startAt: ROLLOUT })],
    }),
  );

const SLO = { mutating: 1, get: 1, list: 30 };

test('baseline-5k stays within the upstream SLOs for the whole hour, with no restarts and no node NotReady', () => {
  const s = baseline().summary;
  const api = s.apiserver!;
  assert.ok(api.worstP99Seconds.mutating <= SLO.mutating, `mutating p99 ${api.worstP99Seconds.mutating}`);
  assert.ok(api.worstP99Seconds.get <= SLO.get, `get p99 ${api.worstP99Seconds.get}`);
  assert.ok(api.worstP99Seconds.list <= SLO.list, `list p99 ${api.worstP99Seconds.list}`);
  assert.equal(api.saturatedAt, null);
  assert.equal(api.restarts, 0);
  assert.equal(api.rejectedFraction, 0);
  assert.equal(s.nodes!.notReadyMax, 0);
});

test('agent-5k on 1.30 saturates the control plane within 10 minutes of the rollout starting', () => {
  const run = agent5k('1.30');
  const at = run.summary.apiserver!.saturatedAt;
  assert.ok(at !== null && at >= ROLLOUT && at <= ROLLOUT + 600, `saturated at ${at}`);
  assert.ok(run.events.some((e) => e.kind === 'control-plane-saturated'));
});

test('agent-5k on 1.30 breaks the SLOs: clients see LISTs take minutes and API servers die of OOM', () => {
  const s = agent5k('1.30').summary.apiserver!;
  assert.ok(s.worstClientP99Seconds.list > SLO.list, `client list p99 ${s.worstClientP99Seconds.list}`);
  assert.ok(s.restarts >= 3, `${s.restarts} OOM restarts`);
  assert.ok(s.rejectedFraction > 0.01, `rejected ${s.rejectedFraction}`);
});

test('agent-5k: retries and relists keep the load above capacity long after the rollout', () => {
  const run = agent5k('1.30');
  const saturated = run.summary.apiserver!.saturatedAt!;
  const end = HOUR;
  // The event log shows the cascade: OOM kills, relist storms and 429 minutes until the end.
  const oom = run.events.filter((e) => e.kind === 'apiserver-oom-killed');
  assert.ok(oom.length >= 3 && oom[oom.length - 1]!.t > end - 1200, `last OOM at ${oom[oom.length - 1]?.t}`);
  const minutes = run.events.filter((e) => e.kind === 'api-errors-minute' && e.t > saturated);
  assert.ok(minutes.length > 0.8 * ((end - saturated) / 60), `${minutes.length} error minutes`);
  // Metrics: every 5-minute window after saturation has 429s, and informers keep relisting.
  const rejected = seriesFrom(run, seriesKey('apiserver_request_total', { code: '429' }), saturated);
  const relists = seriesFrom(run, seriesKey('reflector_lists_total'), saturated);
  // A window in which every replica sits in crash-loop back-off has no 429s and no relists to
  // count: the load is still above capacity (it is zero), and the next OOM kill says so.
  const start = Math.max(0, Math.floor(saturated / 10) - 1) * 10;
  const killedNear = (from: number, to: number) => oom.some((e) => e.t <= to && e.t >= from - 600);
  for (let w = 0; w + 30 <= rejected.length; w += 30) {
    const r = rejected.slice(w, w + 30).reduce((a, b) => a + b, 0);
    const l = relists.slice(w, w + 30).reduce((a, b) => a + b, 0);
    const from = start + w * 10;
    assert.ok(
      (r > 0 && l > 0) || killedNear(from, from + 300),
      `window ${w}: 429 ${r}, relists ${l}, no OOM kill`,
    );
  }
  // ...while the agent was fully rolled out long before the end.
  const pods = seriesFrom(run, seriesKey('agent_pods_running'), end - 600);
  assert.ok(Math.max(...pods) > 0);
});

test('the same agent on 1.31 reads pods from the watch cache: no saturation, no restarts, LISTs within SLO', () => {
  const s = agent5k('1.31').summary.apiserver!;
  assert.equal(s.saturatedAt, null);
  assert.equal(s.restarts, 0);
  assert.equal(s.rejectedFraction, 0);
  assert.ok(s.worstP99Seconds.list < 1, `list p99 ${s.worstP99Seconds.list}`);
  assert.ok(s.worstClientP99Seconds.list < 1, `client list p99 ${s.worstClientP99Seconds.list}`);
});

test('agent-50 breaches no SLO', () => {
  const run = runCluster({
    config: clusterConfig({ nodes: 50 }),
    until: HOUR,
    workloads: [telemetryAgent({ startAt: ROLLOUT })],
  });
  const s = run.summary.apiserver!;
  for (const k of ['mutating', 'get', 'list'] as const) {
    assert.ok(s.worstP99Seconds[k] <= SLO[k], `${k} p99 ${s.worstP99Seconds[k]}`);
    assert.ok(s.worstClientP99Seconds[k] <= SLO[k], `${k} client p99 ${s.worstClientP99Seconds[k]}`);
  }
  assert.equal(s.saturatedAt, null);
  assert.equal(run.summary.nodes!.notReadyMax, 0);
  assert.ok((run.cluster.controlPlane.stats.apiserverCost.get('agent') ?? 0) > 0, 'the agent did run');
});

test("agent-5k-quarantine stays within the SLOs while the agent's own requests queue and are rejected", () => {
  const run = quarantine();
  const s = run.summary.apiserver!;
  for (const k of ['mutating', 'get', 'list'] as const)
    assert.ok(s.worstP99Seconds[k] <= SLO[k], `${k} p99 ${s.worstP99Seconds[k]}`);
  assert.equal(s.saturatedAt, null);
  assert.equal(s.restarts, 0);
  assert.equal(run.summary.nodes!.notReadyMax, 0);
  let rejected = 0;
  let queued = 0;
  for (const r of ['apiserver-0', 'apiserver-1', 'apiserver-2']) {
    const labels = { cluster: 'c1', instance: r, priority_level: 'telemetry-quarantine' };
    const rej = run.series.get(
      seriesKey('apiserver_flowcontrol_rejected_requests_total', { ...labels, reason: 'time-out' }),
    )!;
    const full = run.series.get(
      seriesKey('apiserver_flowcontrol_rejected_requests_total', { ...labels, reason: 'queue-full' }),
    )!;
    rejected += rej[rej.length - 1]! + full[full.length - 1]!;
    queued = Math.max(
      queued,
      ...run.series.get(seriesKey('apiserver_flowcontrol_current_inqueue_requests', labels))!,
    );
  }
  assert.ok(rejected > 1000, `agent requests rejected by its level: ${rejected}`);
  assert.ok(queued > 10, `agent requests queued at most ${queued}`);
  // Nothing else is rejected: the other levels keep their seats.
  const workloadLow = run.series.get(
    seriesKey('apiserver_flowcontrol_rejected_requests_total', {
      cluster: 'c1',
      instance: 'apiserver-0',
      priority_level: 'workload-low',
      reason: 'time-out',
    }),
  )!;
  assert.equal(workloadLow[workloadLow.length - 1], 0);
});
