import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  createResource,
  createSimulation,
  type ProcessGenerator,
  type QueueDiscipline,
  type Request,
  type Resource,
  type Simulation,
} from '../../src/engine/index.js';

/** The conformance suite every queue discipline passes. */
for (const discipline of ['fifo', 'priority'] as const satisfies readonly QueueDiscipline[]) {
  test(`${discipline}: a resource grants at most capacity units; the rest wait until a release`, () => {
    const sim = createSimulation({ seed: 1 });
    const desk = createResource(sim, { capacity: 2, discipline });
    const started: [string, number][] = [];
    for (const name of ['a', 'b', 'c', 'd'])
      sim.process(function* (): ProcessGenerator<void> {
        const request = desk.request();
        yield request;
        started.push([name, sim.now]);
        yield 10;
        desk.release(request);
      });
    sim.run({ until: 1 as never });
    assert.equal(desk.inUse, 2);
    assert.equal(desk.queueLength, 2);
    sim.run();
    assert.deepEqual(started, [
      ['a', 0],
      ['b', 0],
      ['c', 10],
      ['d', 10],
    ]);
    assert.equal(desk.inUse, 0);
  });

  test(`${discipline}: equal-priority requests are served first come, first served`, () => {
    const { order } = serveInOrder(discipline, [0, 0, 0, 0, 0]);
    assert.deepEqual(order, [1, 2, 3, 4]);
  });

  test(`${discipline}: a withdrawn waiting request is skipped and releasing twice is an error`, () => {
    const sim = createSimulation({ seed: 1 });
    const desk = createResource(sim, { capacity: 1, discipline });
    const held = desk.request();
    const impatient = desk.request();
    const patient = desk.request();
    desk.release(impatient);
    assert.equal(desk.queueLength, 1);
    desk.release(held);
    assert.equal(patient.isGranted, true);
    assert.equal(impatient.isGranted, false);
    assert.throws(() => desk.release(held), /already released/);
    assert.throws(() => desk.release(impatient), /already released or withdrawn/);
    sim.run();
  });

  test(`${discipline}: random request/release sequences keep every invariant`, () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(
          fc.record({
            arrive: fc.double({ min: 0, max: 5, noNaN: true, noDefaultInfinity: true }),
            hold: fc.oneof(
              fc.constant(0),
              fc.double({ min: 0, max: 3, noNaN: true, noDefaultInfinity: true }),
            ),
            patience: fc.option(fc.double({ min: 0, max: 2, noNaN: true, noDefaultInfinity: true })),
            priority: fc.integer({ min: 0, max: 2 }),
          }),
          { maxLength: 60 },
        ),
        (capacity, customers) => {
          const sim = createSimulation({ seed: 1 });
          const desk = createResource(sim, { capacity, discipline });
          /** Requests that had to queue, in request order, until seen granted or withdrawn. */
          let queued: { request: Request; priority: number; order: number }[] = [];
          let order = 0;
          const isBefore = (
            a: { priority: number; order: number },
            b: { priority: number; order: number },
          ): boolean =>
            discipline === 'priority' && a.priority !== b.priority
              ? a.priority < b.priority
              : a.order < b.order;
          // Checked before every event, i.e. after the previous one: the invariants, and that each request
          // granted since was the first in line among those still waiting.
          const check = (): void => {
            assert.ok(desk.inUse >= 0 && desk.inUse <= capacity);
            assert.ok(desk.queueLength === 0 || desk.inUse === capacity, 'nobody waits while a unit is free');
            const stillWaiting = queued.filter((q) => !q.request.isGranted && !q.request.isTriggered);
            const waiting = stillWaiting.filter((q) => !withdrawn.has(q.request));
            for (const q of queued)
              if (q.request.isGranted)
                for (const w of waiting)
                  assert.ok(!isBefore(w, q), `request ${w.order} was passed over by ${q.order}`);
            queued = stillWaiting;
            assert.equal(desk.queueLength, waiting.length);
          };
          const withdrawn = new Set<Request>();
          sim.onTrace(check);
          for (const c of customers)
            sim.process(function* (): ProcessGenerator<void> {
              yield c.arrive;
              const request = desk.request(c.priority);
              if (!request.isGranted) queued.push({ request, priority: c.priority, order });
              order++;
              if (c.patience !== null) {
                yield sim.anyOf([request, sim.timeout(c.patience)]);
                if (!request.isGranted) {
                  desk.release(request);
                  withdrawn.add(request);
                  return;
                }
              } else yield request;
              yield c.hold;
              desk.release(request);
            });
          sim.run();
          check();
          assert.equal(desk.inUse, 0);
          assert.equal(desk.queueLength, 0);
        },
      ),
      { numRuns: 150 },
    );
  });
}

