/**
 * Events and generator processes for low-rate logic, with SimPy's semantics (simpy/events.py):
 * - an event is pending, then triggered (succeed or fail, which schedules it), then processed (its
 *   waiters resume, in the order they started waiting);
 * - a process is a generator that yields events (or a delay in seconds) and is itself an event that
 *   succeeds with the generator's return value or fails with what it threw;
 * - a failed event that nobody handles stops the run with its error: errors are never ignored;
 * - interrupt(cause) throws an Interrupt into the process at its current yield.
 *
 * Deliberate differences from SimPy, for speed (bench/kernel.ts runs M/M/c with one process per
 * customer at about 2.3 M customers/s) and simplicity:
 * - `yield 2.5` waits 2.5 s without allocating a Timeout (sim.timeout(2.5) is the event form);
 * - a process that ends successfully with nobody waiting on it is marked processed at once instead of
 *   through the queue (a later `yield proc` resumes immediately, as for any processed event);
 * - an invalid yield is thrown into the generator (TypeError/RangeError at the yield) rather than out of
 *   the run, so the process fails where the mistake is;
 * - resource.release(request) is a plain call, not an event to yield (resource.ts).
 */
import type { Handler } from './event-queue.js';
import { NORMAL, URGENT } from './priority.js';

/** What events and processes need from the simulation. */
export interface Scheduler {
  readonly now: number;
  schedule<T>(delay: number, handler: Handler<T>, arg: T, priority?: number): number;
  cancel(id: number): boolean;
  /**
   * @internal The kernel's own zero-delay events (process starts, triggers): unchecked, never
   * cancelled, so they need no id.
   */
  scheduleNow<T>(handler: Handler<T>, arg: T, priority: number): void;
  /**
   * @internal A checked delay (finite, >= 0) for the kernel's own timers; returns a slot for
   * cancelTimer() instead of an id (a small integer: no number is allocated per timer).
   */
  scheduleTimer<T>(delay: number, handler: Handler<T>, arg: T): number;
  /** @internal Cancels a timer from scheduleTimer() that has not run. */
  cancelTimer(slot: number): void;
}

/** What a process may yield: an event to wait for, or a delay in seconds. */
export type Yieldable = SimEvent<unknown> | number;
export type ProcessGenerator<R = unknown> = Generator<Yieldable, R, unknown>;
export type ConditionValue = Map<SimEvent<unknown>, unknown>;

type Waiter = Process<unknown> | ((event: SimEvent<unknown>) => void);

const PENDING = 0;
const TRIGGERED = 1;
const PROCESSED = 2;
// Flag bits of SimEvent.flags.
const FAILED = 1;
const DEFUSED = 2;
/** A process whose generator is running (it cannot interrupt itself). */
const RUNNING = 4;

/** Thrown into a process by Process.interrupt(); `cause` is what the interrupter passed. */
export class Interrupt extends Error {
  constructor(cause: unknown) {
    super(`process interrupted: ${String(cause)}`, { cause });
    this.name = 'Interrupt';
  }
}

// NOTE: the hot classes (SimEvent, Process, Request) declare their fields and assign them in the
// constructor: V8 builds an object with class-field initializers about twice as slowly (one event
// per customer in bench/kernel.ts is a Process, another a Request). Few fields, too: flags share
// one number and a failure takes the value's place, so each event allocates less.
export class SimEvent<T = unknown> {
  declare readonly scheduler: Scheduler;
  /** @internal PENDING, TRIGGERED or PROCESSED. */
  declare state: number;
  /** @internal FAILED, DEFUSED (and RUNNING for a process) bits. */
  declare flags: number;
  /** @internal The success value, or the error once FAILED. */
  declare result: unknown;
  /** @internal The first waiter, kept out of a list: one process waiting is the common case. */
  declare firstWaiter: Waiter | null;
  /** @internal */
  declare moreWaiters: Waiter[] | null;

