import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { every, harness, request, runUntil, serviceAccount, submit } from './fixtures.js';

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
