import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSimulation } from '../../../src/engine/index.js';
import type { ApiOutcome } from '../../../src/model/api-types.js';
import { createEventLog } from '../../../src/model/component.js';
import { createObjectStore } from '../../../src/model/controlplane/object-store.js';
import { HeartbeatLog } from '../../../src/model/nodes/heartbeat-log.js';
import { NodeAgents } from '../../../src/model/nodes/node-agents.js';
import { FakeEndpoint, ok } from '../client/fake-endpoint.js';

function setup(respond: ConstructorParameters<typeof FakeEndpoint>[1]) {
  const sim = createSimulation({ seed: 5 });
  const api = new FakeEndpoint(sim, respond);
  const agents = new NodeAgents(sim, {
    cluster: 'c',
    api,
    store: createObjectStore(1, 30),
    log: createEventLog(),
    heartbeats: new HeartbeatLog(),
    podsPerNode: 30,
    blockSize: 1,
  });
  agents.resize(1, true);
  return { sim, api, agents };
}

const timeout = (): ApiOutcome => ({ kind: 'timeout', status: 504, latency: 10 as ApiOutcome['latency'] });

test('a kubelet renews its lease every 10 s x (1 + 0.04 U) after the previous renewal', () => {
  const { sim, api } = setup(() => ok());
  sim.run({ until: 205 });
  const renewals = api.seen.filter((s) => s.request.resource === 'leases' && s.request.verb === 'update');
  assert.ok(renewals.length >= 19 && renewals.length <= 21, `${renewals.length} renewals`);
  for (let i = 1; i < renewals.length; i++) {
    const gap = renewals[i]!.at - renewals[i - 1]!.at;
    assert.ok(gap >= 10 && gap <= 10.4 + api.delay + 1e-9, `gap ${gap}`);
  }
  assert.equal(renewals[0]!.request.timeout, 10, 'the heartbeat client times out after 10 s');
});

test('a failed lease update is retried at once up to 5 times, closing all connections (forcing relists) after each failure but the first, then falls back to GET with back-off', () => {
  let failing = true;
  const { sim, api, agents } = setup((r) => (failing && r.resource === 'leases' ? timeout() : ok()));
  sim.run({ until: 12 });
  const leaseCalls = api.seen.filter((s) => s.request.resource === 'leases');
  assert.deepEqual(
    leaseCalls.slice(0, 7).map((s) => s.request.verb),
    ['update', 'update', 'update', 'update', 'update', 'get', 'get'],
  );
  const block = agents.blocks[0]!;
  assert.equal(block.closeAllConnsCalls, 4, 'closeAllConns after failures 2..5');
  // Closed watches are reopened; one closed again within a second is a "very short watch", which
  // makes the reflector back off and relist (the kubelet list storm of k/k PR #107781).
  const watches = api.seen.filter((s) => s.request.verb === 'watch');
  assert.ok(watches.length >= 5, `${watches.length} re-watches`);
  const lists = api.seen.filter((s) => s.request.verb === 'list');
  assert.ok(lists.length >= 1, `${lists.length} relists (none before the failures: warm start)`);
  const gets = leaseCalls.filter((s) => s.request.verb === 'get').map((s) => s.at);
  assert.ok(gets[1]! - gets[0]! >= 0.2 - 1e-9, 'backoffEnsureLease sleeps 200 ms, doubling');
  failing = false;
  sim.run({ until: 40 });
  const after = api.seen
    .filter((s) => s.request.resource === 'leases' && s.at > 12)
    .map((s) => s.request.verb);
  assert.ok(after.includes('update'));
});

test('a kubelet posts node status (GET from the cache, then PATCH) every 5 minutes', () => {
  const { sim, api } = setup(() => ok());
  sim.run({ until: 901 });
  const patches = api.seen.filter((s) => s.request.resource === 'nodes/status');
  const gets = api.seen.filter((s) => s.request.resource === 'nodes' && s.request.verb === 'get');
  assert.ok(patches.length >= 3 && patches.length <= 4, `${patches.length} status posts`);
  assert.equal(gets.length, patches.length);
  assert.equal(gets[0]!.request.rv, 'any');
});
