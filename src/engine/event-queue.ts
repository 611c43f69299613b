/**
 * The pending-event set, ordered by (time, priority, sequence).
 *
 * A ladder queue (Tang, Goh & Thng, "Ladder Queue: An O(1) priority queue structure for large-scale
 * discrete event simulation", ACM TOMACS 15(3), 2005), with a binary heap as its bottom:
 * - top: an unsorted list of events later than `topStart` (every rung ends at or before it);
 * - rungs: arrays of equal-width buckets, each an unsorted list; rung x+1 splits one bucket of rung x.
 *   A bucket reached with more than `splitThreshold` events becomes a finer rung instead of being sorted;
 * - bottom: a binary heap on (time, key) holding the bucket being executed plus anything scheduled into
 *   its range, so equal times still pop by (priority, sequence).
 * - lane: a FIFO ring of events at the current time, in increasing key order. An event at the current
 *   time whose key is above the lane's last joins it (most zero-delay events: a process start, a
 *   trigger, a grant); any other goes to the ladder as before. pop takes the lane's head unless the
 *   bottom's head is at the same time with a lower key, so the pop order is exactly the ladder-only
 *   order; the lane saves a heap push and pop per zero-delay event. When time moves on, the lane is
 *   empty (its events were all due first).
 * An event moves top -> rung -> bottom a bounded number of times, so push and pop are O(1) amortized
 * where a binary heap of n events is O(log n): on the hold model the previous binary heap ran 4.5 M
 * events/s at 10k pending and this runs 9.8 M/s (1.6 vs 2.3 M/s at 100k; bench/kernel.ts).
 * While the queue is small (top and rungs empty, bottom under `splitThreshold`) it is just the bottom
 * heap; a bottom that grows past `bottomLimit` is spilled into a new finest rung.
 *
 * Bucket index floor((t - start) * inverseWidth) is monotone in t, and every routing decision uses that
 * same formula, so events in a drained bucket's range always go deeper (a finer rung or the bottom)
 * and ties never straddle two places.
 *
 * NOTE: events live in typed arrays indexed by slot, buckets are linked lists through `next`, and pop
 * returns its event through fields rather than an object: scheduling allocates nothing on the hot path.
 * The kernel's own events use pushNow (no slot, no id: a start or trigger is never cancelled) and
 * pushSlot (a small-integer slot rather than an id, which above 2^31 would be a heap number each time).
 * Cancellation is lazy (the slot's handler is cleared and the entry dropped when reached); when dead
 * entries outnumber live ones the whole structure is compacted, so memory stays O(live events).
 * ReferenceQueue (reference-queue.ts) is the slow, obviously correct twin differential tests check
 * this against: the same operations on both queues, and whole simulations on each.
 */
export type Handler<T> = (arg: T) => void;

/** What EventQueue.take() returns when no event is left. */
export const EMPTY: unique symbol = Symbol('empty');

/** What the simulation needs from its event queue (EventQueue; ReferenceQueue in tests). */
export interface KernelQueue {
  readonly length: number;
  /** The popped event's time, key and handler. */
  readonly time: number;
  readonly key: number;
  readonly handler: Handler<unknown>;
  push<T>(time: number, priority: number, handler: Handler<T>, arg: T): number;
  pushSlot<T>(time: number, priority: number, handler: Handler<T>, arg: T): number;
  pushNow<T>(priority: number, handler: Handler<T>, arg: T): void;
  cancel(id: number): boolean;
  cancelSlot(slot: number): void;
  take(): unknown;
  peekTime(): number;
}

/** key = priority * SEQUENCE_SPAN + sequence, exact in a float64 for priorities below 256. */
export const SEQUENCE_SPAN = 2 ** 45;
/** Highest priority the queue accepts (the simulation reserves it for the end of a run). */
export const MAX_QUEUE_PRIORITY = 255;
/**
 * Event id = generation * SLOT_SPAN + slot: up to 2^24 pending events; the generation (bumped each
 * time the slot is freed) makes a stale id fail to cancel. It wraps after 2^29 reuses of one slot, so
 * an id kept that long after its event ran could cancel a newer one: a risk we accept.
 */
