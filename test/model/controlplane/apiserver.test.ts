import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSimulation, type Simulation } from '../../../src/engine/index.js';
import type { ApiOutcome, WatchHandlers } from '../../../src/model/api-types.js';
import { createEventLog } from '../../../src/model/component.js';
import { nodeIdentity, serviceAccountIdentity, userIdentity } from '../../../src/model/client/identities.js';
import type { ClusterConfig } from '../../../src/model/config.js';
import { createControlPlane } from '../../../src/model/controlplane/control-plane.js';
import { makeRequest, type RequestSpec } from '../../../src/model/controlplane/serving.js';
import { clusterConfig, QUARANTINE_FS, QUARANTINE_PLC } from '../cluster/fixtures.js';

const GIB = 2 ** 30;
const agent = serviceAccountIdentity('telemetry', 'collector', 'agent');

function setup(overrides: Partial<ClusterConfig> & { nodes: number }) {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog();
  const config = clusterConfig(overrides);
  const cp = createControlPlane(sim, config, { log, windowSeconds: 10, nodes: () => config.nodes });
  // The cluster drives the fluid updates once a second.
  const tick = (): void => {
    cp.tick(1);
    sim.schedule(1, tick, undefined);
  };
  sim.schedule(1, tick, undefined);
  return { sim, log, cp, config };
}

const podsOnMyNode = (spec: Partial<RequestSpec> = {}) =>
  makeRequest({
    verb: 'list',
    resource: 'pods',
    apiGroup: '',
    scope: 'cluster',
    identity: agent,
    rv: 'consistent',
    hasFieldSelector: true,
    expectedReturned: 30,
    ...spec,
  });

/**
 * Samples the replica's memory above `baseline` every 0.1 s while `isPending()`, from now; returns a
 * reader of the peak seen.
 */
function trackPeakMemory(
  sim: Simulation,
  replica: { readonly memoryBytes: number },
  baseline: number,
  isPending: () => boolean,
): () => number {
  let peak = 0;
  const probe = (): void => {
    peak = Math.max(peak, replica.memoryBytes - baseline);
    if (isPending()) sim.schedule(0.1, probe, undefined);
  };
  probe();
  return () => peak;
}

function collect(sim: Simulation) {
  const outcomes: { at: number; o: ApiOutcome }[] = [];
  return { outcomes, done: (o: ApiOutcome) => outcomes.push({ at: sim.now, o }) };
}

test('a LIST of every pod from etcd costs the KEP-2340 CPU per object and holds 5x the etcd payload', () => {
  const { sim, cp } = setup({
    nodes: 5000,
    apiServer: { ...clusterConfig({ nodes: 1 }).apiServer, replicas: 1, memoryBytes: 1024 * GIB },
  });
  const replica = cp.replicas[0]!;
  const before = replica.memoryBytes;
  const { outcomes, done } = collect(sim);
  cp.api.submit(podsOnMyNode(), done);
  const peakMemory = trackPeakMemory(sim, replica, before, () => outcomes.length === 0);
  sim.run({ until: 60 });
  const peak = peakMemory();
  assert.equal(outcomes[0]!.o.kind, 'ok');
  assert.equal((outcomes[0]!.o as { servedFrom?: string }).servedFrom, 'etcd');
  const cpu = cp.stats.apiserverCost.get('agent')!;
  const etcd = cp.stats.etcdCost.get('agent')!;
  // 150k pods of 4 KiB: (16 + 9.75 * 4) us each to decode, (8.2 + 5.6 * 4) us each in etcd.
  assert.ok(cpu > 7.5 && cpu < 9, `apiserver core-s ${cpu}`);
  assert.ok(etcd > 4 && etcd < 5, `etcd core-s ${etcd}`);
  const payload = 150_000 * 4096;
  assert.ok(peak > 4.5 * payload && peak < 5.5 * payload, `peak ${(peak / GIB).toFixed(2)} GiB`);
  // One goroutine decodes: the request takes its CPU time (plus etcd's) even on idle cores.
  assert.ok(outcomes[0]!.at > cpu + etcd - 0.1);
});

test('the same LIST on 1.31 is a consistent read from the watch cache: milliseconds, via the node index', () => {
  const { sim, cp } = setup({ nodes: 5000, kubernetesVersion: '1.31' });
  const { outcomes, done } = collect(sim);
  cp.api.submit(podsOnMyNode(), done);
  sim.run({ until: 5 });
  assert.equal((outcomes[0]!.o as { servedFrom?: string }).servedFrom, 'cache');
  assert.ok(outcomes[0]!.at < 0.2, `latency ${outcomes[0]!.at}`);
  const cpu = cp.stats.apiserverCost.get('agent')!;
  assert.ok(cpu < 0.005, `apiserver core-s ${cpu}`);
});

