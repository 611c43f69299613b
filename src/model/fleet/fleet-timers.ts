/**
 * The fleet logic's timers, watched. Every fleet component that can give a command (the rollout
 * controller, the playbook, the balancer, node start-up) schedules through this view of the fleet's
 * simulation, so the fleet knows the earliest instant one of them can next act: when nothing else can
 * make it act sooner (FleetPartition's horizon), its clusters may run further ahead than a command
 * latency without missing a command.
 */
import type {
  EventId,
  Handler,
  Process,
  ProcessGenerator,
  RandomStream,
  SimEvent,
  Simulation,
  TraceRecord,
} from '../../engine/index.js';

export interface FleetTimers extends Simulation {
  /** Time of the earliest timer scheduled here that has not run or been cancelled (Infinity: none). */
  nextTimerAt(): number;
  /** Timers run so far (a change the fleet made since some instant shows as a different count). */
  readonly timersRun: number;
}

interface Timer {
  readonly handler: Handler<unknown>;
  readonly arg: unknown;
  readonly owner: WatchedTimers;
  id: EventId;
}

function runTimer(timer: Timer): void {
  timer.owner.ran(timer.id);
  timer.handler(timer.arg);
}

const unsupported = (what: string): Error =>
  new Error(`the fleet's timers are callbacks only; ${what} would run unwatched (use schedule)`);

class WatchedTimers implements FleetTimers {
  /** Pending timers: event id -> time. A handful at any time (one per task waiting), so a scan is cheap. */
  private readonly timers = new Map<EventId, number>();
  private runs = 0;

  constructor(private readonly sim: Simulation) {}

  get seed(): number {
    return this.sim.seed;
  }
  get now() {
    return this.sim.now;
  }
  get pending(): number {
    return this.sim.pending;
  }
  get eventsProcessed(): number {
    return this.sim.eventsProcessed;
  }
  get timersRun(): number {
    return this.runs;
  }

  schedule<T>(delay: number, handler: Handler<T>, arg: T, priority?: number): EventId {
    return this.track(this.sim.now + delay, handler, arg, (t) =>
      this.sim.schedule(delay, runTimer, t, priority),
    );
  }

  scheduleAt<T>(time: number, handler: Handler<T>, arg: T, priority?: number): EventId {
    return this.track(time, handler, arg, (t) => this.sim.scheduleAt(time, runTimer, t, priority));
  }

  private track<T>(time: number, handler: Handler<T>, arg: T, push: (timer: Timer) => EventId): EventId {
    const timer: Timer = { handler: handler as Handler<unknown>, arg, owner: this, id: -1 };
    timer.id = push(timer);
    this.timers.set(timer.id, time);
    return timer.id;
  }

  /** @internal runTimer's bookkeeping. */
  ran(id: EventId): void {
    this.timers.delete(id);
    this.runs++;
  }

  cancel(id: EventId): boolean {
    if (!this.timers.delete(id)) return false;
    return this.sim.cancel(id);
  }

  nextTimerAt(): number {
    let next = Number.POSITIVE_INFINITY;
    for (const t of this.timers.values()) if (t < next) next = t;
    return next;
  }

  peek(): number {
    return this.sim.peek();
  }
  random(name: string): RandomStream {
    return this.sim.random(name);
  }

  run(): never {
    throw unsupported('run()');
  }
  advance(): never {
    throw unsupported('advance()');
  }
  stop(): void {
    this.sim.stop();
  }
  onTrace(hook: ((record: TraceRecord) => void) | null): void {
    this.sim.onTrace(hook);
  }
  process<R>(_body: ProcessGenerator<R> | (() => ProcessGenerator<R>)): Process<R> {
    throw unsupported('a process');
  }
  timeout<T = undefined>(): SimEvent<T> {
    throw unsupported('a timeout event');
  }
  event<T = undefined>(): SimEvent<T> {
    throw unsupported('an event');
  }
  anyOf(): never {
    throw unsupported('anyOf');
  }
  allOf(): never {
    throw unsupported('allOf');
  }
  scheduleNow(): never {
    throw unsupported('scheduleNow');
  }
  scheduleTimer(): never {
    throw unsupported('scheduleTimer');
  }
  cancelTimer(): never {
    throw unsupported('cancelTimer');
  }
}

/** The fleet's simulation, seen through a view that watches the timers scheduled through it. */
export function watchFleetTimers(sim: Simulation): FleetTimers {
  return new WatchedTimers(sim);
}
