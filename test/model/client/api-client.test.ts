import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createSimulation } from '../../../src/engine/index.js';
import type { ApiOutcome } from '../../../src/model/api-types.js';
import { createApiClient, MAX_RETRIES } from '../../../src/model/client/api-client.js';
import { ExponentialBackoff } from '../../../src/model/client/backoff.js';
import { userIdentity } from '../../../src/model/client/identities.js';
import { TokenBucket } from '../../../src/model/client/token-bucket.js';
import { makeRequest } from '../../../src/model/controlplane/serving.js';
import { FakeEndpoint, ok, throttled } from './fake-endpoint.js';

const identity = userIdentity('tester', [], 'test');
const get = makeRequest({ verb: 'get', resource: 'pods', apiGroup: '', scope: 'resource', identity });

test('a token bucket lets a burst through, then one request per 1/qps seconds', () => {
  const bucket = new TokenBucket(5, 10, 0);
  const waits = Array.from({ length: 12 }, () => bucket.reserve(0));
  assert.deepEqual(waits.slice(0, 10), new Array(10).fill(0));
  assert.ok(Math.abs(waits[10]! - 0.2) < 1e-9);
  assert.ok(Math.abs(waits[11]! - 0.4) < 1e-9);
});

test('a token bucket never admits more than burst + qps * t requests by time t', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: 1, max: 400 }),
      (qps, burst, n) => {
        const bucket = new TokenBucket(qps, burst, 0);
        for (let i = 0; i < n; i++) {
          const at = bucket.reserve(0);
          assert.ok(i + 1 <= burst + qps * at + 1e-6);
        }
      },
    ),
  );
});

test("a client's inlined rate limiter sends each call exactly when a TokenBucket says it may", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 0, max: 20 }),
      fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 1, maxLength: 60 }),
      (qps, burst, gaps) => {
        const sim = createSimulation({ seed: 1 });
        const api = new FakeEndpoint(sim, () => ok());
        const client = createApiClient(sim, api, { name: 't', rate: { qps, burst, timeout: 0 } });
        const bucket = new TokenBucket(qps, burst, 0);
        const expected: number[] = [];
        let at = 0;
        for (const gap of gaps) {
          at += gap;
          const t = at;
          expected.push(t + bucket.reserve(t, 1));
          sim.scheduleAt(t, () => client.call(get, () => {}), undefined);
        }
        sim.run();
        assert.deepEqual(
          api.seen.map((s) => s.at),
          expected.slice().sort((a, b) => a - b),
        );
      },
    ),
  );
});

test('429s are retried after exactly Retry-After, at most 10 times, each retry passing the limiter', () => {
  const sim = createSimulation({ seed: 1 });
  const api = new FakeEndpoint(sim, () => throttled(2));
  api.delay = 0;
  const client = createApiClient(sim, api, { name: 't', rate: { qps: 1, burst: 1, timeout: 0 } });
  let outcome: ApiOutcome | null = null;
  client.call(get, (o) => {
    outcome = o;
  });
  sim.run();
  assert.equal(api.seen.length, 1 + MAX_RETRIES);
  const gaps = api.seen.slice(1).map((s, i) => s.at - api.seen[i]!.at);
  // Retry-After 2 s dominates the limiter's 1 s spacing.
  for (const g of gaps) assert.ok(Math.abs(g - 2) < 1e-9, `gap ${g}`);
  assert.equal(outcome!.kind, 'throttled');
  assert.ok(Math.abs(outcome!.latency - 2 * MAX_RETRIES) < 1e-9);
});

test('with a tight limiter, retries wait for their token after Retry-After', () => {
  const sim = createSimulation({ seed: 1 });
  let n = 0;
  const api = new FakeEndpoint(sim, () => (++n <= 2 ? throttled(1) : ok()));
  api.delay = 0;
  const client = createApiClient(sim, api, { name: 't', rate: { qps: 0.25, burst: 1, timeout: 0 } });
  client.call(get, () => {});
  sim.run();
  // Tokens every 4 s: sends at 0, 4, 8 although Retry-After was 1.
  assert.deepEqual(
    api.seen.map((s) => s.at),
    [0, 4, 8],
  );
});

test('the client timeout bounds the whole call, retries included', () => {
  const sim = createSimulation({ seed: 1 });
  const api = new FakeEndpoint(sim, () => throttled(4));
  api.delay = 0;
  const client = createApiClient(sim, api, { name: 't', rate: { qps: -1, burst: 0, timeout: 10 } });
  const timed = makeRequest({
    verb: 'update',
    resource: 'leases',
    apiGroup: 'coordination.k8s.io',
    scope: 'namespace',
    namespace: 'kube-node-lease',
    identity,
    timeout: 10,
  });
  let outcome: ApiOutcome | null = null;
  client.call(timed, (o) => {
    outcome = o;
  });
  sim.run();
  assert.deepEqual(
    api.seen.map((s) => s.at),
    [0, 4, 8],
  );
  assert.equal(outcome!.kind, 'timeout');
  assert.ok(Math.abs(outcome!.latency - 10) < 1e-9);
});

test('a 504 is not retried (the timeout filter sends no Retry-After)', () => {
  const sim = createSimulation({ seed: 1 });
  const api = new FakeEndpoint(sim, () => ({
    kind: 'timeout',
    status: 504,
    latency: 60 as ApiOutcome['latency'],
  }));
  const client = createApiClient(sim, api, { name: 't', rate: { qps: 5, burst: 10, timeout: 0 } });
  client.call(get, () => {});
  sim.run();
  assert.equal(api.seen.length, 1);
});

test('a reset client drops the callbacks of calls made before it', () => {
  const sim = createSimulation({ seed: 1 });
  const api = new FakeEndpoint(sim, () => ok());
  api.delay = 1;
  const client = createApiClient(sim, api, { name: 't', rate: { qps: 5, burst: 10, timeout: 0 } });
  let calls = 0;
  client.call(get, () => calls++);
  sim.schedule(0.5, () => client.reset(), undefined);
  sim.run();
  assert.equal(calls, 0);
});

test('the reflector back-off doubles from 0.8 s to a 30 s cap with jitter 1.0 and resets after 2 min', () => {
  const sim = createSimulation({ seed: 3 });
  const b = new ExponentialBackoff(sim.random('b'));
  const base = [0.8, 1.6, 3.2, 6.4, 12.8, 25.6, 30, 30];
  base.forEach((d, i) => {
    const w = b.next(i);
    assert.ok(w >= d && w < 2 * d, `step ${i}: ${w} not in [${d}, ${2 * d})`);
  });
  const afterQuiet = b.next(8 + 121);
  assert.ok(afterQuiet >= 0.8 && afterQuiet < 1.6);
});