test('past its deadline a request gets 504, but its handler keeps the seats until its CPU work ends', () => {
  // 4 cores, ~1.4 of them taken by GC at this heap: five 8-core-second decodes need ~16 s.
  const { sim, cp } = setup({
    nodes: 5000,
    apiServer: { ...clusterConfig({ nodes: 1 }).apiServer, replicas: 1, cores: 4, memoryBytes: 1024 * GIB },
  });
  const { outcomes, done } = collect(sim);
  for (let i = 0; i < 5; i++) cp.api.submit(podsOnMyNode({ timeout: 10 }), done);
  const apf = cp.replicas[0]!.apf;
  let seatsAt15 = -1;
  sim.schedule(
    15,
    () => {
      seatsAt15 = apf.executingSeats;
    },
    undefined,
  );
  sim.run({ until: 200 });
  assert.deepEqual(
    outcomes.map((x) => x.o.kind),
    new Array(5).fill('timeout'),
  );
  for (const x of outcomes) assert.ok(Math.abs(x.at - 10) < 1e-6);
  assert.equal(seatsAt15, 50, 'five 10-seat LISTs still hold their seats after the 504');
  assert.equal(apf.executingSeats, 0);
  assert.equal(cp.stats.totalCount('timeout'), 5);
});

test('memory past the limit OOM-kills the replica: requests fail as resets, watches close, it restarts', () => {
  const base = clusterConfig({ nodes: 1 }).apiServer;
  const { sim, cp, log } = setup({
    nodes: 5000,
    apiServer: { ...base, replicas: 1, memoryBytes: 50 * GIB, restartDelay: 20 },
  });
  const replica = cp.replicas[0]!;
  const closed: string[] = [];
  const handlers: WatchHandlers = { onClosed: (r) => closed.push(r) };
  const opened = collect(sim);
  cp.api.watch(
    makeRequest({ verb: 'watch', resource: 'services', apiGroup: '', scope: 'cluster', identity: agent }),
    handlers,
    opened.done,
  );
  sim.run({ until: 1 });
  assert.equal(opened.outcomes[0]!.o.kind, 'ok');
  const { outcomes, done } = collect(sim);
  for (let i = 0; i < 4; i++) cp.api.submit(podsOnMyNode(), done);
  sim.run({ until: 30 });
  assert.ok(outcomes.length === 4 && outcomes.every((x) => x.o.kind === 'unreachable'));
  assert.deepEqual(closed, ['replica-restart']);
  assert.equal(replica.restarts, 1);
  assert.ok(log.events.some((e) => e.kind === 'apiserver-oom-killed'));
  sim.run({ until: 40 });
  assert.ok(replica.isUp, 'back after restartDelay + back-off');
});

test('a restarted 1.31 replica answers watches 429 "initializing" until its watch cache is rebuilt from etcd', () => {
  const base = clusterConfig({ nodes: 1 }).apiServer;
  const { sim, cp } = setup({
    nodes: 5000,
    kubernetesVersion: '1.31',
    apiServer: { ...base, replicas: 1, restartDelay: 5 },
  });
  const replica = cp.replicas[0]!;
  replica.kill('test');
  sim.run({ until: 6 });
  assert.ok(replica.isUp && !replica.isCacheReady('pods'));
  const watch = () =>
    makeRequest({
      verb: 'watch',
      resource: 'pods',
      apiGroup: '',
      scope: 'cluster',
      identity: nodeIdentity(1),
      hasFieldSelector: true,
    });
  const early = collect(sim);
  cp.api.watch(watch(), { onClosed: () => {} }, early.done);
  sim.run({ until: 7 });
  assert.equal(early.outcomes[0]!.o.kind, 'throttled');
  assert.equal((early.outcomes[0]!.o as { reason?: string }).reason, 'initializing');
  sim.run({ until: 60 });
  assert.ok(replica.isCacheReady('pods'));
  const late = collect(sim);
  cp.api.watch(watch(), { onClosed: () => {} }, late.done);
  sim.run({ until: 61 });
  assert.equal(late.outcomes[0]!.o.kind, 'ok');
});