const SLOT_SPAN = 2 ** 24;
const GENERATION_MASK = 2 ** 29 - 1;
const MAX_RUNGS = 24;
const NONE = -1;
/** Initial lane capacity; a power of two (the ring index is masked). */
const LANE_START = 256;

export interface EventQueueOptions {
  /** A bucket with more events than this becomes a finer rung when reached (the paper uses 50). */
  readonly splitThreshold?: number;
  /** Compact when cancelled entries exceed both this and the live count. */
  readonly purgeMin?: number;
  /** A bottom heap longer than this becomes a rung. */
  readonly bottomLimit?: number;
}

export class EventQueue implements KernelQueue {
  private readonly splitThreshold: number;
  private readonly purgeMin: number;
  private readonly bottomLimit: number;
  private spillAt: number;
  // Per-slot event data.
  private slotTime = new Float64Array(1024);
  private slotKey = new Float64Array(1024);
  private next = new Int32Array(1024);
  private generation = new Uint32Array(1024);
  private handlers: (Handler<unknown> | null)[] = [];
  private args: unknown[] = [];
  private freeSlots = new Int32Array(1024);
  private freeCount = 0;
  private slotCount = 0;

  // Bottom: binary heap on (time, key).
  private bottomTime = new Float64Array(256);
  private bottomKey = new Float64Array(256);
  private bottomSlot = new Int32Array(256);
  private bottomSize = 0;

  // Top: unsorted list of events later than topStart.
  private topHead = NONE;
  private topCount = 0;
  private topMin = Number.POSITIVE_INFINITY;
  private topMax = Number.NEGATIVE_INFINITY;
  private topStart = Number.NEGATIVE_INFINITY;

  // Rungs, coarsest first: rung x has rungBuckets[x] buckets of width 1 / rungInverseWidth[x] from
  // rungStart[x]; buckets below rungCursor[x] have been drained.
  private rungStart = new Float64Array(MAX_RUNGS);
  private rungInverseWidth = new Float64Array(MAX_RUNGS);
  private rungCursor = new Int32Array(MAX_RUNGS);
  private rungBuckets = new Int32Array(MAX_RUNGS);
  private rungHeads: Int32Array[] = [];
  private rungCounts: Int32Array[] = [];
  private rungCount = 0;

  // Lane: a FIFO ring of events at the current time in increasing key order (see pushSlot and
  // pushNow). An entry's slot is -1 when it cannot be cancelled (pushNow); then it has none.
  private laneKey = new Float64Array(LANE_START);
  private laneSlot = new Int32Array(LANE_START);
  private laneHandler: Handler<unknown>[] = new Array<Handler<unknown>>(LANE_START).fill(noop);
  private laneArg: unknown[] = new Array<unknown>(LANE_START).fill(undefined);
  private laneHead = 0;
  private laneCount = 0;
  private laneLastKey = 0;

  private live = 0;
  private dead = 0;
  private sequence = 0;

  /** The event pop() returned: its time, key, handler and argument. */
  time = 0;
  key = 0;
  handler: Handler<unknown> = noop;
  arg: unknown = undefined;

  /** Options exist so tests can force rung splits and compactions on small inputs. */
  constructor(options: EventQueueOptions = {}) {
    this.splitThreshold = options.splitThreshold ?? 48;
    this.purgeMin = options.purgeMin ?? 4096;
    this.bottomLimit = options.bottomLimit ?? 256;
    this.spillAt = this.bottomLimit;
    for (let x = 0; x < MAX_RUNGS; x++) {
      this.rungHeads.push(new Int32Array(0));
      this.rungCounts.push(new Int32Array(0));
    }
  }

  /** Live (not cancelled, not yet popped) events. */
  get length(): number {
    return this.live;
  }

  /**
   * Adds an event; returns an id for cancel(). The caller guarantees `time` is not earlier than the
   * last popped time and `priority` is an integer in [0, 255].
   */
  push<T>(time: number, priority: number, handler: Handler<T>, arg: T): number {
    const slot = this.pushSlot(time, priority, handler, arg);
    return this.generation[slot]! * SLOT_SPAN + slot;
  }

