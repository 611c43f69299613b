/**
 * A resource with `capacity` identical units (SimPy's Resource / PriorityResource): a process yields
 * `resource.request()` and holds a unit from when that event succeeds until `resource.release(request)`.
 * Waiting requests are served FIFO, or by priority (lower first) then FIFO. No preemption.
 *
 * Invariants, checked after every change (SimPy's resources/base.py raises when its queue invariant
 * breaks): 0 <= inUse <= capacity, and nobody waits while a unit is free.
 */
import { type Scheduler, SimEvent } from './process.js';

export type QueueDiscipline = 'fifo' | 'priority';

export interface ResourceOptions {
  /** Number of units; an integer >= 1. */
  readonly capacity: number;
  /** Order of waiting requests; 'fifo' unless given. */
  readonly discipline?: QueueDiscipline;
  readonly name?: string;
}

const WAITING = 0;
const GRANTED = 1;
const RELEASED = 2;
const WITHDRAWN = 3;

/** A claim on one unit; succeeds when granted. Give it back with resource.release(request). */
export class Request extends SimEvent<undefined> {
  // Declared, assigned in the constructor: see the NOTE on SimEvent (process.ts).
  declare readonly resource: Resource;
  /** Lower is served first under the 'priority' discipline. */
  declare readonly priority: number;
  /** @internal FIFO order among equal priorities. */
  declare readonly order: number;
  /** @internal WAITING, GRANTED, RELEASED or WITHDRAWN. */
  declare phase: number;

  constructor(resource: Resource, priority: number, order: number) {
    super(resource.scheduler);
    this.resource = resource;
    this.priority = priority;
    this.order = order;
    this.phase = WAITING;
  }

  get isGranted(): boolean {
    return this.phase === GRANTED;
  }
}

export class Resource {
  readonly scheduler: Scheduler;
  readonly capacity: number;
  readonly discipline: QueueDiscipline;
  readonly name: string;
  private users = 0;
  private nextOrder = 0;
  private readonly isFifo: boolean;
  /**
   * Waiting requests: a ring read from `ringHead` (fifo; its length is a power of two), or a binary
   * heap on (priority, order) (priority). Withdrawn requests stay until reached or until a
   * compaction; `waitingCount` counts the live ones.
   */
  private ring: (Request | undefined)[] = new Array<Request | undefined>(16).fill(undefined);
  private ringHead = 0;
  private ringLength = 0;
  private heap: Request[] = [];
  private waitingCount = 0;

  constructor(scheduler: Scheduler, options: ResourceOptions) {
    if (!(Number.isInteger(options.capacity) && options.capacity >= 1))
      throw new RangeError(`resource: capacity must be an integer >= 1, got ${options.capacity}`);
    this.scheduler = scheduler;
    this.capacity = options.capacity;
    this.discipline = options.discipline ?? 'fifo';
    this.isFifo = this.discipline === 'fifo';
    this.name = options.name ?? 'resource';
  }

  /** Units held now. */
  get inUse(): number {
    return this.users;
  }
  /** Requests waiting for a unit. */
  get queueLength(): number {
    return this.waitingCount;
  }

  /** Asks for a unit; the returned event succeeds when it is granted (this instant if one is free). */
  request(priority = 0): Request {
    if (!Number.isFinite(priority))
      throw new RangeError(`request: priority must be a finite number, got ${priority}`);
    const request = new Request(this, priority, this.nextOrder++);
    if (this.users < this.capacity) this.grant(request);
    else this.enqueue(request);
    this.checkInvariants();
    return request;
  }

  /**
   * Gives a granted unit back (and grants it to the next waiter), or withdraws a request still waiting
   * (reneging, or a process interrupted while it waited). Releasing twice is an error.
   */
  release(request: Request): void {
    if (request.resource !== this)
      throw new Error(`release: the request belongs to resource ${request.resource.name}`);
    if (request.phase === GRANTED) {
      request.phase = RELEASED;
      this.users--;
      while (this.users < this.capacity && this.waitingCount > 0) this.grant(this.dequeue());
    } else if (request.phase === WAITING) {
      request.phase = WITHDRAWN;
      this.waitingCount--;
      const stored = this.isFifo ? this.ringLength : this.heap.length;
      if (stored > 2 * this.waitingCount + 64) this.compact();
    } else {
      throw new Error(`release: the request to ${this.name} was already released or withdrawn`);
    }
    this.checkInvariants();
  }

