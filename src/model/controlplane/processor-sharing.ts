/**
 * An egalitarian processor-sharing server over `capacity` cores: each job is one goroutine that runs
 * at rate min(1, capacity / n) cores, n being the (weighted) number of jobs present. Used for the CPU
 * of an API-server replica and for etcd's range readers.
 *
 * NOTE: virtual-time implementation for speed. Virtual time V advances at the per-job rate, a job's
 * finish tag is V(arrival) + work, the tags sit in a typed-array min-heap, and exactly one completion
 * event is pending, rescheduled only when the earliest completion time changes: O(log n) per change,
 * no per-job timers. A cohort job of weight w stands for w identical jobs arriving together: in PS
 * they progress identically, so one tag serves them all.
 */
import type { Simulation } from '../../engine/index.js';

export type JobDone<T> = (arg: T) => void;

export interface ProcessorSharing {
  /** Weighted number of jobs present. */
  readonly jobs: number;
  /** Cores the jobs share (may change, e.g. background work takes some). */
  readonly capacity: number;
  /** Core-seconds of work done so far (integral of min(capacity, jobs)). */
  busyIntegral(): number;
  /** Per-job rate now: min(1, capacity / jobs). */
  readonly rate: number;
  setCapacity(cores: number): void;
  /** Adds a job needing `work` core-seconds; `done(arg)` runs when it completes. Returns its id. */
  add<T>(work: number, weight: number, done: JobDone<T>, arg: T): number;
  /** Abandons a job (its work stops); false when it already finished. */
  remove(id: number): boolean;
  /** Remaining work of a live job, core-seconds; NaN when unknown. */
  remaining(id: number): number;
  /** Drops every job without calling them back (the process died). */
  clear(): void;
}

const SLOT = 4294967296;
/** Clock steps (units in the last place of `now`) below which remaining work counts as done. */
const CLOCK_ULPS = 4;

class PsServer implements ProcessorSharing {
  private cap: number;
  private n = 0;
  private virtual = 0;
  private lastTime: number;
  private busy = 0;
  private finish = new Float64Array(256);
  private weight = new Float64Array(256);
  private generation = new Uint32Array(256);
  private isLive = new Uint8Array(256);
  private handlers: (JobDone<unknown> | null)[] = new Array(256).fill(null);
  private args: unknown[] = new Array(256).fill(undefined);
  private heap = new Int32Array(256);
  private size = 0;
  private free: number[] = [];
  private nextSlot = 0;
  private pendingEvent = -1;
  private pendingTime = Number.POSITIVE_INFINITY;
  private readonly fire: () => void;
  private completed: number[] = [];

  constructor(
    private readonly sim: Simulation,
    capacity: number,
  ) {
    this.cap = capacity;
    this.lastTime = sim.now;
    this.fire = () => this.onCompletion();
  }

  get jobs(): number {
    return this.n;
  }
  get capacity(): number {
    return this.cap;
  }
  get rate(): number {
    return this.n > 0 ? Math.min(1, this.cap / this.n) : 1;
  }

  busyIntegral(): number {
    this.advance();
    return this.busy;
  }

  setCapacity(cores: number): void {
    if (!(cores > 0)) throw new RangeError(`processor sharing: capacity must be > 0 cores, got ${cores}`);
    if (cores === this.cap) return;
    this.advance();
    this.cap = cores;
    this.reschedule();
  }

  add<T>(work: number, weight: number, done: JobDone<T>, arg: T): number {
    if (!(work >= 0) || !(weight > 0))
      throw new RangeError(`processor sharing: bad job work=${work} weight=${weight}`);
    this.advance();
    let slot: number;
    if (this.free.length > 0) slot = this.free.pop()!;
    else {
      slot = this.nextSlot++;
      if (slot >= this.finish.length) this.grow();
    }
    this.finish[slot] = this.virtual + work;
    this.weight[slot] = weight;
    this.isLive[slot] = 1;
    this.handlers[slot] = done as JobDone<unknown>;
    this.args[slot] = arg;
    this.n += weight;
    this.siftUp(this.size++, slot);
    this.reschedule();
    return slot * SLOT + this.generation[slot]!;
  }

  remove(id: number): boolean {
    const slot = Math.floor(id / SLOT);
    if (slot >= this.nextSlot || this.generation[slot] !== id - slot * SLOT || this.isLive[slot] === 0)
      return false;
    this.advance();
    this.isLive[slot] = 0;
    this.handlers[slot] = null;
    this.args[slot] = undefined;
    this.n -= this.weight[slot]!;
    if (this.n < 1e-9) this.n = 0;
    this.reschedule();
    return true;
  }

  remaining(id: number): number {
    const slot = Math.floor(id / SLOT);
    if (slot >= this.nextSlot || this.generation[slot] !== id - slot * SLOT || this.isLive[slot] === 0)
      return Number.NaN;
    this.advance();
    return Math.max(0, this.finish[slot]! - this.virtual);
  }

  clear(): void {
    this.advance();
    for (let i = 0; i < this.size; i++) this.release(this.heap[i]!);
    this.size = 0;
    this.n = 0;
    this.reschedule();
  }

