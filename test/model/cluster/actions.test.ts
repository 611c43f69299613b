/**
 * ClusterHandle actions are real mechanisms: they go through the API (and fail when it does) or act
 * on the nodes directly. A 500-node cluster with small API servers overloads with the agent on 1.30.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiOutcome } from '../../../src/model/api-types.js';
import { userIdentity } from '../../../src/model/client/identities.js';
import { clusterConfig, QUARANTINE_FS, QUARANTINE_PLC, telemetryAgent } from './fixtures.js';
import { runCluster } from './harness.js';

const GIB = 2 ** 30;
const base = clusterConfig({ nodes: 1 }).apiServer;
/** The overloaded configuration of differential.test.ts, run in aggregate fidelity as checked there. */
const small = () =>
  clusterConfig({
    nodes: 500,
    fidelity: 'aggregate',
    apiServer: { ...base, cores: 2, memoryBytes: 8 * GIB },
  });
type RunSetup = NonNullable<Parameters<typeof runCluster>[0]['setup']>;
type SimulatedCluster = Parameters<RunSetup>[0];
type Sim = Parameters<RunSetup>[1];

const BLOCK = 10;
const admin = userIdentity('oncall', [], 'operator');

/** The small cluster with the agent rolled out at `agentAt`, run to `until` with `setup`'s actions. */
const runOverloaded = (until: number, agentAt: number, setup: RunSetup) =>
  runCluster({
    config: small(),
    blockSize: BLOCK,
    until,
    workloads: [telemetryAgent({ startAt: agentAt })],
    setup,
  });

/** kubectl delete of the agent as the on-call admin, retried every 10 s until accepted. */
function deleteUntilAccepted(cluster: SimulatedCluster, sim: Sim, onAccepted: () => void): void {
  const attempt = (): void =>
    cluster.removeWorkloadViaApi('telemetry-agent', admin, (o) => {
      if (o.kind === 'ok') onAccepted();
      else sim.schedule(10, attempt, undefined);
    });
  attempt();
}

test('kubectl delete of the agent fails while the control plane is saturated, and works after agents are cut off', () => {
  const outcomes: { at: number; o: ApiOutcome }[] = [];
  const run = runOverloaded(2400, 60, (cluster, sim) => {
    const del = (): void =>
      cluster.removeWorkloadViaApi('telemetry-agent', admin, (o) => outcomes.push({ at: sim.now, o }));
    sim.scheduleAt(400, del, undefined);
    sim.scheduleAt(600, () => cluster.setClientClassBlocked('agent', true), undefined);
    sim.scheduleAt(1500, del, undefined);
  });
  assert.ok(run.summary.apiserver!.saturatedAt! < 400);
  assert.notEqual(outcomes[0]!.o.kind, 'ok', `the first delete ${outcomes[0]!.o.kind}`);
  assert.equal(outcomes[1]!.o.kind, 'ok');
  assert.ok(run.events.some((e) => e.kind === 'workload-delete-failed'));
  assert.ok(run.events.some((e) => e.kind === 'workload-deleted'));
  assert.equal(
    run.cluster.workload('telemetry-agent')!.runningPods,
    0,
    'the garbage collector removed every pod',
  );
});

test('the node-local kill switch stops the agents without the API, and the control plane recovers', () => {
  const run = runOverloaded(2400, 60, (cluster, sim) =>
    sim.scheduleAt(600, () => cluster.killWorkloadOnNodes('telemetry-agent', 50), undefined),
  );
  assert.equal(run.cluster.workload('telemetry-agent')!.runningPods, 0);
  const oom = run.events.filter((e) => e.kind === 'apiserver-oom-killed');
  assert.ok(oom.length > 0 && oom[oom.length - 1]!.t < 900, `last OOM at ${oom[oom.length - 1]?.t}`);
  assert.ok(run.cluster.health().errorFraction < 0.01);
  assert.equal(run.cluster.health().replicasUp, 3);
});

test('a quarantine FlowSchema applied through the API by an exempt admin stops the collapse', () => {
  const applied: ApiOutcome[] = [];
  const run = runOverloaded(2400, 60, (cluster, sim) => {
    const apply = (): void =>
      cluster.applyApfObjects([QUARANTINE_FS], [QUARANTINE_PLC], (o) => {
        applied.push(o);
        if (o.kind !== 'ok') sim.schedule(10, apply, undefined);
      });
    sim.scheduleAt(600, apply, undefined);
  });
  assert.equal(applied[applied.length - 1]!.kind, 'ok');
  assert.ok(run.events.some((e) => e.kind === 'apf-config-applied'));
  const oom = run.events.filter((e) => e.kind === 'apiserver-oom-killed');
  assert.ok(oom.length === 0 || oom[oom.length - 1]!.t < 1200, `last OOM at ${oom[oom.length - 1]?.t}`);
  assert.equal(run.cluster.health().isSaturated, false);
});

