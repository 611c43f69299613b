import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createSimulation } from '../../../src/engine/index.js';
import { watchFleetTimers } from '../../../src/model/fleet/fleet-timers.js';

test('the next fleet timer is the earliest one scheduled through the view that has neither run nor been cancelled', () => {
  // Operations: schedule at a delay, cancel the k-th id handed out, or run the simulation a while.
  const op = fc.oneof(
    fc.record({ kind: fc.constant('schedule' as const), delay: fc.integer({ min: 0, max: 100 }) }),
    fc.record({ kind: fc.constant('cancel' as const), k: fc.nat(40) }),
    fc.record({ kind: fc.constant('advance' as const), by: fc.integer({ min: 0, max: 60 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
      const sim = createSimulation({ seed: 1 });
      const timers = watchFleetTimers(sim);
      // The reference: every timer's time and whether it is still pending.
      const ids: number[] = [];
      const model = new Map<number, { at: number; isPending: boolean }>();
      let ran = 0;
      for (const o of ops) {
        if (o.kind === 'schedule') {
          const id = timers.schedule(
            o.delay,
            (x: number) => {
              model.get(x)!.isPending = false;
              ran++;
            },
            ids.length,
          );
          model.set(ids.length, { at: sim.now + o.delay, isPending: true });
          ids.push(id);
        } else if (o.kind === 'cancel') {
          if (o.k >= ids.length) continue;
          const entry = model.get(o.k)!;
          assert.equal(timers.cancel(ids[o.k]!), entry.isPending);
          entry.isPending = false;
        } else sim.advance(sim.now + o.by);
        const pending = [...model.values()].filter((e) => e.isPending).map((e) => e.at);
        assert.equal(timers.nextTimerAt(), pending.length ? Math.min(...pending) : Number.POSITIVE_INFINITY);
        assert.equal(timers.timersRun, ran);
      }
    }),
    { numRuns: 300 },
  );
});

test('a fleet timer runs its handler at its time, through the simulation it views', () => {
  const sim = createSimulation({ seed: 1 });
  const timers = watchFleetTimers(sim);
  const seen: [string, number][] = [];
  timers.scheduleAt(30, (what: string) => seen.push([what, sim.now]), 'at');
  timers.schedule(10, (what: string) => seen.push([what, sim.now]), 'after');
  sim.schedule(20, () => seen.push(['direct', sim.now]), undefined);
  assert.equal(timers.nextTimerAt(), 10);
  sim.run();
  assert.deepEqual(seen, [
    ['after', 10],
    ['direct', 20],
    ['at', 30],
  ]);
  assert.equal(timers.timersRun, 2, 'the direct event is not a fleet timer');
  assert.equal(timers.nextTimerAt(), Number.POSITIVE_INFINITY);
});

test('the fleet timers refuse what they could not watch (processes, timeout events)', () => {
  const timers = watchFleetTimers(createSimulation({ seed: 1 }));
  assert.throws(() => timers.timeout(5), /callbacks only; a timeout event/);
  assert.throws(() => timers.process(function* () {}), /callbacks only; a process/);
});