test('a restarted 1.30 replica keeps a watch waiting, holding its seat, until the cache is ready', () => {
  const base = clusterConfig({ nodes: 1 }).apiServer;
  const { sim, cp } = setup({
    nodes: 5000,
    kubernetesVersion: '1.30',
    apiServer: { ...base, replicas: 1, restartDelay: 5 },
  });
  const replica = cp.replicas[0]!;
  replica.kill('test');
  sim.run({ until: 6 });
  const w = collect(sim);
  cp.api.watch(
    makeRequest({
      verb: 'watch',
      resource: 'pods',
      apiGroup: '',
      scope: 'cluster',
      identity: nodeIdentity(1),
      hasFieldSelector: true,
    }),
    { onClosed: () => {} },
    w.done,
  );
  sim.run({ until: 7 });
  assert.equal(w.outcomes.length, 0);
  assert.ok(replica.apf.executingSeats >= 1);
  sim.run({ until: 120 });
  assert.equal(w.outcomes[0]!.o.kind, 'ok');
  assert.ok(w.outcomes[0]!.at > 10, `opened at ${w.outcomes[0]!.at}, after the rebuild`);
});

test('a restarted 1.30 replica sends a kubelet-style RV="0" LIST to etcd, scanning every pod to return 30', () => {
  const base = clusterConfig({ nodes: 1 }).apiServer;
  const { sim, cp } = setup({
    nodes: 5000,
    kubernetesVersion: '1.30',
    apiServer: { ...base, replicas: 1, restartDelay: 5 },
  });
  cp.replicas[0]!.kill('test');
  sim.run({ until: 5.5 });
  const r = collect(sim);
  cp.api.submit(
    makeRequest({
      verb: 'list',
      resource: 'pods',
      apiGroup: '',
      scope: 'cluster',
      identity: nodeIdentity(3),
      rv: 'any',
      limit: 500,
      hasFieldSelector: true,
      expectedReturned: 30,
    }),
    r.done,
  );
  sim.run({ until: 120 });
  assert.equal((r.outcomes[0]!.o as { servedFrom?: string }).servedFrom, 'etcd');
  assert.ok(cp.stats.apiserverCost.get('kubelet')! > 5, 'decoded the whole pod collection');
});

test('a watch cache lagging behind a CPU-starved replica turns consistent reads into etcd reads (1.31)', () => {
  const base = clusterConfig({ nodes: 1 }).apiServer;
  const { sim, cp } = setup({
    nodes: 5000,
    kubernetesVersion: '1.31',
    apiServer: { ...base, replicas: 1, cores: 4, memoryBytes: 4096 * GIB },
  });
  const replica = cp.replicas[0]!;
  // Writes keep the cacher busy; an etcd-heavy load starves it of CPU.
  const lease = makeRequest({
    verb: 'update',
    resource: 'pods',
    apiGroup: '',
    scope: 'namespace',
    namespace: 'default',
    identity: nodeIdentity(1),
  });
  const write = (): void => {
    cp.api.submit(lease, () => {});
    sim.schedule(0.001, write, undefined);
  };
  write();
  const heavy = makeRequest({
    verb: 'list',
    resource: 'pods',
    apiGroup: '',
    scope: 'cluster',
    identity: userIdentity('admin', ['system:masters'], 'operator'),
    rv: 'exact',
  });
  for (let i = 0; i < 200; i++) cp.api.submit(heavy, () => {});
  sim.run({ until: 60 });
  assert.ok(replica.lag > 3, `lag ${replica.lag}`);
  const r = collect(sim);
  cp.api.submit(podsOnMyNode(), r.done);
  sim.run({ until: 64 });
  // It waited blockTimeout (3 s) for the cache, then fell back to etcd.
  assert.equal(r.outcomes.length, 0);
  assert.ok(cp.stats.etcdCost.get('agent')! > 1, 'fell back to an etcd range over every pod');
});

test('a blocked client class cannot connect (fails after the 30 s connect timeout); others are served', () => {
  const { sim, cp } = setup({ nodes: 100 });
  cp.setBlocked('agent', true);
  const blocked = collect(sim);
  const other = collect(sim);
  cp.api.submit(podsOnMyNode({ rv: 'any' }), blocked.done);
  cp.api.submit(
    makeRequest({
      verb: 'get',
      resource: 'nodes',
      apiGroup: '',
      scope: 'resource',
      identity: nodeIdentity(1),
      rv: 'any',
    }),
    other.done,
  );
  sim.run({ until: 60 });
  assert.equal(blocked.outcomes[0]!.o.kind, 'unreachable');
  assert.ok(Math.abs(blocked.outcomes[0]!.at - 30) < 1e-9);
  assert.equal(other.outcomes[0]!.o.kind, 'ok');
  assert.equal(cp.api.isReachable('agent'), false);
  assert.equal(cp.api.isReachable('kubelet'), true);
});