  constructor(scheduler: Scheduler) {
    this.scheduler = scheduler;
    this.state = PENDING;
    this.flags = 0;
    this.result = undefined;
    this.firstWaiter = null;
    this.moreWaiters = null;
  }

  get isTriggered(): boolean {
    return this.state !== PENDING;
  }
  get isProcessed(): boolean {
    return this.state === PROCESSED;
  }
  /** True once triggered by succeed(); false when pending or failed. */
  get isOk(): boolean {
    return this.state !== PENDING && (this.flags & FAILED) === 0;
  }
  /** The success value; throws while pending or when the event failed (read `error` instead). */
  get value(): T {
    if (this.state === PENDING) throw new Error('event value: the event is still pending; yield it first');
    if ((this.flags & FAILED) !== 0) throw new Error('event value: the event failed; read event.error');
    return this.result as T;
  }
  get error(): unknown {
    return (this.flags & FAILED) !== 0 ? this.result : undefined;
  }
  /** A failure that was delivered to a process or condition (or defuse()d) does not stop the run. */
  get isDefused(): boolean {
    return (this.flags & DEFUSED) !== 0;
  }

  succeed(value?: T): this {
    if (this.state !== PENDING) throw new Error('succeed: the event has already been triggered');
    this.state = TRIGGERED;
    this.result = value;
    this.scheduler.scheduleNow(processEvent, this as SimEvent<unknown>, NORMAL);
    return this;
  }

  /** Fails the event: its waiters get `error` thrown at their yield; unhandled, it stops the run. */
  fail(error: unknown): this {
    if (this.state !== PENDING) throw new Error('fail: the event has already been triggered');
    this.state = TRIGGERED;
    this.flags |= FAILED;
    this.result = error;
    this.scheduler.scheduleNow(processEvent, this as SimEvent<unknown>, NORMAL);
    return this;
  }

  /** Marks a failure as handled, so processing it does not stop the run. */
  defuse(): this {
    this.flags |= DEFUSED;
    return this;
  }

  /** Calls `callback` when the event is processed (after earlier waiters). */
  onProcessed(callback: (event: SimEvent<T>) => void): void {
    if (this.state === PROCESSED)
      throw new Error('onProcessed: the event was already processed; read its value directly');
    this.addWaiter(callback as (event: SimEvent<unknown>) => void);
  }

  /** @internal */
  addWaiter(waiter: Waiter): void {
    if (this.firstWaiter === null && this.moreWaiters === null) this.firstWaiter = waiter;
    else if (this.moreWaiters === null) this.moreWaiters = [waiter];
    else this.moreWaiters.push(waiter);
  }

  /** @internal */
  removeWaiter(waiter: Waiter): void {
    if (this.firstWaiter === waiter) {
      this.firstWaiter = null;
      return;
    }
    const more = this.moreWaiters;
    if (more === null) return;
    const i = more.indexOf(waiter);
    if (i >= 0) more.splice(i, 1);
  }
}

/** Processes an event: resumes its waiters in order, then stops the run if it failed unhandled. */
function processEvent(event: SimEvent<unknown>): void {
  event.state = PROCESSED;
  const first = event.firstWaiter;
  const more = event.moreWaiters;
  event.firstWaiter = null;
  event.moreWaiters = null;
  if (first !== null) notify(first, event);
  if (more !== null) for (const waiter of more) notify(waiter, event);
  if ((event.flags & (FAILED | DEFUSED)) === FAILED) throw event.result;
}

function notify(waiter: Waiter, event: SimEvent<unknown>): void {
  if (typeof waiter === 'function') {
    waiter(event);
    return;
  }
  waiter.target = null;
  if ((event.flags & FAILED) === 0) step(waiter, event.result, false);
  else {
    event.flags |= DEFUSED;
    step(waiter, event.result, true);
  }
}

