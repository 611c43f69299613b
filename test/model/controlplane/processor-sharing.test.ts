import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createSimulation } from '../../../src/engine/index.js';
import { createProcessorSharing } from '../../../src/model/controlplane/processor-sharing.js';

test('two equal jobs on one core share it and finish together', () => {
  const sim = createSimulation({ seed: 1 });
  const ps = createProcessorSharing(sim, 1);
  const done: number[] = [];
  ps.add(1, 1, () => done.push(sim.now), 0);
  ps.add(1, 1, () => done.push(sim.now), 0);
  sim.run();
  assert.deepEqual(done, [2, 2]);
});

test('a job runs at most one core even when cores are idle', () => {
  const sim = createSimulation({ seed: 1 });
  const ps = createProcessorSharing(sim, 4);
  const done: number[] = [];
  ps.add(1, 1, () => done.push(sim.now), 0);
  ps.add(2, 1, () => done.push(sim.now), 0);
  sim.run();
  assert.deepEqual(done, [1, 2]);
});

test('a cohort of weight 3 takes as long as three separate jobs', () => {
  const sim = createSimulation({ seed: 1 });
  const ps = createProcessorSharing(sim, 1);
  let at = -1;
  ps.add(
    1,
    3,
    () => {
      at = sim.now;
    },
    0,
  );
  sim.run();
  assert.ok(Math.abs(at - 3) < 1e-9);
});

test('an abandoned job stops consuming and the others speed up', () => {
  const sim = createSimulation({ seed: 1 });
  const ps = createProcessorSharing(sim, 1);
  let at = -1;
  ps.add(
    2,
    1,
    () => {
      at = sim.now;
    },
    0,
  );
  const other = ps.add(10, 1, () => assert.fail('abandoned job completed'), 0);
  sim.schedule(1, () => ps.remove(other), undefined);
  sim.run();
  // 0..1: rate 1/2 (0.5 done); then alone: 1.5 more.
  assert.ok(Math.abs(at - 2.5) < 1e-9);
});

test('busy core-seconds equal the work done, for any job mix', () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          at: fc.double({ min: 0, max: 10, noNaN: true }),
          work: fc.double({ min: 0.001, max: 5, noNaN: true }),
          weight: fc.integer({ min: 1, max: 4 }),
        }),
        { minLength: 1, maxLength: 40 },
      ),
      fc.integer({ min: 1, max: 8 }),
      (jobs, cores) => {
        const sim = createSimulation({ seed: 1 });
        const ps = createProcessorSharing(sim, cores);
        let total = 0;
        let finished = 0;
        for (const j of jobs) {
          total += j.work * j.weight;
          sim.scheduleAt(j.at, () => ps.add(j.work, j.weight, () => finished++, 0), undefined);
        }
        sim.run();
        assert.equal(finished, jobs.length);
        assert.ok(Math.abs(ps.busyIntegral() - total) < 1e-6 * (1 + total));
      },
    ),
    { numRuns: 200 },
  );
});

test('M/M/1-PS mean response time matches 1/(mu - lambda)', () => {
  const sim = createSimulation({ seed: 7 });
  const ps = createProcessorSharing(sim, 1);
  const rnd = sim.random('mm1');
  const lambda = 0.8;
  let sum = 0;
  let count = 0;
  const n = 200_000;
  let arrived = 0;
  const arrive = (): void => {
    const start = sim.now;
    ps.add(
      rnd.exponential(1),
      1,
      () => {
        sum += sim.now - start;
        count++;
      },
      0,
    );
    if (++arrived < n) sim.schedule(rnd.exponential(lambda), arrive, undefined);
  };
  sim.schedule(0, arrive, undefined);
  sim.run();
  const mean = sum / count;
  assert.ok(Math.abs(mean - 5) / 5 < 0.06, `mean ${mean}`);
});

test('a job whose remaining work is below the clock resolution hours into a run completes instead of spinning', () => {
  const sim = createSimulation({ seed: 1 });
  const ps = createProcessorSharing(sim, 30.78);
  const start = 16552.815525927803;
  let doneAt = -1;
  let events = 0;
  // 1.5e-12 s of work at 16,552 s: now + 1.5e-12 rounds back to now (the spacing there is 3.6e-12).
  sim.scheduleAt(start, () => ps.add(1.54e-12, 1, () => (doneAt = sim.now), 0), undefined);
  sim.onTrace(() => {
    if (++events > 10_000) sim.stop();
  });
  sim.run({ until: start + 1 });
  assert.ok(events < 100, `${events} events to finish one job`);
  assert.equal(doneAt, start);
});
