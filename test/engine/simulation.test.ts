import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  createResource,
  createSimulation,
  LATE,
  type ProcessGenerator,
  type Seconds,
  type Simulation,
  type TraceRecord,
  URGENT,
} from '../../src/engine/index.js';

const at = (t: number): Seconds => t as Seconds;

/**
 * A small model mixing callbacks, processes and a contended resource, all driven by named streams:
 * arrivals until `arrivalsUntil`, each holding one of two desks for an exponential time.
 */
function visitorModel(sim: Simulation, arrivalsUntil: number): void {
  const desk = createResource(sim, { capacity: 2, discipline: 'priority' });
  const arrivals = sim.random('arrivals');
  const work = sim.random('work');
  function* visitor(priority: number): ProcessGenerator<void> {
    const request = desk.request(priority);
    yield request;
    yield work.exponential(1);
    desk.release(request);
  }
  const arrive = (): void => {
    sim.process(visitor(arrivals.int(3)));
    if (sim.now < arrivalsUntil) sim.schedule(arrivals.exponential(1.5), arrive, undefined);
  };
  sim.schedule(0, arrive, undefined);
}

function traceHash(seed: number): string {
  const sim = createSimulation({ seed });
  const hash = createHash('sha256');
  sim.onTrace((r: TraceRecord) => hash.update(`${r.time}|${r.priority}|${r.sequence}|${r.label}\n`));
  visitorModel(sim, 200);
  sim.run();
  return hash.digest('hex');
}

test('the same seed gives an identical trace hash; a different seed gives a different one', () => {
  const first = traceHash(42);
  assert.equal(traceHash(42), first);
  assert.notEqual(traceHash(43), first);
});

test('adding a named stream does not change another stream’s draws', () => {
  const alone = createSimulation({ seed: 7 });
  const expected = Array.from({ length: 100 }, () => alone.random('a').next());
  const shared = createSimulation({ seed: 7 });
  const a = shared.random('a');
  const b = shared.random('b');
  const drawn: number[] = [];
  for (let i = 0; i < 100; i++) {
    drawn.push(a.next());
    b.exponential(2);
    shared.random(`extra-${i}`).next();
  }
  assert.deepEqual(drawn, expected);
});

test('streams with different names or seeds differ', () => {
  const sim = createSimulation({ seed: 1 });
  assert.notEqual(sim.random('x').next(), sim.random('y').next());
  assert.notEqual(
    createSimulation({ seed: 1 }).random('x').next(),
    createSimulation({ seed: 2 }).random('x').next(),
  );
});

test('random helpers have the right means and spreads', () => {
  const r = createSimulation({ seed: 3 }).random('moments');
  const n = 400_000;
  const mean = (draw: () => number): { mean: number; variance: number } => {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < n; i++) {
      const x = draw();
      sum += x;
      squares += x * x;
    }
    return { mean: sum / n, variance: squares / n - (sum / n) ** 2 };
  };
  const close = (actual: number, expected: number, tolerance: number, what: string): void =>
    assert.ok(
      Math.abs(actual - expected) <= tolerance,
      `${what}: ${actual}, expected ${expected} ± ${tolerance}`,
    );
  const u = mean(() => r.next());
  close(u.mean, 0.5, 0.003, 'next mean');
  close(u.variance, 1 / 12, 0.001, 'next variance');
  close(mean(() => r.uniform(2, 6)).mean, 4, 0.01, 'uniform mean');
  const e = mean(() => r.exponential(4));
  close(e.mean, 0.25, 0.002, 'exponential mean');
  close(e.variance, 0.0625, 0.001, 'exponential variance');
  const g = mean(() => r.normal(10, 2));
  close(g.mean, 10, 0.02, 'normal mean');
  close(g.variance, 4, 0.05, 'normal variance');
  close(mean(() => r.lognormal(0, 0.5)).mean, Math.exp(0.125), 0.01, 'lognormal mean');
  close(mean(() => r.jitter(10, 0.2)).mean, 11, 0.01, 'jitter mean');
  const k = mean(() => r.int(10));
  close(k.mean, 4.5, 0.03, 'int mean');
  for (let i = 0; i < 10_000; i++) {
    const x = r.int(7);
    assert.ok(Number.isInteger(x) && x >= 0 && x < 7);
  }
});