/** An event that succeeds with `value` after `delay` seconds. */
export function createTimeout<T = undefined>(scheduler: Scheduler, delay: number, value?: T): SimEvent<T> {
  if (!(delay >= 0 && delay < Number.POSITIVE_INFINITY))
    throw new RangeError(`timeout: delay ${delay} must be finite seconds >= 0`);
  const event = new SimEvent<T>(scheduler);
  event.state = TRIGGERED;
  event.result = value;
  scheduler.scheduleTimer(delay, processEvent, event as SimEvent<unknown>);
  return event;
}

export function createEvent<T = undefined>(scheduler: Scheduler): SimEvent<T> {
  return new SimEvent<T>(scheduler);
}

export class Process<R = unknown> extends SimEvent<R> {
  declare readonly name: string;
  /** @internal */
  declare readonly generator: ProcessGenerator<R>;
  /** @internal The event this process waits for (null while on a plain delay, or running). */
  declare target: SimEvent<unknown> | null;
  /** @internal Queue slot of the pending `yield delay` wake-up (Scheduler.scheduleTimer), or -1. */
  declare timerSlot: number;

  constructor(scheduler: Scheduler, generator: ProcessGenerator<R>, name: string) {
    super(scheduler);
    this.generator = generator;
    this.name = name;
    this.target = null;
    this.timerSlot = -1;
  }

  /** True until the generator returns or throws. */
  get isAlive(): boolean {
    return this.state === PENDING;
  }

  /**
   * Throws an Interrupt carrying `cause` into the process at its current yield, as an urgent event at
   * the current time. The process stops waiting for what it yielded; it may catch the Interrupt.
   */
  interrupt(cause?: unknown): void {
    if (this.state !== PENDING)
      throw new Error(`interrupt: process ${this.name} has terminated and cannot be interrupted`);
    if ((this.flags & RUNNING) !== 0)
      throw new Error(`interrupt: process ${this.name} cannot interrupt itself`);
    this.scheduler.schedule(0, deliverInterrupt, { process: this as Process<unknown>, cause }, URGENT);
  }
}

function startProcess(process: Process<unknown>): void {
  step(process, undefined, false);
}

function wakeProcess(process: Process<unknown>): void {
  process.timerSlot = -1;
  step(process, undefined, false);
}

function deliverInterrupt(pending: { process: Process<unknown>; cause: unknown }): void {
  const process = pending.process;
  if (process.state !== PENDING) return;
  if (process.timerSlot >= 0) {
    process.scheduler.cancelTimer(process.timerSlot);
    process.timerSlot = -1;
  } else if (process.target !== null) {
    process.target.removeWaiter(process);
    process.target = null;
  }
  step(process, new Interrupt(pending.cause), true);
}

/**
 * Runs a process's generator until it waits. `isThrow` sends `value` in as an exception.
 * NOTE: the timeout (`yield delay`) and already-processed paths are inlined here for performance.
 */
function step(process: Process<unknown>, value: unknown, isThrow: boolean): void {
  const generator = process.generator;
  // NOTE: RUNNING is a flag on the process rather than a module-level "active process": storing a
  // young object into a long-lived variable costs a GC write barrier on every resume.
  process.flags |= RUNNING;
  try {
    for (;;) {
      let next: IteratorResult<Yieldable, unknown>;
      try {
        next = isThrow ? generator.throw(value) : generator.next(value);
      } catch (error) {
        finish(process, false, error);
        return;
      }
      if (next.done === true) {
        finish(process, true, next.value);
        return;
      }
      const yielded = next.value;
      if (typeof yielded === 'number') {
        if (yielded >= 0 && yielded < Number.POSITIVE_INFINITY) {
          process.timerSlot = process.scheduler.scheduleTimer(yielded, wakeProcess, process);
          return;
        }
        value = new RangeError(
          `process ${process.name} yielded ${yielded}: a delay must be finite seconds >= 0`,
        );
        isThrow = true;
        continue;
      }
      if (!(yielded instanceof SimEvent) || yielded.scheduler !== process.scheduler) {
        value = new TypeError(
          `process ${process.name} yielded ${String(yielded)}: yield an event of this simulation (sim.timeout(d), sim.event(), a request, a process) or a delay in seconds`,
        );
        isThrow = true;
        continue;
      }
      if (yielded.state !== PROCESSED) {
        process.target = yielded;
        yielded.addWaiter(process);
        return;
      }
      // Already processed: continue at once with its outcome, as SimPy does.
      value = yielded.result;
      isThrow = (yielded.flags & FAILED) !== 0;
      if (isThrow) yielded.flags |= DEFUSED;
    }
  } finally {
    process.flags &= ~RUNNING;
  }
}