  /**
   * push() for the kernel's own events: returns the slot, a small integer, for cancelSlot().
   * NOTE: an id above 2^31 is a heap-allocated number each time it leaves optimized code; a slot is not.
   */
  pushSlot<T>(time: number, priority: number, handler: Handler<T>, arg: T): number {
    let slot: number;
    if (this.freeCount > 0) slot = this.freeSlots[--this.freeCount]!;
    else slot = this.newSlot();
    if (this.sequence === SEQUENCE_SPAN) throw new RangeError('event queue: more than 2^45 events scheduled');
    const key = priority * SEQUENCE_SPAN + this.sequence++;
    this.slotTime[slot] = time;
    this.slotKey[slot] = key;
    this.handlers[slot] = handler as Handler<unknown>;
    this.args[slot] = arg;
    this.live++;
    // An event at the current time that sorts after the lane's last one joins the lane: O(1) both ways.
    if (time === this.time && (this.laneCount === 0 || key > this.laneLastKey))
      this.pushLane(key, slot, handler as Handler<unknown>, arg);
    else this.insert(slot, time);
    return slot;
  }

  /**
   * An event at the current time that will never be cancelled (the kernel's process starts and event
   * triggers): it takes no slot when it can join the lane.
   */
  pushNow<T>(priority: number, handler: Handler<T>, arg: T): void {
    if (this.sequence === SEQUENCE_SPAN) throw new RangeError('event queue: more than 2^45 events scheduled');
    const key = priority * SEQUENCE_SPAN + this.sequence;
    if (this.laneCount === 0 || key > this.laneLastKey) {
      this.sequence++;
      this.live++;
      this.pushLane(key, -1, handler as Handler<unknown>, arg);
    } else this.pushSlot(this.time, priority, handler, arg);
  }

  /** Cancels the pending event in `slot` (from pushSlot); the caller knows it has not run. */
  cancelSlot(slot: number): void {
    this.handlers[slot] = null;
    this.args[slot] = undefined;
    this.live--;
    this.dead++;
    if (this.dead > this.purgeMin && this.dead > this.live) this.purge();
  }

  /** Cancels a pending event; false if it already ran, was cancelled, or the id is unknown. */
  cancel(id: number): boolean {
    const slot = id & (SLOT_SPAN - 1);
    const generation = (id - slot) / SLOT_SPAN;
    if (slot >= this.slotCount || this.generation[slot] !== generation || this.handlers[slot] === null)
      return false;
    this.handlers[slot] = null;
    this.args[slot] = undefined;
    this.live--;
    this.dead++;
    if (this.dead > this.purgeMin && this.dead > this.live) this.purge();
    return true;
  }

  /**
   * Removes the earliest live event into `time`, `key`, `handler` and `arg`; false when none is left.
   * The slot is recycled before the caller runs the handler, so the handler may schedule freely.
   */
  pop(): boolean {
    const arg = this.take();
    if (arg === EMPTY) return false;
    this.arg = arg;
    return true;
  }

  /**
   * pop() for the event loop: removes the earliest live event into `time`, `key` and `handler` and
   * returns its argument, or EMPTY when none is left.
   * NOTE: returning the argument rather than storing it in a field spares a GC write barrier per
   * event (the argument is usually a young object, the queue an old one).
   */
  take(): unknown {
    for (;;) {
      if (this.laneCount !== 0) {
        // The lane's events are at the current time, so only an equal-time bottom event with a lower
        // key goes first (the bottom holds the earliest of the rest once refilled).
        const i = this.laneHead;
        const key = this.laneKey[i]!;
        if (this.bottomSize === 0 && (this.topCount !== 0 || this.rungCount !== 0)) this.refill();
        if (!(this.bottomSize !== 0 && this.bottomTime[0] === this.time && this.bottomKey[0]! < key)) {
          this.laneHead = (i + 1) & (this.laneKey.length - 1);
          this.laneCount--;
          const arg = this.laneArg[i];
          this.laneArg[i] = undefined;
          const slot = this.laneSlot[i]!;
          if (slot >= 0) {
            const isCancelled = this.handlers[slot] === null;
            this.freeSlot(slot);
            if (isCancelled) {
              this.dead--;
              continue;
            }
          }
          // A stale handler left in the ring holds nothing young: handlers are long-lived functions.
          this.handler = this.laneHandler[i]!;
          this.key = key;
          this.live--;
          return arg;
        }
      }
      if (this.bottomSize === 0 && !this.refill()) return EMPTY;
      const slot = this.bottomSlot[0]!;
      const time = this.bottomTime[0]!;
      const key = this.bottomKey[0]!;
      this.removeBottomTop();
      const handler = this.handlers[slot] as Handler<unknown> | null;
      if (handler !== null) {
        const arg = this.args[slot];
        this.time = time;
        this.key = key;
        this.handler = handler;
        this.live--;
        this.freeSlot(slot);
        return arg;
      }
      this.dead--;
      this.freeSlot(slot);
    }
  }