test('exponential draws follow the exponential distribution (Kolmogorov-Smirnov on 200,000 draws)', () => {
  const r = createSimulation({ seed: 11 }).random('ks');
  const n = 200_000;
  const xs = Float64Array.from({ length: n }, () => r.exponential(1)).sort();
  let d = 0;
  for (let i = 0; i < n; i++) {
    const cdf = 1 - Math.exp(-xs[i]!);
    d = Math.max(d, Math.abs(cdf - i / n), Math.abs(cdf - (i + 1) / n));
  }
  // 1.63 / sqrt(n) is the 1% critical value.
  assert.ok(d < 1.63 / Math.sqrt(n), `KS distance ${d}`);
  assert.ok(xs[n - 1]! > 10, 'the tail beyond the ziggurat base is reached');
});

test('run({until}) runs events at exactly until, leaves later ones pending and sets the clock to until', () => {
  const sim = createSimulation({ seed: 1 });
  const ran: number[] = [];
  const note = (t: number): void => {
    ran.push(t);
  };
  for (const t of [1, 5, 5, 7]) sim.scheduleAt(t, note, t, LATE);
  assert.equal(sim.run({ until: at(5) }), 5);
  assert.deepEqual(ran, [1, 5, 5]);
  assert.equal(sim.pending, 1);
  sim.run({ until: at(6) });
  assert.equal(sim.now, 6);
  assert.equal(sim.peek(), 7);
  sim.run();
  assert.deepEqual(ran, [1, 5, 5, 7]);
  assert.equal(sim.now, 7);
});

test('ending a run is itself an event: it runs after every priority at until and is counted', () => {
  const sim = createSimulation({ seed: 1 });
  const labels: string[] = [];
  sim.onTrace((r) => labels.push(r.label));
  sim.scheduleAt(2, function lastInstant() {}, undefined, 127);
  sim.run({ until: at(2) });
  assert.deepEqual(labels, ['lastInstant', 'endRun']);
  assert.equal(sim.eventsProcessed, 2);
  assert.equal(sim.pending, 0);
});

test('stop() from inside a handler ends the run after that event, and a later run continues', () => {
  const sim = createSimulation({ seed: 1 });
  const ran: number[] = [];
  for (let t = 1; t <= 5; t++)
    sim.scheduleAt(
      t,
      (x: number) => {
        ran.push(x);
        if (x === 2) sim.stop();
      },
      t,
    );
  assert.equal(sim.run({ until: at(10) }), 2);
  assert.deepEqual(ran, [1, 2]);
  assert.equal(sim.pending, 3, 'the end-of-run event does not linger');
  sim.run();
  assert.deepEqual(ran, [1, 2, 3, 4, 5]);
});

test('equal-time events run by priority, then in scheduling order', () => {
  const sim = createSimulation({ seed: 1 });
  const order: string[] = [];
  const note = (s: string): void => {
    order.push(s);
  };
  sim.schedule(1, note, 'normal-1');
  sim.schedule(1, note, 'late', LATE);
  sim.schedule(1, note, 'urgent', URGENT);
  sim.schedule(1, note, 'normal-2');
  sim.run();
  assert.deepEqual(order, ['urgent', 'normal-1', 'normal-2', 'late']);
});

test('a cancelled callback never runs and cancelling twice returns false', () => {
  const sim = createSimulation({ seed: 1 });
  let ran = false;
  const id = sim.schedule(
    1,
    () => {
      ran = true;
    },
    undefined,
  );
  assert.equal(sim.cancel(id), true);
  assert.equal(sim.cancel(id), false);
  sim.run();
  assert.equal(ran, false);
  assert.equal(sim.now, 0);
});

test('misuse is rejected with a message that says the fix', () => {
  const sim = createSimulation({ seed: 1 });
  const noop = (): void => {};
  assert.throws(() => sim.schedule(-1, noop, undefined), /delay -1 must be finite and not in the past/);
  assert.throws(() => sim.schedule(Number.NaN, noop, undefined), RangeError);
  assert.throws(() => sim.schedule(Number.POSITIVE_INFINITY, noop, undefined), RangeError);
  assert.throws(() => sim.schedule(1, noop, undefined, 1.5), /priority must be an integer in \[0, 127\]/);
  assert.throws(() => sim.schedule(1, noop, undefined, 128), /priority/);
  sim.schedule(3, noop, undefined);
  sim.run();
  assert.throws(() => sim.scheduleAt(2, noop, undefined), /in the past/);
  assert.throws(() => sim.run({ until: at(1) }), /before now/);
  sim.schedule(1, () => sim.run(), undefined);
  assert.throws(() => sim.run(), /already running/);
});