  private advance(): void {
    const now = this.sim.now;
    const dt = now - this.lastTime;
    if (dt > 0) {
      if (this.n > 0) {
        this.virtual += dt * Math.min(1, this.cap / this.n);
        this.busy += dt * Math.min(this.cap, this.n);
      }
      this.lastTime = now;
    }
  }

  /** Drops dead entries from the top, then makes the one pending event match the earliest finish. */
  private reschedule(): void {
    while (this.size > 0 && this.isLive[this.heap[0]!] === 0) this.popTop();
    let next = Number.POSITIVE_INFINITY;
    if (this.size > 0) {
      const rate = Math.min(1, this.cap / this.n);
      next = this.sim.now + Math.max(0, this.finish[this.heap[0]!]! - this.virtual) / rate;
    }
    // Same instant up to rounding (a job joined without changing the rate): keep the event.
    if (next === this.pendingTime || Math.abs(next - this.pendingTime) <= 1e-12 * (1 + Math.abs(next)))
      return;
    if (this.pendingEvent >= 0) this.sim.cancel(this.pendingEvent);
    this.pendingTime = next;
    this.pendingEvent =
      next === Number.POSITIVE_INFINITY ? -1 : this.sim.scheduleAt(next, this.fire, undefined);
  }

  private onCompletion(): void {
    this.pendingEvent = -1;
    this.pendingTime = Number.POSITIVE_INFINITY;
    this.advance();
    // Everything within rounding of the current virtual time finishes now (cohorts and ties), and so
    // does work the clock cannot resolve: hours into a run, now + (a few ps) rounds back to now, the
    // event fires at the same instant, virtual time cannot advance, and it would be rescheduled forever.
    const limit =
      this.virtual +
      Math.max(
        1e-12 * (1 + Math.abs(this.virtual)),
        this.rate * CLOCK_ULPS * Math.abs(this.sim.now) * Number.EPSILON,
      );
    const completed = this.completed;
    completed.length = 0;
    while (this.size > 0) {
      const top = this.heap[0]!;
      if (this.isLive[top] === 0) {
        this.popTop();
        continue;
      }
      if (this.finish[top]! > limit) break;
      this.n -= this.weight[top]!;
      this.isLive[top] = 0;
      completed.push(top);
      this.removeTop();
    }
    if (this.n < 1e-9) this.n = 0;
    // Callbacks run after the state is consistent, since they may add jobs re-entrantly; a slot is
    // recycled only after its handler has been read.
    if (completed.length === 1) {
      const slot = completed[0]!;
      const handler = this.handlers[slot]!;
      const arg = this.args[slot];
      this.release(slot);
      this.reschedule();
      handler(arg);
      return;
    }
    const handlers: JobDone<unknown>[] = [];
    const args: unknown[] = [];
    for (const slot of completed) {
      handlers.push(this.handlers[slot]!);
      args.push(this.args[slot]);
      this.release(slot);
    }
    this.reschedule();
    for (let i = 0; i < handlers.length; i++) handlers[i]!(args[i]);
  }

  private release(slot: number): void {
    this.isLive[slot] = 0;
    this.handlers[slot] = null;
    this.args[slot] = undefined;
    this.generation[slot] = (this.generation[slot]! + 1) >>> 0;
    this.free.push(slot);
  }

  private popTop(): void {
    const top = this.heap[0]!;
    this.removeTop();
    this.release(top);
  }

  private removeTop(): void {
    const last = this.heap[--this.size]!;
    if (this.size > 0) this.siftDown(0, last);
  }

  private siftUp(pos: number, slot: number): void {
    const heap = this.heap;
    const key = this.finish[slot]!;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const p = heap[parent]!;
      if (this.finish[p]! <= key) break;
      heap[pos] = p;
      pos = parent;
    }
    heap[pos] = slot;
  }

  private siftDown(pos: number, slot: number): void {
    const heap = this.heap;
    const n = this.size;
    const key = this.finish[slot]!;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.finish[heap[right]!]! < this.finish[heap[child]!]!) child = right;
      if (this.finish[heap[child]!]! >= key) break;
      heap[pos] = heap[child]!;
      pos = child;
    }
    heap[pos] = slot;
  }

  private grow(): void {
    const n = this.finish.length * 2;
    const f = new Float64Array(n);
    f.set(this.finish);
    this.finish = f;
    const w = new Float64Array(n);
    w.set(this.weight);
    this.weight = w;
    const g = new Uint32Array(n);
    g.set(this.generation);
    this.generation = g;
    const l = new Uint8Array(n);
    l.set(this.isLive);
    this.isLive = l;
    const h = new Int32Array(n);
    h.set(this.heap);
    this.heap = h;
    for (let i = this.handlers.length; i < n; i++) {
      this.handlers.push(null);
      this.args.push(undefined);
    }
  }
}

export function createProcessorSharing(sim: Simulation, capacity: number): ProcessorSharing {
  if (!(capacity > 0)) throw new RangeError(`processor sharing: capacity must be > 0 cores, got ${capacity}`);
  return new PsServer(sim, capacity);
}
