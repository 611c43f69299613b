import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createSimulation,
  Interrupt,
  type ProcessGenerator,
  type Seconds,
  type SimEvent,
} from '../../src/engine/index.js';

const at = (t: number): Seconds => t as Seconds;

test('a process waits on timeouts and plain delays, and sees the timeout value', () => {
  const sim = createSimulation({ seed: 1 });
  const seen: [number, unknown][] = [];
  sim.process(function* clock(): ProcessGenerator<void> {
    yield 1.5;
    seen.push([sim.now, 'delay']);
    const value = yield sim.timeout(2, 'ding');
    seen.push([sim.now, value]);
  });
  sim.run();
  assert.deepEqual(seen, [
    [1.5, 'delay'],
    [3.5, 'ding'],
  ]);
});

test('a process starts at the current instant before normal events, and returns a value to its waiter', () => {
  const sim = createSimulation({ seed: 1 });
  const order: string[] = [];
  sim.schedule(0, () => order.push('normal callback'), undefined);
  const child = sim.process(function* (): ProcessGenerator<number> {
    order.push('child starts');
    yield 2;
    return 42;
  });
  sim.process(function* (): ProcessGenerator<void> {
    const result = yield child;
    order.push(`parent got ${String(result)} at ${sim.now}`);
  });
  sim.run();
  assert.deepEqual(order, ['child starts', 'normal callback', 'parent got 42 at 2']);
  assert.equal(child.isAlive, false);
  assert.equal(child.value, 42);
});

test('waiting on an already finished process resumes at once with its value', () => {
  const sim = createSimulation({ seed: 1 });
  // biome-ignore lint/correctness/useYield: a process that ends the moment it starts
  const quick = sim.process(function* (): ProcessGenerator<string> {
    return 'done';
  });
  let got: unknown;
  sim.process(function* (): ProcessGenerator<void> {
    yield 5;
    got = yield quick;
    assert.equal(sim.now, 5);
  });
  sim.run();
  assert.equal(got, 'done');
});

test('an event succeeded by one process wakes every waiter in the order they started waiting', () => {
  const sim = createSimulation({ seed: 1 });
  const gate = sim.event<string>();
  const woke: string[] = [];
  for (const name of ['a', 'b', 'c'])
    sim.process(function* (): ProcessGenerator<void> {
      const value = yield gate;
      woke.push(`${name}:${String(value)}@${sim.now}`);
    });
  sim.process(function* (): ProcessGenerator<void> {
    yield 3;
    gate.succeed('open');
  });
  sim.run();
  assert.deepEqual(woke, ['a:open@3', 'b:open@3', 'c:open@3']);
});

test('a failed event is thrown into its waiter, which may handle it', () => {
  const sim = createSimulation({ seed: 1 });
  const job = sim.event();
  let caught: unknown;
  sim.process(function* (): ProcessGenerator<void> {
    try {
      yield job;
    } catch (error) {
      caught = error;
    }
  });
  sim.schedule(1, () => job.fail(new Error('disk full')), undefined);
  sim.run();
  assert.match(String(caught), /disk full/);
  assert.equal(job.isDefused, true);
});

test('a failed event that nobody handles stops the run with its error', () => {
  const sim = createSimulation({ seed: 1 });
  const lonely = sim.event();
  let after = false;
  sim.schedule(1, () => lonely.fail(new Error('nobody listens')), undefined);
  sim.schedule(
    2,
    () => {
      after = true;
    },
    undefined,
  );
  assert.throws(() => sim.run(), /nobody listens/);
  assert.equal(sim.now, 1);
  assert.equal(after, false);
});

test('an error thrown by a process fails the process; unhandled it stops the run, handled it does not', () => {
  const sim = createSimulation({ seed: 1 });
  function* broken(): ProcessGenerator<void> {
    yield 1;
    throw new Error('bug in process');
  }
  sim.process(broken);
  assert.throws(() => sim.run(), /bug in process/);

  const handled = createSimulation({ seed: 1 });
  let caught: unknown;
  handled.process(function* (): ProcessGenerator<void> {
    try {
      yield handled.process(broken);
    } catch (error) {
      caught = error;
    }
  });
  handled.run();
  assert.match(String(caught), /bug in process/);
});

test('anyOf succeeds with the first event and lists what was processed by then', () => {
  const sim = createSimulation({ seed: 1 });
  const fast = sim.timeout(1, 'fast');
  const slow = sim.timeout(3, 'slow');
  let result: Map<SimEvent<unknown>, unknown> | undefined;
  sim.process(function* (): ProcessGenerator<void> {
    result = (yield sim.anyOf([slow, fast])) as Map<SimEvent<unknown>, unknown>;
    assert.equal(sim.now, 1);
  });
  sim.run();
  assert.deepEqual([...(result ?? new Map()).values()], ['fast']);
});

