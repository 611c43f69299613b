import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSimulation, seconds } from '../../../src/engine/index.js';
import type { ApiCallback, ApiOutcome } from '../../../src/model/api-types.js';
import type { ClusterHandle } from '../../../src/model/cluster-types.js';
import { createEventLog } from '../../../src/model/component.js';
import { createPlaybook } from '../../../src/model/response/playbook.js';
import type { ResponseAction, ResponseConfig } from '../../../src/model/response/types.js';

type Sim = ReturnType<typeof createSimulation>;

/**
 * A cluster whose API answers only from `apiUpAt` on, recording what was done to it. After an
 * accepted delete, the workload's pods take `podDrain` seconds to stop (the garbage collector).
 */
function fakeCluster(sim: Sim, name: string, apiUpAt: number, podDrain = 0) {
  let podsGoneAt = Number.POSITIVE_INFINITY;
  const calls: { t: number; what: string }[] = [];
  const answer = (done: ApiCallback) => {
    const outcome: ApiOutcome =
      sim.now >= apiUpAt
        ? { kind: 'ok', status: 200, latency: seconds(0.01) }
        : { kind: 'unreachable', status: 0, latency: seconds(0) };
    sim.schedule(0.01, done, outcome);
  };
  let nodes = 1000;
  const handle = {
    config: { name, nodes: 1000 },
    api: { submit: (_r: unknown, done: ApiCallback) => answer(done) },
    nodes: {
      get count() {
        return nodes;
      },
    },
    removeWorkloadViaApi: (w: string, _id: unknown, done: ApiCallback) => {
      calls.push({ t: sim.now, what: `delete ${w}` });
      answer((o) => {
        if (o.kind === 'ok') podsGoneAt = Math.min(podsGoneAt, sim.now + podDrain);
        done(o);
      });
    },
    workloadRunningPods: () => (sim.now >= podsGoneAt ? 0 : 100),
    onNodesScaled: () => {},
    scaleNodes: (n: number) => {
      nodes = n;
      calls.push({ t: sim.now, what: `scale ${n}` });
    },
    setClientClassBlocked: (c: string, b: boolean) =>
      calls.push({ t: sim.now, what: `${b ? 'block' : 'unblock'} ${c}` }),
  } as unknown as ClusterHandle;
  return { handle, calls };
}

const action = (over: Partial<ResponseAction> & Pick<ResponseAction, 'id' | 'spec'>): ResponseAction => ({
  trigger: { after: 'detection' },
  decisionDelay: 0,
  duration: 0,
  clusters: 'all',
  requiresApi: false,
  retryEvery: 60,
  maxAttempts: 100,
  manual: false,
  ...over,
});

/** unblock-agents, chained after an action named 'rollback' in the same cluster. */
const UNBLOCK_AFTER_ROLLBACK = action({
  id: 'unblock',
  trigger: { after: 'action', action: 'rollback' },
  spec: { kind: 'block-client-class', clientClass: 'agent', blocked: false },
});

/** A playbook over `clusters`, all of them affected throughout. */
function startPlaybook(
  sim: Sim,
  config: ResponseConfig,
  clusters: readonly ClusterHandle[],
  log: ReturnType<typeof createEventLog>,
) {
  return createPlaybook(sim, config, { clusters, isAffected: () => true, shiftTraffic: () => {} }, log);
}

test('a kubectl rollback fails while the API is down, is retried, and succeeds once it answers', () => {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog();
  const c = fakeCluster(sim, 'a', 1000);
  const config: ResponseConfig = {
    operators: 1,
    actions: [
      action({
        id: 'rollback',
        decisionDelay: 120,
        retryEvery: 300,
        spec: { kind: 'kubectl-rollback', workload: 'agent' },
      }),
    ],
  };
  const pb = startPlaybook(sim, config, [c.handle], log);
  sim.schedule(100, () => pb.notifyDetection(), undefined);
  sim.run({ until: 3000 });
  assert.deepEqual(
    c.calls.map((x) => Math.round(x.t)),
    [220, 520, 820, 1120],
    'attempts every retryEvery until the API answers',
  );
  assert.equal(Math.round(pb.firstRollbackFailure!), 220);
  assert.equal(log.events.filter((e) => e.kind === 'rollback-attempt-failed').length, 3);
  assert.equal(log.events.filter((e) => e.kind === 'response-action-done').length, 1);
});

test('manual actions queue for the operators: two engineers work four clusters two at a time', () => {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog();
  const clusters = ['a', 'b', 'c', 'd'].map((n) => fakeCluster(sim, n, 0));
  const config: ResponseConfig = {
    operators: 2,
    actions: [
      action({
        id: 'scale-down',
        duration: 600,
        manual: true,
        spec: { kind: 'scale-nodes', fraction: 0.25 },
      }),
    ],
  };
  const pb = createPlaybook(
    sim,
    config,
    { clusters: clusters.map((c) => c.handle), isAffected: () => true, shiftTraffic: () => {} },
    log,
  );
  pb.notifyDetection();
  sim.run({ until: 5000 });
  assert.deepEqual(
    clusters.map((c) => c.calls.map((x) => `${Math.round(x.t)} ${x.what}`)),
    [['600 scale 250'], ['600 scale 250'], ['1200 scale 250'], ['1200 scale 250']],
  );
});