  /** Time of the earliest live event, or Infinity. */
  peekTime(): number {
    while (this.laneCount !== 0) {
      const i = this.laneHead;
      const slot = this.laneSlot[i]!;
      if (slot < 0 || this.handlers[slot] !== null) return this.time;
      this.laneHead = (i + 1) & (this.laneKey.length - 1);
      this.laneCount--;
      this.laneHandler[i] = noop;
      this.laneArg[i] = undefined;
      this.dead--;
      this.freeSlot(slot);
    }
    for (;;) {
      if (this.bottomSize === 0 && !this.refill()) return Number.POSITIVE_INFINITY;
      const slot = this.bottomSlot[0]!;
      if (this.handlers[slot] !== null) return this.bottomTime[0]!;
      this.removeBottomTop();
      this.dead--;
      this.freeSlot(slot);
    }
  }

  /**
   * Checks the structure's invariants and throws on the first broken one: for tests (O(n)). Every
   * queued slot appears exactly once; live/dead counts match; bucket contents match their index;
   * drained buckets are empty; the bottom is a heap; top, rungs and bottom are ordered as documented.
   */
  verify(): void {
    const seen = new Uint8Array(this.slotCount);
    let entries = 0;
    let deadEntries = 0;
    const visit = (s: number, where: string): void => {
      if (s < 0 || s >= this.slotCount) throw new Error(`${where}: slot ${s} out of range`);
      if (seen[s] === 1) throw new Error(`${where}: slot ${s} queued twice`);
      seen[s] = 1;
      entries++;
      if (this.handlers[s] === null) deadEntries++;
    };
    let topCount = 0;
    for (let s = this.topHead; s !== NONE; s = this.next[s]!) {
      visit(s, 'top');
      topCount++;
      if (!(this.slotTime[s]! > this.topStart))
        throw new Error(`top: time ${this.slotTime[s]} <= topStart ${this.topStart}`);
    }
    if (topCount !== this.topCount) throw new Error(`top: ${topCount} entries, counted ${this.topCount}`);
    let laterMin = Number.POSITIVE_INFINITY;
    for (let s = this.topHead; s !== NONE; s = this.next[s]!) {
      if (this.handlers[s] !== null && this.slotTime[s]! < laterMin) laterMin = this.slotTime[s]!;
    }
    for (let x = this.rungCount - 1; x >= 0; x--) {
      const heads = this.rungHeads[x]!;
      for (let b = 0; b < this.rungBuckets[x]!; b++) {
        if (b < this.rungCursor[x]! && heads[b] !== NONE)
          throw new Error(`rung ${x}: drained bucket ${b} not empty`);
        let count = 0;
        for (let s = heads[b]!; s !== NONE; s = this.next[s]!) {
          visit(s, `rung ${x} bucket ${b}`);
          count++;
          const t = this.slotTime[s]!;
          if (!(t <= this.topStart)) throw new Error(`rung ${x}: time ${t} above topStart ${this.topStart}`);
          const f = (t - this.rungStart[x]!) * this.rungInverseWidth[x]!;
          const expected = f < this.rungBuckets[x]! ? f | 0 : this.rungBuckets[x]! - 1;
          if (expected !== b) throw new Error(`rung ${x}: time ${t} in bucket ${b}, belongs in ${expected}`);
          if (this.handlers[s] !== null && t < laterMin) laterMin = t;
        }
        if (count !== this.rungCounts[x]![b])
          throw new Error(`rung ${x} bucket ${b}: ${count} entries, counted ${this.rungCounts[x]![b]}`);
      }
    }
    for (let i = 0; i < this.bottomSize; i++) {
      const s = this.bottomSlot[i]!;
      visit(s, 'bottom');
      if (this.bottomTime[i] !== this.slotTime[s] || this.bottomKey[i] !== this.slotKey[s])
        throw new Error(`bottom: entry ${i} out of sync`);
      if (i > 0) {
        const p = (i - 1) >> 1;
        const isBelowParent =
          this.bottomTime[i]! > this.bottomTime[p]! ||
          (this.bottomTime[i] === this.bottomTime[p] && this.bottomKey[i]! > this.bottomKey[p]!);
        if (!isBelowParent) throw new Error(`bottom: heap order broken at ${i}`);
      }
      if (this.handlers[s] !== null && !(this.bottomTime[i]! < laterMin))
        throw new Error(`bottom: time ${this.bottomTime[i]} after a rung or top entry at ${laterMin}`);
    }
    let previousKey = Number.NEGATIVE_INFINITY;
    let slotless = 0;
    for (let j = 0; j < this.laneCount; j++) {
      const i = (this.laneHead + j) & (this.laneKey.length - 1);
      const s = this.laneSlot[i]!;
      if (s >= 0) {
        visit(s, 'lane');
        if (this.slotTime[s] !== this.time)
          throw new Error(`lane: time ${this.slotTime[s]} is not now (${this.time})`);
        if (this.slotKey[s] !== this.laneKey[i]) throw new Error(`lane: entry ${j} out of sync`);
        if (this.handlers[s] !== null && this.handlers[s] !== this.laneHandler[i])
          throw new Error(`lane: entry ${j} has the wrong handler`);
      } else slotless++;
      if (!(this.laneKey[i]! > previousKey)) throw new Error(`lane: key order broken at ${j}`);
      previousKey = this.laneKey[i]!;
    }
    if (this.laneCount > 0 && previousKey !== this.laneLastKey) throw new Error('lane: last key out of sync');
    entries += slotless;
    if (entries - deadEntries !== this.live)
      throw new Error(`${entries - deadEntries} live entries, counted ${this.live}`);
    if (deadEntries !== this.dead) throw new Error(`${deadEntries} cancelled entries, counted ${this.dead}`);
    for (let i = 0; i < this.freeCount; i++) {
      if (seen[this.freeSlots[i]!] === 1) throw new Error(`free slot ${this.freeSlots[i]} is still queued`);
    }
    if (entries - slotless + this.freeCount !== this.slotCount)
      throw new Error(`${entries - slotless} queued + ${this.freeCount} free != ${this.slotCount} slots`);
  }

