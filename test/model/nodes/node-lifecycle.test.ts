import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSimulation } from '../../../src/engine/index.js';
import type { ApiCallback, ApiRequest } from '../../../src/model/api-types.js';
import { createEventLog } from '../../../src/model/component.js';
import type { ApiClient } from '../../../src/model/client/api-client.js';
import type { Informer } from '../../../src/model/client/informer.js';
import { serviceAccountIdentity } from '../../../src/model/client/identities.js';
import { HeartbeatLog } from '../../../src/model/nodes/heartbeat-log.js';
import { NodeLifecycle } from '../../../src/model/nodes/node-lifecycle.js';
import { versionRules } from '../../../src/model/controlplane/version.js';

interface Setup {
  readonly nodes: number;
  readonly zones: number;
  readonly grace?: number;
  /** Nodes that stop heartbeating at `stopAt`. */
  readonly failing: (node: number) => boolean;
  readonly stopAt: number;
  /** KCM's lease watch freezes at this time (its view stops advancing). */
  readonly watchFrozenAt?: number;
}

function run(s: Setup, until: number) {
  const sim = createSimulation({ seed: 1 });
  const log = createEventLog();
  const heartbeats = new HeartbeatLog();
  const writes: ApiRequest[] = [];
  const client: ApiClient = {
    name: 'node-controller',
    call(request: ApiRequest, done: ApiCallback) {
      writes.push(request);
      sim.schedule(0.01, () => done({ kind: 'ok', status: 200, latency: 0.01 as never }), undefined);
    },
    callTo(request, receiver, tag) {
      this.call(request, (o) => receiver.callDone(tag, o));
    },
    watch() {},
    reset() {},
  };
  const informer: Informer = {
    hasSynced: true,
    isWatching: true,
    get syncedThrough() {
      return s.watchFrozenAt !== undefined ? Math.min(sim.now, s.watchFrozenAt) : sim.now;
    },
    start() {},
    stop() {},
    onSynced() {},
  };
  const starts: (() => void)[] = [];
  const controller = new NodeLifecycle(sim, {
    cluster: 'c',
    log,
    heartbeats,
    blockSize: 1,
    zones: s.zones,
    podsPerNode: 30,
    gracePeriod: s.grace ?? versionRules('1.31').nodeMonitorGracePeriod,
    host: { isActive: true, leaseInformer: informer, onStart: (l) => starts.push(l) },
    client,
    identity: serviceAccountIdentity('kube-system', 'node-controller', 'controller-manager'),
    nodes: () => s.nodes,
  });
  const changes: { at: number; node: number; ready: boolean }[] = [];
  controller.onReadyChange((node, ready) => changes.push({ at: sim.now, node, ready }));
  const beat = (): void => {
    for (let n = 0; n < s.nodes; n++) if (!(s.failing(n) && sim.now >= s.stopAt)) heartbeats.push(n, sim.now);
    sim.schedule(10, beat, undefined);
  };
  beat();
  sim.run({ until });
  return { controller, changes, writes, log };
}

test('a node that stops heartbeating goes NotReady after the grace period and its pods are marked NotReady', () => {
  const { controller, changes, writes } = run(
    { nodes: 20, zones: 1, failing: (n) => n === 3, stopAt: 100 },
    200,
  );
  assert.equal(changes.length, 1);
  assert.equal(changes[0]!.node, 3);
  // Last heartbeat seen at 90-95 s (monitor every 5 s), NotReady once 40 s have passed.
  assert.ok(changes[0]!.at >= 130 && changes[0]!.at <= 140, `NotReady at ${changes[0]!.at}`);
  assert.equal(controller.readyCount, 19);
  assert.equal(writes.filter((w) => w.resource === 'pods/status').length, 30);
  assert.equal(writes.filter((w) => w.resource === 'nodes/status').length, 1);
});

test('from 1.32 the grace period is 50 s', () => {
  const { changes } = run(
    {
      nodes: 5,
      zones: 1,
      grace: versionRules('1.32').nodeMonitorGracePeriod,
      failing: (n) => n === 0,
      stopAt: 100,
    },
    200,
  );
  assert.ok(changes[0]!.at >= 140 && changes[0]!.at <= 150, `NotReady at ${changes[0]!.at}`);
});

test("healthy nodes go NotReady when KCM's lease watch stops delivering; all zones down enters master disruption mode", () => {
  const { controller, changes, log } = run(
    { nodes: 30, zones: 3, failing: () => false, stopAt: 1e9, watchFrozenAt: 100 },
    200,
  );
  assert.equal(changes.filter((c) => !c.ready).length, 30);
  assert.equal(controller.readyCount, 0);
  assert.ok(log.events.some((e) => e.kind === 'node-master-disruption'));
  assert.ok(!log.events.some((e) => e.kind === 'pods-evicted'));
});

test('taints in a healthy zone follow --node-eviction-rate 0.1 nodes/s and pods are evicted 300 s later', () => {
  const { writes, log } = run({ nodes: 100, zones: 1, failing: (n) => n < 5, stopAt: 100 }, 600);
  const taints = writes.filter((w) => w.resource === 'nodes' && w.verb === 'patch');
  assert.equal(taints.length, 5);
  const evictions = log.events.filter((e) => e.kind === 'pods-evicted');
  assert.equal(evictions.length, 5);
  const first = evictions[0]!.t;
  const last = evictions[4]!.t;
  assert.ok(first >= 430, `first eviction ${first}: NotReady ~135 s + 300 s toleration`);
  assert.ok(last - first >= 35, `spaced at 0.1 nodes/s: ${last - first} s for 5 nodes`);
});

test('a partially disrupted zone taints at 0.01 nodes/s when it has more than 50 nodes, and not at all when smaller', () => {
  const large = run({ nodes: 100, zones: 1, failing: (n) => n < 60, stopAt: 100 }, 400);
  const largeTaints = large.writes.filter((w) => w.resource === 'nodes' && w.verb === 'patch').length;
  assert.ok(largeTaints >= 1 && largeTaints <= 4, `large zone tainted ${largeTaints}`);
  const small = run({ nodes: 20, zones: 1, failing: (n) => n < 15, stopAt: 100 }, 400);
  const smallTaints = small.writes.filter((w) => w.resource === 'nodes' && w.verb === 'patch').length;
  assert.equal(smallTaints, 0);
});