test('an action chained after another runs per cluster when that cluster finishes the first', () => {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog();
  const fast = fakeCluster(sim, 'fast', 0);
  const slow = fakeCluster(sim, 'slow', 2000);
  const config: ResponseConfig = {
    operators: 4,
    actions: [
      action({ id: 'rollback', retryEvery: 500, spec: { kind: 'kubectl-rollback', workload: 'agent' } }),
      action({
        id: 'unblock',
        trigger: { after: 'action', action: 'rollback' },
        decisionDelay: 60,
        spec: { kind: 'block-client-class', clientClass: 'agent', blocked: false },
      }),
    ],
  };
  const pb = startPlaybook(sim, config, [fast.handle, slow.handle], log);
  pb.notifyDetection();
  sim.run({ until: 5000 });
  const unblockAt = (c: typeof fast) => Math.round(c.calls.find((x) => x.what === 'unblock agent')!.t);
  assert.equal(unblockAt(fast), 60);
  assert.equal(unblockAt(slow), 2060);
});

test('a rollback counts as done only once the deleted workload has no pods left, so chained actions wait', () => {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog();
  const c = fakeCluster(sim, 'a', 0, 400);
  const config: ResponseConfig = {
    operators: 1,
    actions: [
      action({ id: 'rollback', spec: { kind: 'kubectl-rollback', workload: 'agent' } }),
      UNBLOCK_AFTER_ROLLBACK,
    ],
  };
  const pb = startPlaybook(sim, config, [c.handle], log);
  pb.notifyDetection();
  sim.run({ until: 2000 });
  const unblock = c.calls.find((x) => x.what === 'unblock agent');
  assert.ok(unblock, 'the unblock ran');
  assert.ok(
    unblock.t >= 400 && unblock.t <= 400 + 30 + 1,
    `unblocked at ${unblock.t}: after the pods drained, at the next check`,
  );
  const done = log.events.find((e) => e.kind === 'response-action-done' && e.message.startsWith('rollback'));
  assert.match(done!.message, /last pods stopped \d+ s after the delete was accepted/);
});

test('an operator skips a cluster that recovered while they were busy, and takes it up again when it relapses', () => {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog();
  const busy = fakeCluster(sim, 'busy', 0);
  const c = fakeCluster(sim, 'a', 0);
  let isAffected = true;
  sim.schedule(300, () => (isAffected = false), undefined);
  sim.schedule(1000, () => (isAffected = true), undefined);
  const config: ResponseConfig = {
    operators: 1,
    actions: [
      action({
        id: 'scale-down',
        clusters: 'affected',
        duration: 600,
        manual: true,
        spec: { kind: 'scale-nodes', fraction: 0.5 },
      }),
    ],
  };
  const pb = createPlaybook(
    sim,
    config,
    {
      clusters: [busy.handle, c.handle],
      isAffected: (h) => h === busy.handle || isAffected,
      shiftTraffic: () => {},
    },
    log,
  );
  pb.notifyDetection();
  sim.run({ until: 3000 });
  const skipped = log.events.find((e) => e.kind === 'response-action-skipped' && e.cluster === 'a');
  assert.ok(skipped && skipped.t === 600, 'the operator reaches it at 600, after it recovered');
  const scaled = c.calls.filter((x) => x.what.startsWith('scale'));
  assert.equal(scaled.length, 1, 'scaled once, after the relapse');
  assert.ok(scaled[0]!.t >= 1600 && scaled[0]!.t <= 1600 + 60, `scaled at ${scaled[0]!.t}`);
});

test('a scale-down for impacted clusters leaves alone a cluster whose control plane fails but whose customers are served', () => {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog();
  const down = fakeCluster(sim, 'down', 0);
  const serving = fakeCluster(sim, 'serving', 0);
  const config: ResponseConfig = {
    operators: 2,
    actions: [
      action({ id: 'scale-down', clusters: 'impacted', spec: { kind: 'scale-nodes', fraction: 0.3 } }),
    ],
  };
  const pb = createPlaybook(
    sim,
    config,
    {
      clusters: [down.handle, serving.handle],
      isAffected: () => true,
      isImpacted: (h) => h === down.handle,
      shiftTraffic: () => {},
    },
    log,
  );
  pb.notifyDetection();
  sim.run({ until: 3000 });
  assert.deepEqual(
    down.calls.map((x) => x.what),
    ['scale 300'],
  );
  assert.deepEqual(serving.calls, [], 'both are affected, only one is impacted');
});

test('a network block still being set up when the fix lands is dropped, not applied after the unblock', () => {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog();
  const c = fakeCluster(sim, 'a', 0);
  const config: ResponseConfig = {
    operators: 2,
    actions: [
      action({
        id: 'block',
        duration: 600,
        manual: true,
        spec: { kind: 'block-client-class', clientClass: 'agent', blocked: true },
      }),
      action({ id: 'rollback', decisionDelay: 60, spec: { kind: 'kubectl-rollback', workload: 'agent' } }),
      UNBLOCK_AFTER_ROLLBACK,
    ],
  };
  const pb = startPlaybook(sim, config, [c.handle], log);
  pb.notifyDetection();
  sim.run({ until: 2000 });
  assert.deepEqual(
    c.calls.filter((x) => x.what.endsWith('agent') && !x.what.startsWith('delete')).map((x) => x.what),
    ['unblock agent'],
  );
  assert.ok(
    log.events.some((e) => e.kind === 'response-action-skipped' && e.message.includes('unblocked meanwhile')),
  );
});