  private grant(request: Request): void {
    request.phase = GRANTED;
    this.users++;
    request.succeed();
  }

  private enqueue(request: Request): void {
    this.waitingCount++;
    if (this.isFifo) {
      if (this.ringLength === this.ring.length) this.growRing();
      this.ring[(this.ringHead + this.ringLength) & (this.ring.length - 1)] = request;
      this.ringLength++;
      return;
    }
    const heap = this.heap;
    let pos = heap.length;
    heap.push(request);
    while (pos > 0) {
      const parent = (pos - 1) >> 1;
      const p = heap[parent]!;
      if (!isServedBefore(request, p)) break;
      heap[pos] = p;
      pos = parent;
    }
    heap[pos] = request;
  }

  /** Removes and returns the next live waiting request; the caller knows one exists. */
  private dequeue(): Request {
    for (;;) {
      const request = this.isFifo ? this.shiftRing() : this.popHeap();
      if (request.phase === WAITING) {
        this.waitingCount--;
        return request;
      }
    }
  }

  private shiftRing(): Request {
    const i = this.ringHead;
    const request = this.ring[i]!;
    this.ring[i] = undefined;
    this.ringHead = (i + 1) & (this.ring.length - 1);
    this.ringLength--;
    return request;
  }

  /** Doubles the ring, unrolling it so the head is at 0. */
  private growRing(): void {
    this.setRing(this.liveRing(false), 2 * this.ring.length);
  }

  /** The ring's entries in order; only the waiting ones when `isLiveOnly`. */
  private liveRing(isLiveOnly: boolean): Request[] {
    const entries: Request[] = [];
    const mask = this.ring.length - 1;
    for (let k = 0; k < this.ringLength; k++) {
      const request = this.ring[(this.ringHead + k) & mask]!;
      if (!isLiveOnly || request.phase === WAITING) entries.push(request);
    }
    return entries;
  }

  private setRing(entries: readonly Request[], capacity: number): void {
    const ring = new Array<Request | undefined>(capacity).fill(undefined);
    for (let k = 0; k < entries.length; k++) ring[k] = entries[k];
    this.ring = ring;
    this.ringHead = 0;
    this.ringLength = entries.length;
  }

  private popHeap(): Request {
    const heap = this.heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) siftDown(heap, 0, last);
    return top;
  }

  /** Drops withdrawn requests so a queue of mostly-reneged requests does not grow without bound. */
  private compact(): void {
    if (this.isFifo) {
      this.setRing(this.liveRing(true), this.ring.length);
      return;
    }
    const live = this.heap.filter((r) => r.phase === WAITING);
    this.heap = live;
    for (let i = (live.length >> 1) - 1; i >= 0; i--) siftDown(live, i, live[i]!);
  }

  private checkInvariants(): void {
    if (this.users < 0 || this.users > this.capacity)
      throw new Error(`resource ${this.name}: ${this.users} units in use of ${this.capacity} (a kernel bug)`);
    if (this.waitingCount > 0 && this.users < this.capacity)
      throw new Error(
        `resource ${this.name}: ${this.waitingCount} requests wait while ${this.capacity - this.users} units are free (a kernel bug)`,
      );
  }
}

function isServedBefore(a: Request, b: Request): boolean {
  return a.priority < b.priority || (a.priority === b.priority && a.order < b.order);
}

function siftDown(heap: Request[], pos: number, item: Request): void {
  const n = heap.length;
  for (;;) {
    let child = 2 * pos + 1;
    if (child >= n) break;
    const right = child + 1;
    if (right < n && isServedBefore(heap[right]!, heap[child]!)) child = right;
    if (!isServedBefore(heap[child]!, item)) break;
    heap[pos] = heap[child]!;
    pos = child;
  }
  heap[pos] = item;
}

export function createResource(scheduler: Scheduler, options: ResourceOptions): Resource {
  return new Resource(scheduler, options);
}
