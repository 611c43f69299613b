import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { every, harness, kubelet, request, runUntil, serviceAccount, submit } from './fixtures.js';

/** Runs three DaemonSet flows offering `perTick` 3-seat LISTs every 0.1 s, exact or as cohorts. */
function run(mode: 'exact' | 'cohort', perTick: number, serviceTime: number) {
  const h = harness();
  const sas = [0, 1, 2].map((i) => serviceAccount(`ns${i}`, 'agent'));
  const results: { count: number; dispatched: boolean; wait: number; timedOut: boolean }[] = [];
  const outcomes: { count: number; o: ReturnType<typeof submit> }[] = [];
  let k = 0;
  every(h.sim, 0, 120, 0.1, () => {
    const sa = sas[k++ % sas.length]!;
    if (mode === 'exact')
      for (let i = 0; i < perTick; i++)
        outcomes.push({
          count: 1,
          o: submit(h, request(sa, 'list', 'pods'), { numStored: 300, serviceTime }),
        });
    else
      outcomes.push({
        count: perTick,
        o: submit(h, request(sa, 'list', 'pods', { count: perTick }), { numStored: 300, serviceTime }),
      });
  });
  runUntil(h, 140);
  for (const { count, o } of outcomes)
    results.push({
      count,
      dispatched: o.dispatched,
      wait: o.decidedAt - o.submittedAt,
      timedOut: o.reason === 'time-out',
    });
  const served = results.filter((r) => r.dispatched).reduce((s, r) => s + r.count, 0);
  const timedOut = results.filter((r) => r.timedOut).reduce((s, r) => s + r.count, 0);
  const wait = results.filter((r) => r.dispatched).reduce((s, r) => s + r.count * r.wait, 0) / served;
  return { served, timedOut, wait };
}

describe('cohorts against the exact path (differential)', () => {
  for (const [perTick, serviceTime] of [
    [10, 1],
    [10, 3],
    [20, 2],
  ] as const) {
    it(`serves and times out the same requests within 5% for ${perTick} per 0.1 s held ${serviceTime} s`, () => {
      const exact = run('exact', perTick, serviceTime);
      const cohort = run('cohort', perTick, serviceTime);
      const offered = perTick * 1200;
      assert.ok(
        Math.abs(exact.served - cohort.served) <= 0.05 * offered,
        `served ${exact.served} vs ${cohort.served}`,
      );
      assert.ok(
        Math.abs(exact.timedOut - cohort.timedOut) <= 0.05 * offered,
        `timed out ${exact.timedOut} vs ${cohort.timedOut}`,
      );
      assert.ok(
        Math.abs(exact.wait - cohort.wait) <= 0.35 * exact.wait + 0.1,
        `mean wait ${exact.wait} vs ${cohort.wait}`,
      );
    });
  }
});

describe('a cohort of kubelets', () => {
  /** node-high is kept busy by 2 s status updates from 400 other nodes; then 125 more nodes report. */
  function burst(mode: 'exact' | 'cohort') {
    const h = harness();
    for (let n = 1000; n < 1400; n++)
      submit(h, request(kubelet(n), 'update', 'nodes/status'), { serviceTime: 2 });
    const outcomes: { count: number; o: ReturnType<typeof submit> }[] = [];
    h.sim.schedule(
      0.5,
      () => {
        if (mode === 'cohort')
          outcomes.push({
            count: 125,
            o: submit(h, request(kubelet(0), 'update', 'nodes/status', { count: 125 }), {
              serviceTime: 2,
            }),
          });
        else
          for (let n = 0; n < 125; n++)
            outcomes.push({
              count: 1,
              o: submit(h, request(kubelet(n), 'update', 'nodes/status'), { serviceTime: 2 }),
            });
      },
      undefined,
    );
    runUntil(h, 60);
    return outcomes.filter((x) => x.o.reason === 'queue-full').reduce((s, x) => s + x.count, 0);
  }

  it('is dealt over queues like the distinct kubelets it stands for, not rejected whole by one queue', () => {
    const exact = burst('exact');
    assert.equal(exact, 0, 'the 125 distinct kubelets fit in their queues');
    assert.equal(burst('cohort'), exact);
  });
});

describe('kubelet cohorts on a saturated node-high level (differential)', () => {
  /**
   * 6,000 nodes send a status update every 10 s for 120 s, each held 4 s: node-high's seats cannot keep
   * up, its queues fill and some updates are rejected 'queue-full'. Exact: one request per node;
   * cohort: blocks of 125 nodes, one request each (the aggregate fidelity's shape).
   */
  function storm(mode: 'exact' | 'cohort') {
    const h = harness();
    const nodes = 6000;
    const block = 125;
    const outcomes: { count: number; o: ReturnType<typeof submit> }[] = [];
    for (let b = 0; b < nodes / block; b++) {
      every(h.sim, (b * 10) / (nodes / block), 120, 10, () => {
        if (mode === 'cohort') {
          const req = request(kubelet(b * block), 'update', 'nodes/status', { count: block });
          outcomes.push({ count: block, o: submit(h, req, { serviceTime: 4 }) });
          return;
        }
        for (let n = b * block; n < (b + 1) * block; n++)
          outcomes.push({
            count: 1,
            o: submit(h, request(kubelet(n), 'update', 'nodes/status'), { serviceTime: 4 }),
          });
      });
    }
    runUntil(h, 200);
    const total = (pick: (o: ReturnType<typeof submit>) => boolean) =>
      outcomes.filter((x) => pick(x.o)).reduce((s, x) => s + x.count, 0);
    return {
      offered: total(() => true),
      queueFull: total((o) => o.reason === 'queue-full'),
      dispatched: total((o) => o.dispatched),
      timeOut: total((o) => o.reason === 'time-out'),
    };
  }

  it('rejects about as many updates queue-full as the distinct kubelets would, not every cohort', () => {
    const exact = storm('exact');
    const cohort = storm('cohort');
    assert.ok(exact.queueFull > 0.1 * exact.offered, `the exact run saturates: ${JSON.stringify(exact)}`);
    assert.ok(
      Math.abs(exact.queueFull - cohort.queueFull) <= 0.1 * exact.offered,
      `queue-full ${exact.queueFull} exact vs ${cohort.queueFull} cohort of ${exact.offered}`,
    );
    assert.ok(
      Math.abs(exact.dispatched - cohort.dispatched) <= 0.1 * exact.offered,
      `dispatched ${exact.dispatched} exact vs ${cohort.dispatched} cohort`,
    );
  });
});