test('a flood of LISTs from one service account is throttled by APF (429 with Retry-After) while node heartbeats pass', () => {
  const base = clusterConfig({ nodes: 1 }).apiServer;
  const { sim, cp } = setup({ nodes: 5000, apiServer: { ...base, replicas: 1, memoryBytes: 4096 * GIB } });
  const flood = collect(sim);
  for (let i = 0; i < 2000; i++) cp.api.submit(podsOnMyNode(), flood.done);
  const leases = collect(sim);
  const lease = (n: number) =>
    makeRequest({
      verb: 'update',
      resource: 'leases',
      apiGroup: 'coordination.k8s.io',
      scope: 'namespace',
      namespace: 'kube-node-lease',
      identity: nodeIdentity(n),
      timeout: 10,
    });
  for (let i = 0; i < 100; i++)
    sim.schedule(5 + i * 0.1, () => cp.api.submit(lease(i), leases.done), undefined);
  sim.run({ until: 30 });
  const rejected = flood.outcomes.filter((x) => x.o.kind === 'throttled');
  assert.ok(rejected.length > 1000, `rejected ${rejected.length}`);
  assert.ok(rejected.every((x) => (x.o as { retryAfter: number }).retryAfter >= 1));
  assert.ok(
    leases.outcomes.every((x) => x.o.kind === 'ok'),
    'node-high is isolated by APF seats',
  );
});

test('unblocking a client class logs a restore only when it was blocked', () => {
  const { cp, log } = setup({ nodes: 100 });
  const kinds = () => log.events.filter((e) => e.kind.startsWith('network-')).map((e) => e.kind);
  cp.setBlocked('agent', false);
  assert.deepEqual(kinds(), []);
  cp.setBlocked('agent', true);
  cp.setBlocked('agent', false);
  cp.setBlocked('agent', false);
  assert.deepEqual(kinds(), ['network-blocked', 'network-unblocked']);
});

/** The agent's service account on a 35-seat level of its own that neither lends nor borrows seats. */
const agentLevel = {
  flowSchemas: [QUARANTINE_FS],
  priorityLevels: [
    {
      ...QUARANTINE_PLC,
      spec: { type: 'Limited', limited: { ...QUARANTINE_PLC.spec!.limited, nominalConcurrencyShares: 15 } },
    },
  ],
} satisfies Partial<ClusterConfig>;

/**
 * Submits 10 LISTs of every pod from etcd (6 seats each on a 35-seat level: 5 run at once), one by
 * one or as one cohort; peak memory, last answer and CPU spent.
 */
function tenEtcdLists(mode: 'exact' | 'cohort') {
  const { sim, cp } = setup({
    nodes: 5000,
    apiServer: { ...clusterConfig({ nodes: 1 }).apiServer, replicas: 1, memoryBytes: 1024 * GIB },
    ...agentLevel,
  });
  const replica = cp.replicas[0]!;
  const before = replica.memoryBytes;
  const answered: number[] = [];
  const done = (o: ApiOutcome): void => {
    assert.equal(o.kind, 'ok');
    answered.push(sim.now);
  };
  if (mode === 'exact') for (let i = 0; i < 10; i++) cp.api.submit(podsOnMyNode({ timeout: 600 }), done);
  else cp.api.submit(podsOnMyNode({ timeout: 600, count: 10 }), done);
  const peak = trackPeakMemory(sim, replica, before, () => answered.length < (mode === 'exact' ? 10 : 1));
  sim.run({ until: 600 });
  return { peak: peak(), last: Math.max(...answered), cpu: cp.stats.apiserverCost.get('agent')! };
}

test('a cohort whose seats are capped holds the memory of the members its seats run at once, serving the rest in turn', () => {
  const exact = tenEtcdLists('exact');
  const cohort = tenEtcdLists('cohort');
  // Same work in all: 10 decodes of 150k pods.
  assert.ok(Math.abs(cohort.cpu - exact.cpu) < 0.01 * exact.cpu, `cpu ${exact.cpu} vs ${cohort.cpu}`);
  // Not 10 x 5 payloads at once: the level's seats run five of these LISTs together, then the rest.
  const payload = 150_000 * 4096;
  assert.ok(exact.peak < 30 * payload, `exact peak ${(exact.peak / GIB).toFixed(1)} GiB`);
  assert.ok(
    Math.abs(cohort.peak - exact.peak) <= 0.25 * exact.peak,
    `peak ${(exact.peak / GIB).toFixed(1)} vs ${(cohort.peak / GIB).toFixed(1)} GiB`,
  );
  assert.ok(
    Math.abs(cohort.last - exact.last) <= 0.25 * exact.last,
    `last answer at ${exact.last.toFixed(1)} s vs ${cohort.last.toFixed(1)} s`,
  );
});