test('new API-server replicas start after provisioning with empty watch caches and rebuild them from etcd', () => {
  const run = runCluster({
    config: clusterConfig({ nodes: 500 }),
    until: 400,
    setup: (cluster, sim) => sim.scheduleAt(100, () => cluster.scaleApiServers(5, 120), undefined),
  });
  const replicas = run.cluster.controlPlane.replicas;
  assert.equal(replicas.length, 5);
  assert.ok(replicas.every((r) => r.isUp && r.cacheReadyFraction === 1));
  const started = run.events.filter((e) => e.kind === 'apiserver-started');
  assert.equal(started.length, 2);
  assert.ok(started.every((e) => e.t === 220));
  const ready = run.events.filter((e) => e.kind === 'watch-cache-ready');
  assert.ok(ready.length >= 2 * 12 && ready.every((e) => e.t > 220));
  assert.equal(run.cluster.health().replicasUp, 5);
});

test('an API outage longer than the grace period does not mark nodes NotReady: KCM restarts with fresh node health', () => {
  const run = runCluster({
    config: clusterConfig({ nodes: 200 }),
    until: 900,
    setup: (cluster, sim) => sim.scheduleAt(100, () => cluster.injectApiOutage(120), undefined),
  });
  assert.equal(run.summary.nodes!.notReadyMax, 0);
  assert.ok(run.events.some((e) => e.kind === 'leader-election-lost'));
  assert.ok(run.events.some((e) => e.kind === 'leader-elected' && e.t > 220));
  // During the outage nothing connects; after it the informers relist what they missed.
  const stats = run.cluster.controlPlane.stats;
  assert.ok(stats.totalCount('unreachable') > 0);
  assert.ok(stats.relistsTotal > 200, `${stats.relistsTotal} relists after a 2-minute outage`);
  assert.ok(run.cluster.health().errorFraction < 0.01);
});

test('scaling node pools down removes their kubelets, kube-proxies and agent pods', () => {
  const run = runCluster({
    config: clusterConfig({ nodes: 300, kubernetesVersion: '1.31' }),
    until: 900,
    workloads: [telemetryAgent({ startAt: 30 })],
    setup: (cluster, sim) => sim.scheduleAt(600, () => cluster.scaleNodes(100), undefined),
  });
  assert.equal(run.cluster.nodes.count, 100);
  assert.equal(run.cluster.nodeAgents.running, 100);
  assert.equal(run.cluster.workload('telemetry-agent')!.runningPods, 100);
  assert.equal(run.cluster.controlPlane.store.get('nodes').count, 100);
});

test('the same seed replays the same run; another seed differs', () => {
  const once = (seed: number) =>
    runCluster({
      config: clusterConfig({ nodes: 100 }),
      until: 600,
      seed,
      workloads: [telemetryAgent({ startAt: 60 })],
    });
  const a = once(7);
  const b = once(7);
  const c = once(8);
  assert.deepEqual(a.summary, b.summary);
  assert.deepEqual(a.events, b.events);
  assert.deepEqual([...a.series], [...b.series]);
  assert.equal(a.eventsProcessed, b.eventsProcessed);
  assert.notEqual(a.eventsProcessed, c.eventsProcessed);
});

test('an informer-based agent with restartOnApiFailure is restarted after 30 s of failures and lists in full again', () => {
  const watchPods = {
    ...telemetryAgent().accessProfiles[0]!,
    name: 'watch-my-pods',
    rv: 'any' as const,
    mode: 'watch' as const,
    period: 0,
  };
  const run = runCluster({
    config: clusterConfig({ nodes: 50, kubernetesVersion: '1.31' }),
    until: 900,
    workloads: [telemetryAgent({ startAt: 30, accessProfiles: [watchPods], restartOnApiFailure: true })],
    setup: (cluster, sim) => {
      sim.scheduleAt(300, () => cluster.setClientClassBlocked('agent', true), undefined);
      sim.scheduleAt(600, () => cluster.setClientClassBlocked('agent', false), undefined);
    },
  });
  const runtime = run.cluster.workload('telemetry-agent')!;
  assert.ok(runtime.agentRestarts >= 50, `${runtime.agentRestarts} restarts while blocked`);
  const restarts = run.series.get('agent_restarts_total')!;
  assert.ok(
    restarts.slice(0, 30).every((r) => r === 0),
    'no restart before the block',
  );
  assert.equal(runtime.runningPods, 50, 'all running again once unblocked');
  // Each restart starts a fresh process: a full LIST from the watch cache, counted as agent CPU.
  assert.ok(run.cluster.controlPlane.stats.apiserverCost.get('agent')! > 0);
});

test('a Deployment agent runs its replicas, not one pod per node', () => {
  const run = runCluster({
    config: clusterConfig({ nodes: 100, kubernetesVersion: '1.31' }),
    until: 300,
    workloads: [telemetryAgent({ startAt: 10, kind: 'Deployment', replicas: 3 })],
  });
  assert.equal(run.cluster.workload('telemetry-agent')!.runningPods, 3);
});

