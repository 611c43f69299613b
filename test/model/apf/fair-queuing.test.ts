import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Identity } from '../../../src/model/api-types.js';
import {
  admin,
  every,
  fixedLevel,
  flowSchemaFor,
  harness,
  level,
  type Outcome,
  quantile,
  request,
  runUntil,
  serviceAccount,
  submit,
} from './fixtures.js';

const user = (name: string): Identity => ({
  user: name,
  groups: ['system:authenticated'],
  clientClass: 'user',
});

/** A fixed 24-seat level (10 shares of 255 at 600 seats) that `users` map to, one flow per user. */
function fixedHarness(users: string[], queuing = { queues: 64, handSize: 6, queueLengthLimit: 50 }) {
  return harness({
    flowSchemas: [flowSchemaFor('fq', 'fq', 100, users)],
    priorityLevels: [fixedLevel('fq', 10, queuing)],
  });
}

const waits = (outcomes: Outcome[]) =>
  outcomes.filter((o) => o.dispatched).map((o) => o.decidedAt - o.submittedAt);

describe('fair queuing within a priority level (queueset.go)', () => {
  it('keeps a light flow fast while a heavy flow in the same level queues and is rejected', () => {
    const h = fixedHarness(['heavy', 'light']);
    assert.equal(level(h, 'fq').currentCL, 24);
    const heavy: Outcome[] = [];
    const light: Outcome[] = [];
    // Heavy offers 100 seat-s/s to 24 seats; light offers 2.
    every(h.sim, 0, 60, 0.01, () =>
      heavy.push(submit(h, request(user('heavy'), 'get', 'pods'), { serviceTime: 1 })),
    );
    every(h.sim, 0.005, 60, 0.5, () =>
      light.push(submit(h, request(user('light'), 'get', 'pods'), { serviceTime: 1 })),
    );
    runUntil(h, 80);

    assert.ok(
      light.every((o) => o.dispatched),
      'light flow never rejected',
    );
    const lightWait = waits(light);
    const heavyWait = waits(heavy);
    // Once the heavy queues are full, light waits at most until the next seat frees (under one
    // service time): its virtual finish is behind the heavy queues'. During the first seconds it can
    // wait longer: k8s charges an executing request only G = 3 ms of virtual work until it completes,
    // so the heavy queues that just dispatched a burst look cheap (queueset.go finishRequestLocked).
    const steadyLight = light.filter((o) => o.submittedAt > 20);
    assert.ok(
      quantile(waits(steadyLight), 1) <= 1,
      `light max wait after 20 s ${quantile(waits(steadyLight), 1)}`,
    );
    assert.ok(quantile(lightWait, 1) < 4, `light max wait ${quantile(lightWait, 1)}`);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.ok(
      mean(lightWait) < 0.05 * mean(heavyWait),
      `mean waits ${mean(lightWait)} vs ${mean(heavyWait)}`,
    );
    assert.ok(quantile(heavyWait, 0.5) > 10, `heavy median wait ${quantile(heavyWait, 0.5)}`);
    const rejected = heavy.filter((o) => !o.dispatched);
    assert.ok(rejected.some((o) => o.reason === 'queue-full'));
    // Light got its whole demand (2 seats); heavy got the rest of the 24 seats.
    const lightServed = light.filter((o) => o.dispatched).length;
    const heavyServed = heavy.filter((o) => o.dispatched).length;
    assert.equal(lightServed, light.length);
    assert.ok(heavyServed > 20 * 55, `heavy served ${heavyServed}`);
  });

  it('rejects queue-full only when the level is at its limit and the chosen queue holds 50', () => {
    const h = fixedHarness(['flood']);
    const outcomes: Outcome[] = [];
    // 24 executing, then 6 queues x 50 of the flow's hand, then rejections.
    for (let i = 0; i < 24 + 300 + 10; i++)
      outcomes.push(
        submit(h, request(user('flood'), 'get', 'pods'), { serviceTime: Number.POSITIVE_INFINITY }),
      );
    assert.equal(outcomes.filter((o) => o.dispatched).length, 24);
    assert.equal(h.filter.queuedRequests, 300);
    assert.deepEqual(
      outcomes.slice(324).map((o) => [o.reason, o.retryAfter]),
      Array.from({ length: 10 }, () => ['queue-full', 1]),
    );
  });

  it('counts a cohort of 10 as 10 of the 50 slots and rejects it whole when it does not fit', () => {
    const h = fixedHarness(['flood'], { queues: 1, handSize: 1, queueLengthLimit: 50 });
    for (let i = 0; i < 24; i++)
      submit(h, request(user('flood'), 'get', 'pods'), { serviceTime: Number.POSITIVE_INFINITY });
    const cohorts: Outcome[] = [];
    for (let i = 0; i < 5; i++)
      cohorts.push(
        submit(h, request(user('flood'), 'get', 'pods', { count: 9 }), {
          serviceTime: Number.POSITIVE_INFINITY,
        }),
      );
    assert.equal(h.filter.queuedRequests, 45);
    const tooBig = submit(h, request(user('flood'), 'get', 'pods', { count: 10 }));
    assert.equal(tooBig.reason, 'queue-full');
    const fits = submit(h, request(user('flood'), 'get', 'pods', { count: 5 }));
    assert.equal(fits.callbacks, 0);
    assert.equal(h.filter.queuedRequests, 50);
  });

  it('caps a cohort wider than the level at the level so it still dispatches', () => {
    const h = fixedHarness(['wide']);
    const cohort = submit(h, request(user('wide'), 'list', 'pods', { count: 40 }), {
      numStored: 5000,
      serviceTime: 1,
    });
    assert.equal(cohort.dispatched, true);
    assert.equal(level(h, 'fq').seatsInUse, 24);
    assert.equal(level(h, 'fq').executingRequests, 40);
  });

  it('rejects time-out when the queue-wait limit expires', () => {
    const h = fixedHarness(['flood']);
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 30; i++)
      outcomes.push(
        submit(h, request(user('flood'), 'get', 'pods'), {
          serviceTime: Number.POSITIVE_INFINITY,
          waitLimit: 2.5,
        }),
      );
    runUntil(h, 10);
    const timedOut = outcomes.filter((o) => o.reason === 'time-out');
    assert.equal(timedOut.length, 6);
    for (const o of timedOut) assert.equal(o.decidedAt, 2.5);
    assert.equal(h.filter.queuedRequests, 0);
  });

  it('dispatches nothing past a wide head that does not fit (dispatch with no accommodation)', () => {
    const h = harness();
    const sa = serviceAccount('telemetry', 'collector');
    // workload-low starts at 56 seats; fill 50 with 1-seat requests held for 10 s.
    for (let i = 0; i < 50; i++)
      submit(h, request(sa, 'get', 'pods', { namespace: 'a', scope: 'resource' }), { serviceTime: 10 });
    // A 10-seat LIST (5000 objects from cache) cannot fit in the 6 free seats...
    const wide = submit(h, request(sa, 'list', 'pods'), {
      numStored: 5000,
      servedFromCache: true,
      serviceTime: 1,
    });
    assert.equal(wide.callbacks, 0);
    // ...and a 1-seat request of another flow arriving a second later, when virtual time has moved
    // past the wide request's virtual finish, waits behind it although 6 seats are free.
    let small: Outcome | null = null;
    h.sim.scheduleAt(
      1,
      () => {
        small = submit(
          h,
          request(serviceAccount('other', 'app'), 'get', 'pods', { namespace: 'b', scope: 'resource' }),
          {
            serviceTime: 0.1,
          },
        );
      },
      undefined,
    );
    runUntil(h, 9.9);
    assert.equal(small!.callbacks, 0);
    assert.equal(level(h, 'workload-low').seatsInUse, 50);
    runUntil(h, 10.5);
    assert.equal(wide.decidedAt, 10);
    assert.equal(small!.decidedAt, 10);
  });

  it('answers concurrency-limit from a level without queues and lets the exempt level through', () => {
    const nobody: Identity = { user: 'stranger', groups: [], clientClass: 'user' };
    const h = harness();
    const catchAll = level(h, 'catch-all');
    const outcomes: Outcome[] = [];
    for (let i = 0; i < catchAll.currentCL + 3; i++)
      outcomes.push(submit(h, request(nobody, 'get', 'pods'), { serviceTime: Number.POSITIVE_INFINITY }));
    assert.equal(h.filter.classify(request(nobody, 'get', 'pods')).priorityLevel, 'catch-all');
    assert.deepEqual(
      outcomes.filter((o) => !o.dispatched).map((o) => o.reason),
      ['concurrency-limit', 'concurrency-limit', 'concurrency-limit'],
    );
    for (let i = 0; i < 1000; i++)
      assert.ok(
        submit(h, request(admin, 'list', 'pods'), {
          numStored: 150000,
          serviceTime: Number.POSITIVE_INFINITY,
        }).dispatched,
      );
    assert.equal(level(h, 'exempt').seatsInUse, 10000);
  });

  it('holds mutating fan-out seats for the additional latency after the handler finishes', () => {
    const h = harness();
    const sa = serviceAccount('telemetry', 'collector');
    const update = submit(
      h,
      request(sa, 'update', 'configmaps', { namespace: 'telemetry', scope: 'resource' }),
      {
        watchers: 35,
        serviceTime: 0.1,
      },
    );
    assert.ok(update.dispatched);
    // ceil(35/10) = 4 final seats for 5 ms each: max(1, 4) seats held for 0.1 s + 5 ms.
    assert.equal(level(h, 'workload-low').seatsInUse, 4);
    runUntil(h, 0.104);
    assert.equal(level(h, 'workload-low').seatsInUse, 4);
    runUntil(h, 0.106);
    assert.equal(level(h, 'workload-low').seatsInUse, 0);
  });
});