  private pushLane(key: number, slot: number, handler: Handler<unknown>, arg: unknown): void {
    if (this.laneCount === this.laneKey.length) this.growLane();
    const i = (this.laneHead + this.laneCount) & (this.laneKey.length - 1);
    this.laneKey[i] = key;
    this.laneSlot[i] = slot;
    this.laneHandler[i] = handler;
    this.laneArg[i] = arg;
    this.laneCount++;
    this.laneLastKey = key;
  }

  /** Doubles the lane ring, unrolling it so the head is at 0. */
  private growLane(): void {
    const n = this.laneKey.length;
    const key = new Float64Array(2 * n);
    const slot = new Int32Array(2 * n);
    const handler = new Array<Handler<unknown>>(2 * n).fill(noop);
    const arg = new Array<unknown>(2 * n).fill(undefined);
    for (let j = 0; j < this.laneCount; j++) {
      const i = (this.laneHead + j) & (n - 1);
      key[j] = this.laneKey[i]!;
      slot[j] = this.laneSlot[i]!;
      handler[j] = this.laneHandler[i]!;
      arg[j] = this.laneArg[i];
    }
    this.laneKey = key;
    this.laneSlot = slot;
    this.laneHandler = handler;
    this.laneArg = arg;
    this.laneHead = 0;
  }