test('allOf waits for every event; anyOf and allOf of nothing succeed at once', () => {
  const sim = createSimulation({ seed: 1 });
  const times: number[] = [];
  sim.process(function* (): ProcessGenerator<void> {
    const all = (yield sim.allOf([sim.timeout(2, 'a'), sim.timeout(1, 'b')])) as Map<
      SimEvent<unknown>,
      unknown
    >;
    times.push(sim.now);
    assert.deepEqual([...all.values()], ['a', 'b']);
    yield sim.anyOf([]);
    yield sim.allOf([]);
    times.push(sim.now);
  });
  sim.run();
  assert.deepEqual(times, [2, 2]);
});

test('a condition fails when a member fails, and the member counts as handled', () => {
  const sim = createSimulation({ seed: 1 });
  const failing = sim.event();
  let caught: unknown;
  sim.process(function* (): ProcessGenerator<void> {
    try {
      yield sim.allOf([sim.timeout(5), failing]);
    } catch (error) {
      caught = error;
    }
  });
  sim.schedule(1, () => failing.fail(new Error('member failed')), undefined);
  sim.run();
  assert.match(String(caught), /member failed/);
  assert.equal(failing.isDefused, true);
});

test('interrupt throws an Interrupt with its cause into the process, which stops waiting', () => {
  const sim = createSimulation({ seed: 1 });
  const log: string[] = [];
  const sleeper = sim.process(function* (): ProcessGenerator<void> {
    try {
      yield 10;
      log.push('woke normally');
    } catch (error) {
      assert.ok(error instanceof Interrupt);
      log.push(`interrupted at ${sim.now} because ${String(error.cause)}`);
    }
    yield 1;
    log.push(`done at ${sim.now}`);
  });
  sim.schedule(4, () => sleeper.interrupt('page'), undefined);
  sim.run();
  assert.deepEqual(log, ['interrupted at 4 because page', 'done at 5']);
  assert.equal(sim.now, 5, 'the cancelled 10 s wake-up did not run');
});

test('an interrupted process no longer waits on the event it yielded', () => {
  const sim = createSimulation({ seed: 1 });
  const signal = sim.event<string>();
  const got: unknown[] = [];
  const waiter = sim.process(function* (): ProcessGenerator<void> {
    try {
      yield signal;
    } catch {
      got.push('interrupted');
    }
    got.push(yield 3);
  });
  sim.schedule(1, () => waiter.interrupt(), undefined);
  sim.schedule(2, () => signal.succeed('late'), undefined);
  sim.run();
  assert.deepEqual(got, ['interrupted', undefined]);
});

test('an unhandled interrupt fails the process and stops the run', () => {
  const sim = createSimulation({ seed: 1 });
  const victim = sim.process(function* (): ProcessGenerator<void> {
    yield 10;
  });
  sim.schedule(1, () => victim.interrupt('shutdown'), undefined);
  assert.throws(() => sim.run(), Interrupt);
});

test('interrupting a finished process or oneself is an error', () => {
  const sim = createSimulation({ seed: 1 });
  const done = sim.process(function* (): ProcessGenerator<void> {});
  sim.run();
  assert.throws(() => done.interrupt(), /has terminated/);
  // biome-ignore lint/correctness/useYield: it fails before its first yield
  const selfish = sim.process(function* (): ProcessGenerator<void> {
    selfish.interrupt();
  });
  assert.throws(() => sim.run(), /cannot interrupt itself/);
});

test('yielding something that is not an event or a delay throws into the process at the yield', () => {
  const sim = createSimulation({ seed: 1 });
  const errors: string[] = [];
  sim.process(function* (): ProcessGenerator<void> {
    try {
      yield 'soon' as unknown as number;
    } catch (error) {
      errors.push((error as Error).name);
    }
    try {
      yield -1;
    } catch (error) {
      errors.push((error as Error).name);
    }
    try {
      yield createSimulation({ seed: 2 }).event();
    } catch (error) {
      errors.push((error as Error).name);
    }
  });
  sim.run();
  assert.deepEqual(errors, ['TypeError', 'RangeError', 'TypeError']);
});

test('events can be triggered only once, and a pending value cannot be read', () => {
  const sim = createSimulation({ seed: 1 });
  const e = sim.event<number>();
  assert.throws(() => e.value, /still pending/);
  e.succeed(1);
  assert.throws(() => e.succeed(2), /already been triggered/);
  assert.throws(() => e.fail(new Error('x')), /already been triggered/);
  sim.run();
  assert.equal(e.isProcessed, true);
  assert.equal(e.value, 1);
});

test('run({until}) stops processes mid-flight; the next run resumes them', () => {
  const sim = createSimulation({ seed: 1 });
  const ticks: number[] = [];
  sim.process(function* (): ProcessGenerator<void> {
    for (let i = 0; i < 5; i++) {
      yield 1;
      ticks.push(sim.now);
    }
  });
  sim.run({ until: at(2.5) });
  assert.deepEqual(ticks, [1, 2]);
  sim.run();
  assert.deepEqual(ticks, [1, 2, 3, 4, 5]);
});