test('a kill switch flipped before the change arrives keeps its agents from ever starting', () => {
  const run = runOverloaded(1800, 600, (cluster, sim) =>
    sim.scheduleAt(300, () => cluster.killWorkloadOnNodes('telemetry-agent', 50), undefined),
  );
  assert.ok(
    run.events.some((e) => e.kind === 'workload-created'),
    'the DaemonSet was still created',
  );
  assert.equal(run.cluster.workload('telemetry-agent')!.runningPods, 0);
  assert.ok(!run.events.some((e) => e.kind === 'apiserver-oom-killed'), 'no agent ever loaded the API');
  assert.equal(run.summary.apiserver!.saturatedAt, null);
});

// Deleting a DaemonSet is one accepted DELETE; its pods go only as the garbage collector deletes them
// through the same API (and as their nodes go away).

test('the garbage collector removes every pod of a DaemonSet deleted mid-collapse, retrying the deletes that fail', () => {
  let acceptedAt = -1;
  const run = runOverloaded(3600, 60, (cluster, sim) => {
    // No network block: the delete goes through the collapsing control plane.
    sim.scheduleAt(400, () => deleteUntilAccepted(cluster, sim, () => (acceptedAt = sim.now)), undefined);
  });
  assert.ok(acceptedAt > 0, 'the delete was accepted');
  assert.ok(run.summary.apiserver!.saturatedAt! < acceptedAt, 'while the control plane was in trouble');
  assert.equal(run.cluster.workload('telemetry-agent')!.runningPods, 0, 'every pod is gone by the end');
});

test('scaling node pools down after the delete takes the pods of the removed nodes with them', () => {
  let runningBefore = -1;
  let runningAfterScale = -1;
  const run = runOverloaded(1500, 60, (cluster, sim) => {
    sim.scheduleAt(300, () => cluster.setClientClassBlocked('agent', true), undefined);
    const scaleDownOnAccept = (): void => {
      // The same instant: the garbage collector has not deleted anything yet.
      runningBefore = cluster.workloadRunningPods('telemetry-agent');
      cluster.scaleNodes(100);
      runningAfterScale = cluster.workloadRunningPods('telemetry-agent');
    };
    sim.scheduleAt(600, () => deleteUntilAccepted(cluster, sim, scaleDownOnAccept), undefined);
  });
  assert.ok(run.events.some((e) => e.kind === 'workload-deleted'));
  assert.ok(runningBefore > 400, `${runningBefore} agents ran before the scale-down`);
  assert.ok(
    runningAfterScale >= 0 && runningAfterScale <= 100,
    `${runningAfterScale} agents still running on 100 nodes`,
  );
});

// The DaemonSet controller and the garbage collector run inside kube-controller-manager: while it does
// not lead with synced informers (lost its lease to a crash-looping API), neither does any work.

/** Makes kube-controller-manager look down (or up) to the controllers it hosts, from `at` on. */
function setKcmActive(cluster: SimulatedCluster, sim: Sim, at: number, active: boolean): void {
  sim.scheduleAt(
    at,
    () => Object.defineProperty(cluster.kcm, 'isActive', { configurable: true, get: () => active }),
    undefined,
  );
}

/** A 500-node cluster with API servers large enough for the agent (rolled out at 60 s). */
const runHealthy = (until: number, setup: RunSetup) =>
  runCluster({
    config: clusterConfig({ nodes: 500, fidelity: 'aggregate' }),
    blockSize: BLOCK,
    until,
    workloads: [telemetryAgent({ startAt: 60 })],
    setup,
  });

test('a deleted DaemonSet keeps its pods while kube-controller-manager is down, and loses them once it leads again', () => {
  let runningWhileDown = -1;
  let acceptedAt = -1;
  const run = runHealthy(1500, (cluster, sim) => {
    setKcmActive(cluster, sim, 300, false);
    sim.scheduleAt(310, () => deleteUntilAccepted(cluster, sim, () => (acceptedAt = sim.now)), undefined);
    sim.scheduleAt(900, () => (runningWhileDown = cluster.workloadRunningPods('telemetry-agent')), undefined);
    setKcmActive(cluster, sim, 900, true);
  });
  assert.ok(acceptedAt >= 310 && acceptedAt < 320, `the delete was accepted at once (${acceptedAt})`);
  assert.equal(runningWhileDown, 500, 'no pod was deleted in the 10 minutes without a controller manager');
  assert.equal(run.cluster.workload('telemetry-agent')!.runningPods, 0, 'the garbage collector caught up');
});

test('the DaemonSet controller creates no pod while kube-controller-manager is down', () => {
  let runningWhileDown = -1;
  const run = runHealthy(1200, (cluster, sim) => {
    setKcmActive(cluster, sim, 0, false);
    sim.scheduleAt(600, () => (runningWhileDown = cluster.workloadRunningPods('telemetry-agent')), undefined);
    setKcmActive(cluster, sim, 600, true);
  });
  assert.ok(
    run.events.some((e) => e.kind === 'workload-created'),
    'the DaemonSet object was created',
  );
  assert.equal(runningWhileDown, 0);
  assert.equal(run.cluster.workload('telemetry-agent')!.runningPods, 500);
});
