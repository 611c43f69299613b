import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APF_PARAMETERS, requestWaitLimit } from '../../../src/model/apf/index.js';
import {
  admin,
  fixedLevel,
  flowSchemaFor,
  harness,
  kubelet,
  level,
  type Outcome,
  request,
  runUntil,
  serviceAccount,
  submit,
} from './fixtures.js';

describe('replica restart (reset)', () => {
  it('rejects every queued request as cancelled and clears the seats', () => {
    const h = harness({
      flowSchemas: [flowSchemaFor('fq', 'fq', 100, ['flood'])],
      priorityLevels: [fixedLevel('fq', 10, { queues: 64, handSize: 6, queueLengthLimit: 50 })],
    });
    const flood = { user: 'flood', groups: ['system:authenticated'], clientClass: 'user' };
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 100; i++) outcomes.push(submit(h, request(flood, 'get', 'pods'), { serviceTime: 5 }));
    assert.equal(h.filter.executingSeats, 24);
    assert.equal(h.filter.queuedRequests, 76);
    h.filter.reset();
    assert.equal(h.filter.executingSeats, 0);
    assert.equal(h.filter.queuedRequests, 0);
    const cancelled = outcomes.filter((o) => o.reason === 'cancelled');
    assert.equal(cancelled.length, 76);
    assert.ok(cancelled.every((o) => o.decidedAt === 0 && o.callbacks === 1));
    // Releases of requests admitted before the restart change nothing.
    outcomes[0]!.release!();
    runUntil(h, 20);
    assert.equal(level(h, 'fq').seatsInUse, 0);
    assert.ok(outcomes.every((o) => o.callbacks === 1));
    // The restarted replica admits again, from a fresh state.
    const after = submit(h, request(flood, 'get', 'pods'));
    assert.ok(after.dispatched);
    assert.equal(level(h, 'fq').currentCL, 24);
  });
});

describe('legacy max-in-flight filter (maxinflight.go)', () => {
  it('answers 429 with Retry-After 1 at once when a semaphore is full', () => {
    const h = harness({ mode: 'max-in-flight', maxRequestsInflight: 3, maxMutatingRequestsInflight: 1 });
    const sa = serviceAccount('apps', 'web');
    const reads: Outcome[] = [];
    for (let i = 0; i < 5; i++) reads.push(submit(h, request(sa, 'list', 'pods'), { serviceTime: 1 }));
    assert.deepEqual(
      reads.map((o) => (o.dispatched ? 'ok' : `${o.reason}:${o.retryAfter}`)),
      ['ok', 'ok', 'ok', 'concurrency-limit:1', 'concurrency-limit:1'],
    );
    // Mutating requests have their own semaphore.
    const writes = [0, 1].map(() =>
      submit(h, request(kubelet(1), 'update', 'leases', { namespace: 'kube-node-lease' })),
    );
    assert.deepEqual(
      writes.map((o) => o.dispatched),
      [true, false],
    );
    // system:masters is served when full; watches are long-running and never limited.
    assert.ok(submit(h, request(admin, 'list', 'pods')).dispatched);
    assert.ok(submit(h, request(sa, 'watch', 'pods')).dispatched);
    runUntil(h, 1);
    assert.ok(submit(h, request(sa, 'list', 'pods')).dispatched);
    assert.equal(h.filter.queuedRequests, 0);
    const names = h.filter.metrics().map((m) => `${m.name}{${m.labels?.request_kind}}`);
    assert.ok(names.includes('apiserver_dropped_requests_total{readOnly}'));
  });
});

describe('declarations', () => {
  it('declares bounded APF metrics with Kubernetes names for every configured level', () => {
    const h = harness();
    const metrics = h.filter.metrics();
    // 6 queuing levels x 6 series, catch-all 4, exempt 2.
    assert.equal(metrics.length, 42);
    const names = new Set(metrics.map((m) => m.name));
    for (const name of [
      'apiserver_flowcontrol_current_executing_seats',
      'apiserver_flowcontrol_current_inqueue_requests',
      'apiserver_flowcontrol_rejected_requests_total',
      'apiserver_flowcontrol_current_limit_seats',
      'apiserver_flowcontrol_dispatched_requests_total',
    ])
      assert.ok(names.has(name), name);
    for (const m of metrics) assert.equal(m.labels?.instance, 'apiserver-0');
    submit(h, request(serviceAccount('a', 'b'), 'get', 'pods', { namespace: 'a', scope: 'resource' }));
    const dispatched = metrics.find(
      (m) =>
        m.name === 'apiserver_flowcontrol_dispatched_requests_total' &&
        m.labels?.priority_level === 'workload-low',
    )!;
    assert.equal(dispatched.read(), 1);
  });

  it('declares every constant with a unit and a Kubernetes source', () => {
    for (const p of APF_PARAMETERS) {
      assert.ok(p.unit.length > 0, p.name);
      assert.match(p.source, /^kubernetes\/(apiserver@v0\.31\.0|kubernetes@v1\.31\.0):pkg\//);
      assert.equal(p.fitted, undefined);
    }
    const h = harness();
    assert.ok(h.filter.parameters!().some((p) => p.name.endsWith('maxRequestsInflight') && p.value === 400));
  });

  it('derives the queue-wait limit from the deadline: a quarter of it, at most a minute', () => {
    assert.equal(requestWaitLimit(60), 15);
    assert.equal(requestWaitLimit(10), 2.5);
    assert.equal(requestWaitLimit(undefined), 15);
    assert.equal(requestWaitLimit(1800), 60);
  });
});