function finish(process: Process<unknown>, isOk: boolean, outcome: unknown): void {
  process.state = TRIGGERED;
  process.result = outcome;
  if (!isOk) process.flags |= FAILED;
  // NOTE: a success nobody waits for skips the queue (see the file comment); failures always go
  // through it so that an unhandled one stops the run.
  if (isOk && process.firstWaiter === null && process.moreWaiters === null) process.state = PROCESSED;
  else process.scheduler.scheduleNow(processEvent, process, NORMAL);
}

export function createProcess<R>(
  scheduler: Scheduler,
  body: ProcessGenerator<R> | (() => ProcessGenerator<R>),
  name?: string,
): Process<R> {
  const generator = typeof body === 'function' ? body() : body;
  const label = name ?? (typeof body === 'function' && body.name !== '' ? body.name : 'process');
  const process = new Process<R>(scheduler, generator, label);
  // Scheduled here rather than in the constructor, which stays small enough for V8 to inline.
  scheduler.scheduleNow(startProcess, process as Process<unknown>, URGENT);
  return process;
}

/**
 * A condition over other events (SimPy's AnyOf/AllOf): succeeds once `isMet(processedCount, total)`,
 * with a map from each member processed by then to its value; fails as soon as a member fails.
 */
class Condition extends SimEvent<ConditionValue> {
  private readonly events: readonly SimEvent<unknown>[];
  private readonly isAll: boolean;
  private processedCount = 0;
  private readonly check = (event: SimEvent<unknown>): void => this.observe(event);

  constructor(scheduler: Scheduler, events: readonly SimEvent<unknown>[], isAll: boolean) {
    super(scheduler);
    this.events = events;
    this.isAll = isAll;
    for (const event of events) {
      if (event.scheduler !== scheduler)
        throw new Error('anyOf/allOf: every event must belong to this simulation');
    }
    // Registered first, so the value is built before anyone waiting on the condition resumes.
    this.addWaiter(() => {
      if ((this.flags & FAILED) === 0) this.result = this.collect();
    });
    if (events.length === 0) {
      this.succeed(new Map());
      return;
    }
    for (const event of events) {
      if (this.state !== PENDING) break;
      if (event.state === PROCESSED) this.observe(event);
      else event.addWaiter(this.check);
    }
  }

  private observe(event: SimEvent<unknown>): void {
    if (this.state !== PENDING) return;
    this.processedCount++;
    if ((event.flags & FAILED) !== 0) {
      event.flags |= DEFUSED;
      this.detach();
      this.fail(event.result);
    } else if (this.isAll ? this.processedCount === this.events.length : true) {
      this.detach();
      this.succeed(new Map());
    }
  }

  private detach(): void {
    for (const event of this.events) if (event.state !== PROCESSED) event.removeWaiter(this.check);
  }

  private collect(): ConditionValue {
    const value: ConditionValue = new Map();
    for (const event of this.events)
      if (event.state === PROCESSED && (event.flags & FAILED) === 0) value.set(event, event.result);
    return value;
  }
}

/** Succeeds when any of `events` succeeds (immediately for an empty list); fails if one fails first. */
export function anyOf(scheduler: Scheduler, events: readonly SimEvent<unknown>[]): SimEvent<ConditionValue> {
  return new Condition(scheduler, events, false);
}

/** Succeeds when all of `events` have succeeded; fails as soon as one fails. */
export function allOf(scheduler: Scheduler, events: readonly SimEvent<unknown>[]): SimEvent<ConditionValue> {
  return new Condition(scheduler, events, true);
}