test('an exception in a handler stops the run and propagates; the simulation stays usable', () => {
  const sim = createSimulation({ seed: 1 });
  sim.schedule(
    1,
    () => {
      throw new Error('boom');
    },
    undefined,
  );
  let later = false;
  sim.schedule(
    2,
    () => {
      later = true;
    },
    undefined,
  );
  assert.throws(() => sim.run({ until: at(10) }), /boom/);
  assert.equal(sim.now, 1);
  assert.equal(sim.pending, 1);
  sim.run();
  assert.equal(later, true);
});

test('handlers may schedule at the current instant; those events run before the clock moves', () => {
  const sim: Simulation = createSimulation({ seed: 1 });
  const seen: [number, string][] = [];
  sim.schedule(
    1,
    () => {
      seen.push([sim.now, 'a']);
      sim.schedule(0, () => seen.push([sim.now, 'b']), undefined);
    },
    undefined,
  );
  sim.schedule(1.5, () => seen.push([sim.now, 'c']), undefined);
  sim.run();
  assert.deepEqual(seen, [
    [1, 'a'],
    [1, 'b'],
    [1.5, 'c'],
  ]);
});

/**
 * The trace of visitorModel, run by `drive`: time, priority and label of every event but the end of
 * a run (whose own sequence number shifts those scheduled after it, not their order).
 */
function modelTrace(seed: number, drive: (sim: Simulation) => void): string[] {
  const sim = createSimulation({ seed });
  const trace: string[] = [];
  sim.onTrace((r: TraceRecord) => {
    if (r.label !== 'endRun') trace.push(`${r.time}|${r.priority}|${r.label}`);
  });
  visitorModel(sim, 100);
  drive(sim);
  return trace;
}

test('advancing in any steps runs the same events in the same order as one run', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 2 ** 31 - 1 }),
      fc.array(fc.double({ min: 0, max: 20, noNaN: true }), { maxLength: 30 }),
      (seed, steps) => {
        const whole = modelTrace(seed, (sim) => sim.run({ until: 150 }));
        const stepped = modelTrace(seed, (sim) => {
          let t = 0;
          for (const dt of steps) {
            t = Math.min(150, t + dt);
            assert.equal(sim.advance(t), t);
          }
          sim.advance(150);
        });
        assert.deepEqual(stepped, whole);
      },
    ),
    { numRuns: 40 },
  );
});

test('advance(until) runs events at exactly until, adds no event of its own and sets the clock', () => {
  const sim = createSimulation({ seed: 1 });
  const ran: number[] = [];
  for (const t of [1, 2, 2, 3]) sim.scheduleAt(t, (x: number) => ran.push(x), t, LATE);
  assert.equal(sim.advance(2), 2);
  assert.deepEqual(ran, [1, 2, 2]);
  assert.equal(sim.eventsProcessed, 3);
  assert.equal(sim.pending, 1);
  assert.equal(sim.advance(2.5), 2.5);
  assert.equal(sim.now, 2.5);
  assert.equal(sim.eventsProcessed, 3);
});

test('stop() inside advance returns at once with the clock at that event; the next advance goes on', () => {
  const sim = createSimulation({ seed: 1 });
  const ran: number[] = [];
  sim.scheduleAt(1, () => ran.push(1), undefined);
  sim.scheduleAt(
    2,
    () => {
      ran.push(2);
      sim.stop();
    },
    undefined,
  );
  sim.scheduleAt(3, () => ran.push(3), undefined);
  assert.equal(sim.advance(10), 2);
  assert.deepEqual(ran, [1, 2]);
  assert.equal(sim.advance(10), 10);
  assert.deepEqual(ran, [1, 2, 3]);
});

test('advance rejects a time in the past, an infinite one, and a call from inside an event', () => {
  const sim = createSimulation({ seed: 1 });
  sim.advance(5);
  assert.throws(() => sim.advance(4), /not before now/);
  assert.throws(() => sim.advance(Number.POSITIVE_INFINITY), /must be finite/);
  let inner: unknown = null;
  sim.schedule(
    1,
    () => {
      try {
        sim.advance(7);
      } catch (e) {
        inner = e;
      }
    },
    undefined,
  );
  sim.advance(10);
  assert.match(String(inner), /already running/);
});
