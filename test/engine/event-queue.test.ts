import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EMPTY, EventQueue, SEQUENCE_SPAN } from '../../src/engine/event-queue.js';
import { ReferenceQueue } from '../../src/engine/reference-queue.js';

type Op =
  | { readonly kind: 'push'; readonly delay: number; readonly priority: number }
  | { readonly kind: 'burst'; readonly delays: readonly number[] }
  | { readonly kind: 'cancel'; readonly pick: number }
  | { readonly kind: 'pop' };

/** Delays that hit the queue's hard cases: ties, zero, tiny spans, far outliers, smooth spreads. */
const delay = fc.oneof(
  fc.constant(0),
  fc.integer({ min: 0, max: 4 }),
  fc.double({ min: 0, max: 10, noNaN: true, noDefaultInfinity: true }),
  fc.double({ min: 0, max: 1e-9, noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(1e6, 1e-300, 5e-324, 123.456),
);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant('push' as const),
      delay,
      priority: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('burst' as const), delays: fc.array(delay, { maxLength: 40 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('pop' as const) }) },
);

const noop = (): void => {};

/** Applies the same operations to both queues; fails at the first divergence. */
function checkAgainstReference(
  ops: readonly Op[],
  splitThreshold: number,
  purgeMin: number,
  bottomLimit: number,
  verifyEvery = 1,
): void {
  const fast = new EventQueue({ splitThreshold, purgeMin, bottomLimit });
  const reference = new ReferenceQueue();
  const ids: [number, number][] = [];
  let now = 0;
  const popBoth = (at: number): boolean => {
    const isFast = fast.pop();
    assert.equal(isFast, reference.pop(), `op ${at}: one queue is empty, the other is not`);
    if (!isFast) return false;
    const priority = Math.floor(fast.key / SEQUENCE_SPAN);
    const popped = [fast.time, priority, fast.key - priority * SEQUENCE_SPAN, fast.arg];
    assert.deepEqual(
      popped,
      [reference.time, reference.priority, reference.popped, reference.arg],
      `op ${at}`,
    );
    now = fast.time;
    return true;
  };
  ops.forEach((o, i) => {
    if (o.kind === 'burst') {
      for (const [j, d] of o.delays.entries())
        ids.push([
          fast.push(now + d, j % 2, noop, `${i}.${j}`),
          reference.push(now + d, j % 2, noop, `${i}.${j}`),
        ]);
    } else if (o.kind === 'push') {
      ids.push([
        fast.push(now + o.delay, o.priority, noop, i),
        reference.push(now + o.delay, o.priority, noop, i),
      ]);
    } else if (o.kind === 'cancel') {
      if (ids.length === 0) return;
      const [fastId, referenceId] = ids[o.pick % ids.length]!;
      assert.equal(fast.cancel(fastId), reference.cancel(referenceId), `op ${i}: cancel`);
    } else {
      popBoth(i);
    }
    assert.equal(fast.length, reference.length, `op ${i}: length`);
    if (i % verifyEvery === 0) fast.verify();
    // Only sometimes: peekTime refills eagerly, and the lazy path must be exercised too.
    if (i % 7 === 0) assert.equal(fast.peekTime(), reference.peekTime(), `op ${i}: peekTime`);
  });
  while (popBoth(ops.length));
}

test('the fast queue pops the same (time, priority, sequence) order as the sorted-array reference for any pushes, pops and cancels', () => {
  fc.assert(
    fc.property(
      fc.array(op, { maxLength: 400, size: 'medium' }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 0, max: 16 }),
      fc.integer({ min: 1, max: 12 }),
      (ops, split, purge, bottom) => checkAgainstReference(ops, split, purge, bottom),
    ),
    { numRuns: 300 },
  );
});

test('the fast queue matches the reference on long runs with the default thresholds (splits and compactions happen)', () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 3000, maxLength: 6000 }), (ops) =>
      checkAgainstReference(ops, 48, 64, 256, 101),
    ),
    { numRuns: 8 },
  );
});

test('events pop in (time, priority, sequence) order whatever order they were pushed in', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(delay, fc.integer({ min: 0, max: 3 })), { maxLength: 500, size: 'medium' }),
      (pushes) => {
        const queue = new EventQueue({ splitThreshold: 4 });
        for (const [time, priority] of pushes) queue.push(time, priority, noop, undefined);
        let previous = [-1, -1, -1];
        while (queue.pop()) {
          const priority = Math.floor(queue.key / SEQUENCE_SPAN);
          const current = [queue.time, priority, queue.key - priority * SEQUENCE_SPAN];
          const isOrdered =
            current[0]! > previous[0]! ||
            (current[0] === previous[0] &&
              (current[1]! > previous[1]! || (current[1] === previous[1] && current[2]! > previous[2]!)));
          assert.ok(isOrdered, `${current} popped after ${previous}`);
          previous = current;
        }
      },
    ),
    { numRuns: 200 },
  );
});

test('a stale id cannot cancel the event that reused its slot', () => {
  const queue = new EventQueue();
  const first = queue.push(1, 1, noop, 'first');
  assert.ok(queue.pop());
  const second = queue.push(2, 1, noop, 'second');
  assert.notEqual(first, second);
  assert.equal(queue.cancel(first), false);
  assert.ok(queue.pop());
  assert.equal(queue.arg, 'second');
});