for (const discipline of ['fifo', 'priority'] as const satisfies readonly QueueDiscipline[])
  test(`${discipline}: a queue of mostly withdrawn requests is compacted and still serves the rest in order`, () => {
    const sim = createSimulation({ seed: 1 });
    const desk = createResource(sim, { capacity: 1, discipline });
    let held = desk.request();
    // 600 wait (more than the fifo ring's first size, so it grows); all but every 7th withdraw, which
    // compacts the queue more than once.
    const waiting = Array.from({ length: 600 }, (_, i) =>
      desk.request(discipline === 'priority' ? i % 3 : 0),
    );
    waiting.forEach((request, i) => {
      if (i % 7 !== 0) desk.release(request);
    });
    const kept = waiting.map((request, i) => ({ request, i })).filter(({ i }) => i % 7 === 0);
    assert.equal(desk.queueLength, kept.length);
    const expected =
      discipline === 'priority' ? [...kept].sort((a, b) => (a.i % 3) - (b.i % 3) || a.i - b.i) : kept;
    const served: number[] = [];
    for (let k = 0; k < kept.length; k++) {
      desk.release(held);
      const next = kept.find(({ request }) => request.isGranted);
      assert.ok(next !== undefined, `release ${k} granted nobody`);
      served.push(next.i);
      held = next.request;
    }
    assert.deepEqual(
      served,
      expected.map(({ i }) => i),
    );
    assert.equal(desk.queueLength, 0);
    sim.run();
  });

test('priority: waiting requests are served by priority, then first come, first served', () => {
  const { order } = serveInOrder('priority', [0, 2, 1, 2, 0, 1]);
  assert.deepEqual(order, [4, 2, 5, 1, 3]);
});

test('fifo: priorities are ignored', () => {
  const { order } = serveInOrder('fifo', [0, 2, 1, 2, 0, 1]);
  assert.deepEqual(order, [1, 2, 3, 4, 5]);
});

/** Request 0 holds the single unit while the others queue with the given priorities; returns grant order. */
function serveInOrder(discipline: QueueDiscipline, priorities: readonly number[]): { order: number[] } {
  const sim: Simulation = createSimulation({ seed: 1 });
  const desk: Resource = createResource(sim, { capacity: 1, discipline });
  const order: number[] = [];
  for (const [i, priority] of priorities.entries())
    sim.process(function* (): ProcessGenerator<void> {
      yield i * 0.001;
      const request: Request = desk.request(priority);
      yield request;
      if (i > 0) order.push(i);
      yield 1;
      desk.release(request);
    });
  sim.run();
  return { order };
}

test('a resource rejects a capacity that is not a positive integer', () => {
  const sim = createSimulation({ seed: 1 });
  assert.throws(() => createResource(sim, { capacity: 0 }), /integer >= 1/);
  assert.throws(() => createResource(sim, { capacity: 1.5 }), /integer >= 1/);
});

test('a request released before its grant was processed still frees the unit', () => {
  const sim = createSimulation({ seed: 1 });
  const desk = createResource(sim, { capacity: 1 });
  const first = desk.request();
  desk.release(first);
  const second = desk.request();
  assert.equal(second.isGranted, true);
  sim.run();
  assert.equal(desk.inUse, 1);
});
