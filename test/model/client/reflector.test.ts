import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSimulation } from '../../../src/engine/index.js';
import type { ApiOutcome, ApiRequest } from '../../../src/model/api-types.js';
import { createEventLog } from '../../../src/model/component.js';
import { serviceAccountIdentity } from '../../../src/model/client/identities.js';
import { createInformer, createReflector } from '../../../src/model/client/reflector.js';
import type { ServerRequest } from '../../../src/model/controlplane/serving.js';
import { FakeEndpoint, gone, ok, throttled, unreachable } from './fake-endpoint.js';

const identity = serviceAccountIdentity('kube-system', 'coredns', 'coredns');

function informerOn(api: FakeEndpoint, sim: ReturnType<typeof createSimulation>, objects = 100) {
  return createReflector(sim, api, {
    name: 'x',
    identity,
    resource: 'services',
    apiGroup: '',
    objects: () => objects,
    client: { qps: 100, burst: 100, timeout: 0 },
    log: createEventLog(),
    cluster: 'c',
  });
}

const rv = (r: ApiRequest) => {
  const s = r as ServerRequest;
  if (r.verb === 'watch') return 'watch';
  if (s.notOlderThan !== undefined && !Number.isNaN(s.notOlderThan)) return 'RV=X';
  return r.rv === 'any' ? 'RV=0' : r.rv === 'consistent' ? 'RV=""' : r.rv;
};

test('an informer lists with RV="0" and a limit of 500, then watches', () => {
  const sim = createSimulation({ seed: 1 });
  const api = new FakeEndpoint(sim, () => ok({ servedFrom: 'cache' }));
  const inf = createInformer(sim, api, {
    name: 'x',
    identity,
    resource: 'services',
    apiGroup: '',
    objects: () => 100,
    client: { qps: 5, burst: 10, timeout: 0 },
    log: createEventLog(),
    cluster: 'c',
  });
  let synced = 0;
  inf.onSynced(() => synced++);
  inf.start();
  sim.run({ until: 1 });
  assert.deepEqual(
    api.seen.map((s) => rv(s.request)),
    ['RV=0', 'watch'],
  );
  assert.equal(api.seen[0]!.request.limit, 500);
  assert.equal(synced, 1);
  assert.ok(inf.hasSynced && inf.isWatching);
  const timeout = api.seen[1]!.request.timeout!;
  assert.ok(timeout >= 300 && timeout < 600, `watch timeoutSeconds ${timeout}`);
});

test('a watch the server ends normally is reopened at once, without a relist', () => {
  const sim = createSimulation({ seed: 1 });
  const api = new FakeEndpoint(sim, () => ok({ servedFrom: 'cache' }));
  const inf = informerOn(api, sim);
  inf.start();
  sim.run({ until: 5 });
  api.watches[0]!.end('timeout');
  sim.run({ until: 10 });
  assert.deepEqual(
    api.seen.map((s) => rv(s.request)),
    ['RV=0', 'watch', 'watch'],
  );
  assert.equal(inf.lists, 1);
});

test('a watch ending "too old" is followed, after a back-off, by a LIST from the last RV', () => {
  const sim = createSimulation({ seed: 1 });
  const api = new FakeEndpoint(sim, () => ok({ servedFrom: 'cache' }));
  const inf = informerOn(api, sim);
  inf.start();
  sim.run({ until: 5 });
  api.watches[0]!.end('too-old');
  sim.run({ until: 30 });
  const kinds = api.seen.map((s) => rv(s.request));
  assert.deepEqual(kinds, ['RV=0', 'watch', 'RV=X', 'watch']);
  const gap = api.seen[2]!.at - 5;
  assert.ok(gap >= 0.8 && gap < 1.6, `back-off ${gap}`);
  assert.equal(api.seen[2]!.request.limit, 0, 'pagination off to hit the watch cache');
});

test('a LIST answered 410 is retried at once with RV="" (a consistent read)', () => {
  const sim = createSimulation({ seed: 1 });
  let n = 0;
  const api = new FakeEndpoint(sim, (r) =>
    r.verb === 'list' && ++n === 2 ? gone() : ok({ servedFrom: 'cache' }),
  );
  const inf = informerOn(api, sim);
  inf.start();
  sim.run({ until: 5 });
  api.watches[0]!.end('too-old');
  sim.run({ until: 30 });
  assert.deepEqual(
    api.seen.map((s) => rv(s.request)),
    ['RV=0', 'watch', 'RV=X', 'RV=""', 'watch'],
  );
  assert.ok(api.seen[3]!.at - api.seen[2]!.at < 0.1, 'no back-off before the consistent relist');
});

test('failing LISTs back off 0.8 s, 1.6 s, 3.2 s ... up to [30, 60) s', () => {
  const sim = createSimulation({ seed: 2 });
  const api = new FakeEndpoint(sim, () => ({
    kind: 'timeout',
    status: 504,
    latency: 60 as ApiOutcome['latency'],
  }));
  api.delay = 0;
  const inf = informerOn(api, sim);
  inf.start();
  sim.run({ until: 600 });
  const gaps = api.seen.slice(1).map((s, i) => s.at - api.seen[i]!.at);
  const floors = [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30, 30];
  floors.forEach((f, i) => {
    assert.ok(gaps[i]! >= f && gaps[i]! < 2 * f, `gap ${i} = ${gaps[i]}`);
  });
  assert.ok(!inf.hasSynced);
});

test('a LIST served from etcd with a limit is fetched page by page with continue tokens', () => {
  const sim = createSimulation({ seed: 1 });
  const api = new FakeEndpoint(sim, (r) => (r.verb === 'list' ? ok({ servedFrom: 'etcd' }) : ok()));
  const inf = informerOn(api, sim, 1800);
  inf.start();
  sim.run({ until: 5 });
  assert.deepEqual(
    api.seen.map((s) => rv(s.request)),
    ['RV=0', 'continue', 'continue', 'continue', 'watch'],
  );
  assert.equal(inf.lists, 1);
});

test('a 429 or a refused connection when opening a watch backs off and retries the watch, not the LIST', () => {
  const sim = createSimulation({ seed: 1 });
  let watches = 0;
  const api = new FakeEndpoint(sim, (r) => {
    if (r.verb !== 'watch') return ok({ servedFrom: 'cache' });
    watches++;
    return watches === 1 ? unreachable() : watches === 2 ? throttled(1) : ok();
  });
  const inf = informerOn(api, sim);
  inf.start();
  sim.run({ until: 120 });
  const kinds = api.seen.map((s) => rv(s.request));
  // The 429 is first retried by the REST client (Retry-After), then succeeds.
  assert.deepEqual(kinds, ['RV=0', 'watch', 'watch', 'watch']);
  assert.ok(inf.isWatching);
});

test('the cache stays synced but frozen while the watch is down; stop() loses it', () => {
  const sim = createSimulation({ seed: 1 });
  let allow = true;
  const api = new FakeEndpoint(sim, (r) =>
    allow || r.verb !== 'watch' ? ok({ servedFrom: 'cache' }) : unreachable(),
  );
  const inf = informerOn(api, sim);
  inf.start();
  sim.run({ until: 20 });
  assert.ok(inf.syncedThrough > 19);
  allow = false;
  api.watches[0]!.end('unreachable');
  sim.run({ until: 100 });
  assert.ok(inf.hasSynced && !inf.isWatching);
  assert.ok(inf.syncedThrough <= 20 + 1e-9, `frozen at ${inf.syncedThrough}`);
  inf.stop();
  assert.ok(!inf.hasSynced);
});