test('cancelling most of a large queue compacts it and keeps the survivors in order', () => {
  const queue = new EventQueue({ purgeMin: 100 });
  const ids = Array.from({ length: 20_000 }, (_, i) => queue.push((i * 7919) % 20_000, 1, noop, i));
  ids.forEach((id, i) => {
    if (i % 10 !== 0) assert.ok(queue.cancel(id));
  });
  assert.equal(queue.length, 2000);
  const times: number[] = [];
  while (queue.pop()) times.push(queue.time);
  assert.equal(times.length, 2000);
  assert.deepEqual(
    times,
    [...times].sort((a, b) => a - b),
  );
});

test('200,000 events at one instant pop in priority then scheduling order', () => {
  const queue = new EventQueue();
  for (let i = 0; i < 200_000; i++) queue.push(5, i % 3 === 0 ? 0 : 1, noop, i);
  let previousKey = -1;
  let count = 0;
  while (queue.pop()) {
    assert.ok(queue.key > previousKey);
    previousKey = queue.key;
    count++;
  }
  assert.equal(count, 200_000);
});

type KernelOp =
  | { readonly kind: 'now'; readonly priority: number }
  | { readonly kind: 'timer'; readonly delay: number; readonly priority: number }
  | { readonly kind: 'push'; readonly delay: number; readonly priority: number }
  | { readonly kind: 'cancel'; readonly pick: number }
  | { readonly kind: 'take' };

/** Zero delay is the common case here: it is what the lane takes. */
const kernelOp: fc.Arbitrary<KernelOp> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('now' as const), priority: fc.integer({ min: 0, max: 3 }) }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('timer' as const),
      delay: fc.oneof(fc.constant(0), delay),
      priority: fc.integer({ min: 0, max: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('push' as const),
      delay: fc.oneof(fc.constant(0), delay),
      priority: fc.integer({ min: 0, max: 3 }),
    }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('take' as const) }) },
);

test('the zero-delay lane and the kernel paths (pushNow, pushSlot, cancelSlot, take) pop the reference order', () => {
  fc.assert(
    fc.property(
      fc.array(kernelOp, { maxLength: 500, size: 'medium' }),
      fc.integer({ min: 1, max: 8 }),
      fc.integer({ min: 0, max: 16 }),
      fc.integer({ min: 1, max: 12 }),
      (ops, split, purge, bottom) => {
        const fast = new EventQueue({ splitThreshold: split, purgeMin: purge, bottomLimit: bottom });
        const reference = new ReferenceQueue();
        // Cancellable events: the fast queue's id or slot, and the reference's id.
        const pending: { fast: number; isSlot: boolean; reference: number }[] = [];
        let now = 0;
        const takeBoth = (at: number): boolean => {
          const arg = fast.take();
          const isReference = reference.pop();
          assert.equal(arg !== EMPTY, isReference, `op ${at}: one queue is empty, the other is not`);
          if (arg === EMPTY) return false;
          const priority = Math.floor(fast.key / SEQUENCE_SPAN);
          const popped = [fast.time, priority, fast.key - priority * SEQUENCE_SPAN, arg];
          assert.deepEqual(
            popped,
            [reference.time, reference.priority, reference.popped, reference.arg],
            `op ${at}`,
          );
          now = fast.time;
          return true;
        };
        ops.forEach((o, i) => {
          if (o.kind === 'now') {
            fast.pushNow(o.priority, noop, i);
            reference.push(now, o.priority, noop, i);
          } else if (o.kind === 'timer') {
            const slot = fast.pushSlot(now + o.delay, o.priority, noop, i);
            pending.push({
              fast: slot,
              isSlot: true,
              reference: reference.push(now + o.delay, o.priority, noop, i),
            });
          } else if (o.kind === 'push') {
            const id = fast.push(now + o.delay, o.priority, noop, i);
            pending.push({
              fast: id,
              isSlot: false,
              reference: reference.push(now + o.delay, o.priority, noop, i),
            });
          } else if (o.kind === 'cancel') {
            if (pending.length === 0) return;
            const [picked] = pending.splice(o.pick % pending.length, 1);
            // cancelSlot is only for an event still pending (the kernel knows); ids check themselves.
            const isPending = reference.cancel(picked!.reference);
            if (picked!.isSlot) {
              if (isPending) fast.cancelSlot(picked!.fast);
            } else assert.equal(fast.cancel(picked!.fast), isPending, `op ${i}: cancel`);
          } else takeBoth(i);
          assert.equal(fast.length, reference.length, `op ${i}: length`);
          fast.verify();
          if (i % 5 === 0) assert.equal(fast.peekTime(), reference.peekTime(), `op ${i}: peekTime`);
        });
        while (takeBoth(ops.length));
      },
    ),
    { numRuns: 300 },
  );
});

test('a lane longer than its initial ring keeps its order, and cancelled lane events never run', () => {
  const queue = new EventQueue();
  const ids: number[] = [];
  for (let i = 0; i < 1000; i++) {
    if (i % 3 === 0) ids.push(queue.push(0, 1, noop, i));
    else queue.pushNow(1, noop, i);
  }
  for (const id of ids.filter((_, k) => k % 2 === 0)) assert.ok(queue.cancel(id));
  queue.verify();
  const seen: number[] = [];
  for (let arg = queue.take(); arg !== EMPTY; arg = queue.take()) seen.push(arg as number);
  const expected = Array.from({ length: 1000 }, (_, i) => i).filter((i) => i % 3 !== 0 || (i / 3) % 2 === 1);
  assert.deepEqual(seen, expected);
});
