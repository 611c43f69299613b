import {
  EMPTY,
  EventQueue,
  type Handler,
  type KernelQueue,
  MAX_QUEUE_PRIORITY,
  SEQUENCE_SPAN,
} from './event-queue.js';
import { MAX_PRIORITY, NORMAL } from './priority.js';
import {
  allOf,
  anyOf,
  type ConditionValue,
  createEvent,
  createProcess,
  createTimeout,
  type Process,
  type ProcessGenerator,
  type Scheduler,
  type SimEvent,
} from './process.js';
import { createRandomStream, type RandomStream } from './random.js';
import type { Seconds } from './time.js';

export type { Handler } from './event-queue.js';
export { LATE, MAX_PRIORITY, NORMAL, URGENT } from './priority.js';

export type EventId = number;

export interface TraceRecord {
  readonly time: number;
  readonly priority: number;
  readonly sequence: number;
  readonly label: string;
}

export interface RunOptions {
  /**
   * Stop once simulated time would pass this instant, in seconds (events at exactly `until` run).
   * A plain number, like schedule()'s delay: every time the kernel takes is in seconds.
   */
  readonly until?: number;
}

export interface Simulation extends Scheduler {
  readonly seed: number;
  /** Current simulated time in seconds. */
  readonly now: Seconds;
  /** Events scheduled and not yet run or cancelled. */
  readonly pending: number;
  /** Events executed so far (the end of a run counts: it is an event too). */
  readonly eventsProcessed: number;
  /**
   * Callback path: run `handler(arg)` after `delay` seconds (finite, >= 0). Allocation-free for the
   * caller. `priority` is an integer in [0, MAX_PRIORITY]; lower runs first at equal times.
   */
  schedule<T>(delay: number, handler: Handler<T>, arg: T, priority?: number): EventId;
  scheduleAt<T>(time: number, handler: Handler<T>, arg: T, priority?: number): EventId;
  /** Cancels a scheduled callback; false if it already ran or was cancelled. */
  cancel(id: EventId): boolean;
  /** Time of the next event, or Infinity when none is pending. */
  peek(): number;
  /** A named random stream; the same name always yields the same stream for this seed. */
  random(name: string): RandomStream;
  /**
   * Runs events in (time, priority, sequence) order until none is left, `until` is reached (the clock
   * then reads `until`), or stop() is called. A failed event nobody handled stops it by throwing.
   */
  run(options?: RunOptions): Seconds;
  /**
   * Runs every event at or before `until` in (time, priority, sequence) order, then sets the clock to
   * `until`; unlike run(), ending adds no event. For a driver that keeps several simulations in step
   * (a fleet partition runs each cluster on its own simulation up to the fleet's next event). If
   * stop() is called it returns at once, the clock at the last event run.
   */
  advance(until: number): Seconds;
  /** Stops the run after the current event. */
  stop(): void;
  /** Called for every executed event (tests); labels come from the handler's name. */
  onTrace(hook: ((record: TraceRecord) => void) | null): void;

  /** Starts a generator process (SimPy's env.process) at the current time, before normal events. */
  process<R>(body: ProcessGenerator<R> | (() => ProcessGenerator<R>), name?: string): Process<R>;
  /** An event that succeeds with `value` after `delay` seconds. In a process, `yield delay` is cheaper. */
  timeout<T = undefined>(delay: number, value?: T): SimEvent<T>;
  /** A pending event to succeed() or fail() later. */
  event<T = undefined>(): SimEvent<T>;
  anyOf(events: readonly SimEvent<unknown>[]): SimEvent<ConditionValue>;
  allOf(events: readonly SimEvent<unknown>[]): SimEvent<ConditionValue>;
}

/** Sorts after every caller priority, so all events at exactly `until` run before the run ends. */
const END_OF_RUN = MAX_QUEUE_PRIORITY;

class SimulationImpl implements Simulation {
  readonly seed: number;
  private readonly queue: KernelQueue;
  private time = 0;
  private processed = 0;
  private isStopped = false;
  private isRunning = false;
  private readonly streams = new Map<string, RandomStream>();
  private trace: ((record: TraceRecord) => void) | null = null;

  constructor(seed: number, queue: KernelQueue) {
    this.seed = seed;
    this.queue = queue;
  }

  get now(): Seconds {
    return this.time as Seconds;
  }
  get pending(): number {
    return this.queue.length;
  }
  get eventsProcessed(): number {
    return this.processed;
  }

  schedule<T>(delay: number, handler: Handler<T>, arg: T, priority = NORMAL): EventId {
    // One comparison each: rejects NaN, negatives, Infinity, non-integers and out-of-range priorities.
    if (!(delay >= 0 && delay < Number.POSITIVE_INFINITY) || (priority & MAX_PRIORITY) !== priority)
      throw scheduleError('schedule', `delay ${delay}`, priority);
    return this.queue.push(this.time + delay, priority, handler, arg);
  }

  scheduleAt<T>(time: number, handler: Handler<T>, arg: T, priority = NORMAL): EventId {
    if (!(time >= this.time && time < Number.POSITIVE_INFINITY) || (priority & MAX_PRIORITY) !== priority)
      throw scheduleError('scheduleAt', `time ${time} (now ${this.time})`, priority);
    return this.queue.push(time + 0, priority, handler, arg);
  }