  private insert(slot: number, time: number): void {
    if (time > this.topStart) {
      // While the whole queue is small it is just the bottom heap: nothing else to order against.
      if (this.topCount === 0 && this.rungCount === 0 && this.bottomSize < this.splitThreshold) {
        this.topStart = time;
        this.pushBottom(slot, time, this.slotKey[slot]!);
        return;
      }
      this.next[slot] = this.topHead;
      this.topHead = slot;
      this.topCount++;
      if (time < this.topMin) this.topMin = time;
      if (time > this.topMax) this.topMax = time;
      return;
    }
    for (let x = 0; x < this.rungCount; x++) {
      const f = (time - this.rungStart[x]!) * this.rungInverseWidth[x]!;
      if (f >= this.rungCursor[x]!) {
        const buckets = this.rungBuckets[x]!;
        const b = f < buckets ? f | 0 : buckets - 1;
        const heads = this.rungHeads[x]!;
        this.next[slot] = heads[b]!;
        heads[b] = slot;
        this.rungCounts[x]![b]!++;
        return;
      }
    }
    this.pushBottom(slot, time, this.slotKey[slot]!);
    if (this.bottomSize > this.spillAt) this.spillBottom();
  }

  /**
   * Turns a bottom heap that grew past `bottomLimit` into a new finest rung (the paper's "Bottom too
   * long" case): everything in it precedes every rung and the top, so order is kept, and pushes are
   * O(1) again. Events too close in time to divide stay a heap, retried when it doubles.
   */
  private spillBottom(): void {
    const n = this.bottomSize;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const t = this.bottomTime[i]!;
      if (t < min) min = t;
      if (t > max) max = t;
    }
    if (this.rungCount === MAX_RUNGS || !this.openRung(n, min, max)) {
      this.spillAt = 2 * n;
      return;
    }
    let head = NONE;
    for (let i = 0; i < n; i++) {
      const s = this.bottomSlot[i]!;
      this.next[s] = head;
      head = s;
    }
    this.bottomSize = 0;
    this.distribute(head);
  }

  /** Fills the empty bottom from the next non-empty bucket (or the top); false when nothing is left. */
  private refill(): boolean {
    this.spillAt = this.bottomLimit;
    for (;;) {
      const x = this.rungCount - 1;
      if (x < 0) {
        if (this.topCount === 0) return false;
        this.drainTop();
        if (this.bottomSize > 0) return true;
        continue;
      }
      const heads = this.rungHeads[x]!;
      const buckets = this.rungBuckets[x]!;
      let b = this.rungCursor[x]!;
      while (b < buckets && heads[b] === NONE) b++;
      if (b === buckets) {
        this.rungCount--;
        continue;
      }
      const head = heads[b]!;
      const count = this.rungCounts[x]![b]!;
      heads[b] = NONE;
      this.rungCounts[x]![b] = 0;
      this.rungCursor[x] = b + 1;
      // An exhausted rung is dropped at once; a finer rung split from its last bucket takes its place.
      if (b + 1 === buckets) this.rungCount--;
      if (count > this.splitThreshold && this.rungCount < MAX_RUNGS) this.split(head);
      else this.listToBottom(head);
      if (this.bottomSize > 0) return true;
    }
  }

  /** Moves the whole top into a new coarsest rung (or straight to the bottom when small). */
  private drainTop(): void {
    const head = this.topHead;
    const count = this.topCount;
    const min = this.topMin;
    const max = this.topMax;
    this.topHead = NONE;
    this.topCount = 0;
    this.topMin = Number.POSITIVE_INFINITY;
    this.topMax = Number.NEGATIVE_INFINITY;
    this.topStart = max;
    if (count <= this.splitThreshold || !this.openRung(count, min, max)) this.listToBottom(head);
    else this.distribute(head);
  }

  /** Splits a crowded bucket into a finer rung, unless its events are (nearly) simultaneous. */
  private split(head: number): void {
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    let count = 0;
    for (let s = head; s !== NONE; s = this.next[s]!) {
      const t = this.slotTime[s]!;
      if (t < min) min = t;
      if (t > max) max = t;
      count++;
    }
    if (this.openRung(count, min, max)) this.distribute(head);
    else this.listToBottom(head);
  }

  /** Pushes a rung of `count` buckets spanning [min, max]; false when the span cannot be divided. */
  private openRung(count: number, min: number, max: number): boolean {
    const inverseWidth = count / (max - min);
    if (!(max > min) || !(inverseWidth > 0 && inverseWidth < Number.POSITIVE_INFINITY)) return false;
    const x = this.rungCount++;
    if (this.rungHeads[x]!.length < count) {
      this.rungHeads[x] = new Int32Array(count);
      this.rungCounts[x] = new Int32Array(count);
    }
    this.rungHeads[x]!.fill(NONE, 0, count);
    this.rungCounts[x]!.fill(0, 0, count);
    this.rungStart[x] = min;
    this.rungInverseWidth[x] = inverseWidth;
    this.rungCursor[x] = 0;
    this.rungBuckets[x] = count;
    return true;
  }

  /** Distributes a list into the buckets of the finest rung, dropping cancelled events. */
  private distribute(head: number): void {
    const x = this.rungCount - 1;
    const heads = this.rungHeads[x]!;
    const counts = this.rungCounts[x]!;
    const start = this.rungStart[x]!;
    const inverseWidth = this.rungInverseWidth[x]!;
    const buckets = this.rungBuckets[x]!;
    let s = head;
    while (s !== NONE) {
      const following = this.next[s]!;
      if (this.handlers[s] === null) {
        this.dead--;
        this.freeSlot(s);
      } else {
        const f = (this.slotTime[s]! - start) * inverseWidth;
        const b = f < buckets ? f | 0 : buckets - 1;
        this.next[s] = heads[b]!;
        heads[b] = s;
        counts[b]!++;
      }
      s = following;
    }
  }

  /** Moves a list into the bottom heap, dropping cancelled events. */
  private listToBottom(head: number): void {
    const wasEmpty = this.bottomSize === 0;
    let s = head;
    while (s !== NONE) {
      const following = this.next[s]!;
      if (this.handlers[s] === null) {
        this.dead--;
        this.freeSlot(s);
      } else if (wasEmpty) {
        this.appendBottom(s);
      } else {
        this.pushBottom(s, this.slotTime[s]!, this.slotKey[s]!);
      }
      s = following;
    }
    if (wasEmpty) this.heapifyBottom();
  }

  /** Drops every cancelled entry from every list and the bottom. */
  private purge(): void {
    // The lane keeps its order: live entries slide towards the head.
    const mask = this.laneKey.length - 1;
    let keptLane = 0;
    for (let j = 0; j < this.laneCount; j++) {
      const i = (this.laneHead + j) & mask;
      const s = this.laneSlot[i]!;
      const isCancelled = s >= 0 && this.handlers[s] === null;
      if (isCancelled) {
        this.dead--;
        this.freeSlot(s);
      } else {
        const k = (this.laneHead + keptLane++) & mask;
        this.laneKey[k] = this.laneKey[i]!;
        this.laneSlot[k] = s;
        this.laneHandler[k] = this.laneHandler[i]!;
        this.laneArg[k] = this.laneArg[i];
      }
    }
    for (let j = keptLane; j < this.laneCount; j++) {
      const i = (this.laneHead + j) & mask;
      this.laneHandler[i] = noop;
      this.laneArg[i] = undefined;
    }
    this.laneCount = keptLane;
    if (keptLane > 0) this.laneLastKey = this.laneKey[(this.laneHead + keptLane - 1) & mask]!;
    this.topHead = this.compactList(this.topHead);
    this.topCount = this.compactedCount;
    for (let x = 0; x < this.rungCount; x++) {
      const heads = this.rungHeads[x]!;
      const counts = this.rungCounts[x]!;
      for (let b = this.rungCursor[x]!; b < this.rungBuckets[x]!; b++) {
        if (heads[b] === NONE) continue;
        heads[b] = this.compactList(heads[b]!);
        counts[b] = this.compactedCount;
      }
    }
    let kept = 0;
    for (let i = 0; i < this.bottomSize; i++) {
      const s = this.bottomSlot[i]!;
      if (this.handlers[s] === null) {
        this.dead--;
        this.freeSlot(s);
        continue;
      }
      this.bottomSlot[kept] = s;
      this.bottomTime[kept] = this.bottomTime[i]!;
      this.bottomKey[kept] = this.bottomKey[i]!;
      kept++;
    }
    this.bottomSize = kept;
    this.heapifyBottom();
  }

  private compactedCount = 0;
  private compactList(head: number): number {
    let newHead = NONE;
    let count = 0;
    let s = head;
    while (s !== NONE) {
      const following = this.next[s]!;
      if (this.handlers[s] === null) {
        this.dead--;
        this.freeSlot(s);
      } else {
        this.next[s] = newHead;
        newHead = s;
        count++;
      }
      s = following;
    }
    this.compactedCount = count;
    return newHead;
  }

  private appendBottom(slot: number): void {
    if (this.bottomSize === this.bottomSlot.length) this.growBottom();
    const i = this.bottomSize++;
    this.bottomSlot[i] = slot;
    this.bottomTime[i] = this.slotTime[slot]!;
    this.bottomKey[i] = this.slotKey[slot]!;
  }

  private pushBottom(slot: number, time: number, key: number): void {
    if (this.bottomSize === this.bottomSlot.length) this.growBottom();
    const times = this.bottomTime;
    const keys = this.bottomKey;
    const slots = this.bottomSlot;
    let pos = this.bottomSize++;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const pt = times[parent]!;
      if (pt < time || (pt === time && keys[parent]! < key)) break;
      times[pos] = pt;
      keys[pos] = keys[parent]!;
      slots[pos] = slots[parent]!;
      pos = parent;
    }
    times[pos] = time;
    keys[pos] = key;
    slots[pos] = slot;
  }

  private removeBottomTop(): void {
    const n = --this.bottomSize;
    if (n === 0) return;
    this.siftDown(0, this.bottomTime[n]!, this.bottomKey[n]!, this.bottomSlot[n]!, n);
  }

  private siftDown(pos: number, time: number, key: number, slot: number, n: number): void {
    const times = this.bottomTime;
    const keys = this.bottomKey;
    const slots = this.bottomSlot;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      let ct = times[child]!;
      const right = child + 1;
      if (right < n) {
        const rt = times[right]!;
        if (rt < ct || (rt === ct && keys[right]! < keys[child]!)) {
          child = right;
          ct = rt;
        }
      }
      if (time < ct || (time === ct && key < keys[child]!)) break;
      times[pos] = ct;
      keys[pos] = keys[child]!;
      slots[pos] = slots[child]!;
      pos = child;
    }
    times[pos] = time;
    keys[pos] = key;
    slots[pos] = slot;
  }

  private heapifyBottom(): void {
    const n = this.bottomSize;
    for (let i = (n >> 1) - 1; i >= 0; i--) {
      this.siftDown(i, this.bottomTime[i]!, this.bottomKey[i]!, this.bottomSlot[i]!, n);
    }
  }

  private newSlot(): number {
    const slot = this.slotCount;
    if (slot === SLOT_SPAN) throw new RangeError(`event queue: more than ${SLOT_SPAN} pending events`);
    if (slot === this.slotTime.length) this.growSlots();
    this.slotCount++;
    this.handlers.push(null);
    this.args.push(undefined);
    return slot;
  }

  private freeSlot(slot: number): void {
    this.handlers[slot] = null;
    this.args[slot] = undefined;
    this.generation[slot] = (this.generation[slot]! + 1) & GENERATION_MASK;
    this.freeSlots[this.freeCount++] = slot;
  }

  private growSlots(): void {
    const n = Math.min(this.slotTime.length * 2, SLOT_SPAN);
    this.slotTime = grow(this.slotTime, new Float64Array(n));
    this.slotKey = grow(this.slotKey, new Float64Array(n));
    this.next = grow(this.next, new Int32Array(n));
    this.generation = grow(this.generation, new Uint32Array(n));
    this.freeSlots = grow(this.freeSlots, new Int32Array(n));
  }

  private growBottom(): void {
    const n = this.bottomSlot.length * 2;
    this.bottomTime = grow(this.bottomTime, new Float64Array(n));
    this.bottomKey = grow(this.bottomKey, new Float64Array(n));
    this.bottomSlot = grow(this.bottomSlot, new Int32Array(n));
  }
}

function grow<A extends Float64Array | Int32Array | Uint32Array>(from: A, to: A): A {
  to.set(from);
  return to;
}

function noop(): void {}
