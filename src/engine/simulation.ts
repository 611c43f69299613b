import { EventQueue, type Handler } from './event-queue.js';
import { createRandomStream, type RandomStream } from './random.js';
import type { Seconds } from './time.js';

/** Lower runs first among events at the same time. */
export const URGENT = 0;
export const NORMAL = 1;
export const LATE = 2;

export type EventId = number;

export interface TraceRecord {
  readonly time: number;
  readonly priority: number;
  readonly sequence: number;
  readonly label: string;
}

export interface RunOptions {
  /** Stop once simulated time would pass this instant (events at exactly `until` run). */
  readonly until?: Seconds;
}

export interface Simulation {
  readonly seed: number;
  /** Current simulated time in seconds. */
  readonly now: Seconds;
  readonly pending: number;
  /** Events executed so far. */
  readonly eventsProcessed: number;
  /** Callback path: run `handler(arg)` after `delay`. Allocation-free for the caller. */
  schedule<T>(delay: number, handler: Handler<T>, arg: T, priority?: number): EventId;
  scheduleAt<T>(time: number, handler: Handler<T>, arg: T, priority?: number): EventId;
  cancel(id: EventId): boolean;
  /** A named random stream; the same name always yields the same stream for this seed. */
  random(name: string): RandomStream;
  run(options?: RunOptions): Seconds;
  /** Stops the run after the current event. */
  stop(): void;
  /** Called for every executed event (tests); labels come from the handler's name. */
  onTrace(hook: ((record: TraceRecord) => void) | null): void;
}

class SimulationImpl implements Simulation {
  readonly seed: number;
  private queue = new EventQueue();
  private time = 0;
  private processed = 0;
  private stopped = false;
  private streams = new Map<string, RandomStream>();
  private trace: ((record: TraceRecord) => void) | null = null;

  constructor(seed: number) {
    this.seed = seed;
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
    if (!(delay >= 0)) throw new RangeError(`schedule: delay must be a non-negative number of seconds, got ${delay}`);
    return this.queue.push(this.time + delay, priority, handler, arg);
  }

  scheduleAt<T>(time: number, handler: Handler<T>, arg: T, priority = NORMAL): EventId {
    if (!(time >= this.time))
      throw new RangeError(`scheduleAt: time ${time} is in the past (now ${this.time}); use schedule(0, ...)`);
    return this.queue.push(time, priority, handler, arg);
  }

  cancel(id: EventId): boolean {
    return this.queue.cancel(id);
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
    this.stopped = true;
  }

  run(options: RunOptions = {}): Seconds {
    const until = options.until ?? Number.POSITIVE_INFINITY;
    this.stopped = false;
    const queue = this.queue;
    const visit = (time: number, priority: number, sequence: number, handler: Handler<unknown>, arg: unknown) => {
      this.time = time;
      this.processed++;
      if (this.trace !== null) this.trace({ time, priority, sequence, label: handler.name || 'anonymous' });
      handler(arg);
    };
    while (!this.stopped) {
      if (queue.peekTime() > until) {
        if (until !== Number.POSITIVE_INFINITY) this.time = until;
        break;
      }
      if (!queue.popInto(visit)) break;
    }
    return this.time as Seconds;
  }
}

export function createSimulation(options: { seed: number }): Simulation {
  return new SimulationImpl(options.seed);
}