  cancel(id: EventId): boolean {
    return this.queue.cancel(id);
  }

  /** @internal See Scheduler.scheduleNow (process.ts). */
  scheduleNow<T>(handler: Handler<T>, arg: T, priority: number): void {
    this.queue.pushNow(priority, handler, arg);
  }

  /** @internal See Scheduler.scheduleTimer: NORMAL priority, `delay` already checked. */
  scheduleTimer<T>(delay: number, handler: Handler<T>, arg: T): number {
    return this.queue.pushSlot(this.time + delay, NORMAL, handler, arg);
  }

  /** @internal */
  cancelTimer(slot: number): void {
    this.queue.cancelSlot(slot);
  }

  peek(): number {
    return this.queue.peekTime();
  }

  random(name: string): RandomStream {
    let stream = this.streams.get(name);
    if (!stream) {
      stream = createRandomStream(this.seed, name);
      this.streams.set(name, stream);
    }
    return stream;
  }

  onTrace(hook: ((record: TraceRecord) => void) | null): void {
    this.trace = hook;
  }

  stop(): void {
    this.isStopped = true;
  }

  run(options: RunOptions = {}): Seconds {
    if (this.isRunning)
      throw new Error('run: the simulation is already running (run() was called from an event); use stop()');
    const until = options.until;
    let endId = -1;
    if (until !== undefined) {
      if (!(until >= this.time)) throw new RangeError(`run: until ${until} is before now (${this.time})`);
      if (until < Number.POSITIVE_INFINITY) endId = this.queue.push(until + 0, END_OF_RUN, endRun, this);
    }
    this.isStopped = false;
    this.isRunning = true;
    const queue = this.queue;
    try {
      // NOTE: the event loop gets the popped event's argument from take() and the rest from the
      // queue's fields (no per-event closure or object); keep it this small, it is the kernel's hot path.
      while (!this.isStopped) {
        const arg = queue.take();
        if (arg === EMPTY) break;
        this.dispatch(queue, arg);
      }
    } finally {
      this.isRunning = false;
      if (endId >= 0) queue.cancel(endId);
    }
    return this.time as Seconds;
  }

  advance(until: number): Seconds {
    if (this.isRunning)
      throw new Error('advance: the simulation is already running (advance() was called from an event)');
    if (!(until >= this.time && until < Number.POSITIVE_INFINITY))
      throw new RangeError(`advance: until ${until} must be finite and not before now (${this.time})`);
    this.isStopped = false;
    this.isRunning = true;
    const queue = this.queue;
    try {
      // run()'s loop, bounded by the next event's time instead of an end event.
      while (!this.isStopped && queue.peekTime() <= until) this.dispatch(queue, queue.take());
    } finally {
      this.isRunning = false;
    }
    if (!this.isStopped) this.time = until;
    return this.time as Seconds;
  }

  /** Runs the event take() just returned (small enough for V8 to inline into both loops). */
  private dispatch(queue: KernelQueue, arg: unknown): void {
    this.time = queue.time;
    this.processed++;
    if (this.trace !== null) this.emitTrace(queue);
    const handler = queue.handler;
    handler(arg);
  }

  process<R>(body: ProcessGenerator<R> | (() => ProcessGenerator<R>), name?: string): Process<R> {
    return createProcess(this, body, name);
  }
  timeout<T = undefined>(delay: number, value?: T): SimEvent<T> {
    return createTimeout(this, delay, value);
  }
  event<T = undefined>(): SimEvent<T> {
    return createEvent<T>(this);
  }
  anyOf(events: readonly SimEvent<unknown>[]): SimEvent<ConditionValue> {
    return anyOf(this, events);
  }
  allOf(events: readonly SimEvent<unknown>[]): SimEvent<ConditionValue> {
    return allOf(this, events);
  }

  /** @internal */
  end(): void {
    this.isStopped = true;
  }

  private emitTrace(queue: KernelQueue): void {
    const priority = Math.floor(queue.key / SEQUENCE_SPAN);
    const sequence = queue.key - priority * SEQUENCE_SPAN;
    this.trace?.({ time: queue.time, priority, sequence, label: queue.handler.name || 'anonymous' });
  }
}

/** The end-of-run event: ending a run is itself an event, after everything at `until`. */
function endRun(simulation: SimulationImpl): void {
  simulation.end();
}

function scheduleError(method: string, what: string, priority: number): RangeError {
  if ((priority & MAX_PRIORITY) !== priority)
    return new RangeError(`${method}: priority must be an integer in [0, ${MAX_PRIORITY}], got ${priority}`);
  return new RangeError(
    `${method}: ${what} must be finite and not in the past; schedule(0, ...) runs at the current instant`,
  );
}

export interface SimulationOptions {
  readonly seed: number;
  /** @internal For differential tests: run on this queue (a ReferenceQueue) instead of an EventQueue. */
  readonly queue?: KernelQueue;
}

export function createSimulation(options: SimulationOptions): Simulation {
  return new SimulationImpl(options.seed, options.queue ?? new EventQueue());
}
