/**
 * The pending-event set: a binary min-heap ordered by (time, priority, sequence).
 *
 * NOTE: keys live in typed arrays and the heap holds slot indices, so scheduling allocates
 * nothing on the hot path (millions of requests); handlers and their arguments sit in plain
 * arrays indexed by slot. Cancelled slots are dropped lazily when they reach the top.
 */
export type Handler<T> = (arg: T) => void;

export class EventQueue {
  private times = new Float64Array(1024);
  private priorities = new Int32Array(1024);
  private sequences = new Float64Array(1024);
  private handlers: (Handler<unknown> | null)[] = new Array(1024).fill(null);
  private args: unknown[] = new Array(1024).fill(undefined);
  private heap = new Int32Array(1024);
  private size = 0;
  private free: number[] = [];
  private nextSlot = 0;
  private live = 0;
  private seq = 0;
  /** Generation per slot, so a stale id cannot cancel a reused slot. */
  private generations = new Uint32Array(1024);

  get length(): number {
    return this.live;
  }

  /** Returns an id (slot * 2^32 + generation) usable with cancel(). */
  push<T>(time: number, priority: number, handler: Handler<T>, arg: T): number {
    let slot: number;
    if (this.free.length > 0) slot = this.free.pop()!;
    else {
      slot = this.nextSlot++;
      if (slot >= this.times.length) this.grow();
    }
    this.times[slot] = time;
    this.priorities[slot] = priority;
    this.sequences[slot] = this.seq++;
    this.handlers[slot] = handler as Handler<unknown>;
    this.args[slot] = arg;
    this.live++;
    this.siftUp(this.size++, slot);
    return slot * 4294967296 + this.generations[slot]!;
  }

  cancel(id: number): boolean {
    const slot = Math.floor(id / 4294967296);
    const generation = id - slot * 4294967296;
    if (slot >= this.nextSlot || this.generations[slot] !== generation || this.handlers[slot] === null) return false;
    this.handlers[slot] = null;
    this.args[slot] = undefined;
    this.live--;
    return true;
  }

  /** Time of the next live event, or Infinity. */
  peekTime(): number {
    this.dropCancelled();
    return this.size === 0 ? Number.POSITIVE_INFINITY : this.times[this.heap[0]!]!;
  }

  /**
   * Removes the next live event and calls `visit` with it. Returns false when empty.
   * The slot is recycled before the handler runs, so the handler may schedule freely.
   */
  popInto(visit: (time: number, priority: number, sequence: number, handler: Handler<unknown>, arg: unknown) => void): boolean {
    this.dropCancelled();
    if (this.size === 0) return false;
    const slot = this.heap[0]!;
    const handler = this.handlers[slot]!;
    const arg = this.args[slot];
    const time = this.times[slot]!;
    const priority = this.priorities[slot]!;
    const sequence = this.sequences[slot]!;
    this.removeTop(slot);
    this.live--;
    visit(time, priority, sequence, handler, arg);
    return true;
  }

  private removeTop(slot: number): void {
    this.handlers[slot] = null;
    this.args[slot] = undefined;
    this.generations[slot] = (this.generations[slot]! + 1) >>> 0;
    this.free.push(slot);
    const last = this.heap[--this.size]!;
    if (this.size > 0) this.siftDown(0, last);
  }

  private dropCancelled(): void {
    while (this.size > 0) {
      const top = this.heap[0]!;
      if (this.handlers[top] !== null) return;
      this.generations[top] = (this.generations[top]! + 1) >>> 0;
      this.free.push(top);
      const last = this.heap[--this.size]!;
      if (this.size > 0) this.siftDown(0, last);
    }
  }

  private less(a: number, b: number): boolean {
    const ta = this.times[a]!;
    const tb = this.times[b]!;
    if (ta !== tb) return ta < tb;
    const pa = this.priorities[a]!;
    const pb = this.priorities[b]!;
    if (pa !== pb) return pa < pb;
    return this.sequences[a]! < this.sequences[b]!;
  }

  private siftUp(pos: number, slot: number): void {
    const heap = this.heap;
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const p = heap[parent]!;
      if (!this.less(slot, p)) break;
      heap[pos] = p;
      pos = parent;
    }
    heap[pos] = slot;
  }

  private siftDown(pos: number, slot: number): void {
    const heap = this.heap;
    const n = this.size;
    for (;;) {
      let child = 2 * pos + 1;
      if (child >= n) break;
      const right = child + 1;
      if (right < n && this.less(heap[right]!, heap[child]!)) child = right;
      if (!this.less(heap[child]!, slot)) break;
      heap[pos] = heap[child]!;
      pos = child;
    }
    heap[pos] = slot;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const t = new Float64Array(n);
    t.set(this.times);
    this.times = t;
    const p = new Int32Array(n);
    p.set(this.priorities);
    this.priorities = p;
    const s = new Float64Array(n);
    s.set(this.sequences);
    this.sequences = s;
    const g = new Uint32Array(n);
    g.set(this.generations);
    this.generations = g;
    const h = new Int32Array(n);
    h.set(this.heap);
    this.heap = h;
    for (let i = this.handlers.length; i < n; i++) {
      this.handlers.push(null);
      this.args.push(undefined);
    }
  }
}
