/**
 * One priority level: its seats, its queues and fair queuing between flows.
 *
 * Source: apiserver@v0.31.0 pkg/util/flowcontrol/fairqueuing/queueset/queueset.go:
 *   - shuffle sharding picks, within the flow's hand, the queue with the least waiting work;
 *   - a request is rejected 'queue-full' only if the level is at its limit AND its queue is full;
 *   - virtual time R advances at min(seats requested, limit) / active queues per second;
 *   - dispatch takes the non-empty queue whose head has the smallest virtual finish
 *     (nextDispatchR + work), round-robin on ties; if that head does not fit, nothing is dispatched
 *     ("dispatch with no accommodation");
 *   - a request's work is initialSeats*G + finalSeats*additionalLatency; on completion its queue's
 *     nextDispatchR is corrected by initialSeats*(G - actual service time);
 *   - max(initialSeats, finalSeats) seats are held from dispatch until the additional latency after
 *     the handler finished has passed;
 *   - levels without queues (Reject) admit or reject 'concurrency-limit'; the exempt level admits all.
 *
 * Cohorts (ApiRequest.count = n identical requests travelling together) are an approximation: the
 * cohort is one queue entry whose seats are n times a member's, capped at the level's current limit
 * so it can always be dispatched, whose work is n times a member's, and which counts as n requests
 * towards the queue length limit (if the n do not all fit, the whole cohort is rejected). Members
 * therefore dispatch and finish together, where real requests would trickle through one by one.
 *
 * NOTE: hot path. Requests are small class instances; timers use module-level handlers with the
 * request as argument, so scheduling allocates no closure.
 */
import type { Simulation } from '../../engine/index.js';
import type { RejectReason } from '../api-types.js';
import { DemandIntegrator, SeatDemandStats } from './borrowing.js';
import type { FlowClassification } from './classifier.js';
import type { LevelSpec } from './config.js';
import { DroppedRequestsTracker } from './dropped-requests.js';
import { ESTIMATED_SERVICE_DURATION } from './parameters.js';
import { dealHand } from './shuffle-sharding.js';

export type DispatchCallback = (release: () => void) => void;
export type RejectCallback = (reason: RejectReason, retryAfterSeconds: number) => void;

const WAITING = 0;
const EXECUTING = 1;
/** Handler finished; seats still held for the additional latency. */
const LINGERING = 2;
const DONE = 3;

/** Cumulative counts per level name, kept across reconfigurations and replica restarts. */
export class LevelCounters {
  dispatched = 0;
  queueFull = 0;
  timeOut = 0;
  concurrencyLimit = 0;
  cancelled = 0;
}

class Queue {
  /** Ring buffer of entries, oldest at `head`; entries that timed out stay until they reach the head. */
  private buffer: (ApfRequest | null)[] = [null, null, null, null, null, null, null, null];
  private head = 0;
  private slots = 0;
  /** Waiting entries (a cohort is one entry). */
  waitingEntries = 0;
  /** Waiting requests (a cohort of n counts n): what queueLengthLimit bounds. */
  length = 0;
  totalWorkSum = 0;
  maxSeatsSum = 0;
  nextDispatchR = 0;
  executingEntries = 0;
  seatsInUse = 0;
  /** Position in the level's non-empty list, or -1. */
  nonEmptyAt = -1;

  constructor(readonly index: number) {}

  push(request: ApfRequest): void {
    const capacity = this.buffer.length;
    if (this.slots === capacity) {
      const grown: (ApfRequest | null)[] = new Array(capacity * 2).fill(null);
      for (let i = 0; i < this.slots; i++) grown[i] = this.buffer[(this.head + i) & (capacity - 1)]!;
      this.buffer = grown;
      this.head = 0;
    }
    this.buffer[(this.head + this.slots) & (this.buffer.length - 1)] = request;
    this.slots++;
  }

  /** The oldest waiting entry, dropping entries that timed out in place. */
  peek(): ApfRequest | null {
    const buffer = this.buffer;
    while (this.slots > 0) {
      const r = buffer[this.head]!;
      if (r.state === WAITING) return r;
      this.shift();
    }
    return null;
  }

  shift(): void {
    this.buffer[this.head] = null;
    this.head = (this.head + 1) & (this.buffer.length - 1);
    this.slots--;
  }

  /** Every entry still waiting, oldest first. */
  waiting(): ApfRequest[] {
    const out: ApfRequest[] = [];
    for (let i = 0; i < this.slots; i++) {
      const r = this.buffer[(this.head + i) & (this.buffer.length - 1)]!;
      if (r.state === WAITING) out.push(r);
    }
    return out;
  }
}

export class ApfRequest {
  state = WAITING;
  queue: Queue | null = null;
  arrivalR = 0;
  startTime = 0;
  timer = -1;
  /** Bound once so the replica can call it without knowing the level. */
  readonly release: () => void;

  constructor(
    readonly level: PriorityLevel,
    readonly count: number,
    public initialSeats: number,
    public finalSeats: number,
    public additionalLatency: number,
    /** max(initialSeats, finalSeats): seats held from dispatch to final release. */
    public seats: number,
    /** Virtual work in seat-seconds (all members). */
    readonly totalWork: number,
    /** initialSeats*G of all members, uncapped: the estimate the completion correction compares with. */
    readonly estimatedInitialWork: number,
    public onDispatch: DispatchCallback | null,
    public onReject: RejectCallback | null,
  ) {
    this.release = () => this.level.finish(this);
  }
}

function onQueueWaitExpired(request: ApfRequest): void {
  request.level.timeOut(request);
}

function onAdditionalLatencyOver(request: ApfRequest): void {
  request.level.lingerOver(request);
}

/** Raised when a request's Retry-After went up, for the event log. */
export type RetryAfterRaised = (level: string, retryAfter: number) => void;

let handRevisions = 0;

export class PriorityLevel {
  /** Off only in the differential test that compares the inlined dispatch with the general one. */
  static isFastPathEnabled = true;

  spec: LevelSpec;
  currentCL: number;
  readonly integrator: DemandIntegrator;
  readonly stats = new SeatDemandStats();
  readonly dropped = new DroppedRequestsTracker();
  /** Set once a replica restart or reconfiguration replaced this object: late callbacks are ignored. */
  isDetached = false;

  private queues: Queue[] = [];
  private readonly nonEmpty: Queue[] = [];
  private handRevision = -1;
  private currentR = 0;
  private lastRealTime: number;
  private robinIndex = 0;
  private enqueues = 0;
  private activeQueues = 0;

  waitingEntries = 0;
  waitingRequests = 0;
  seatsWaiting = 0;
  executingEntries = 0;
  executingRequests = 0;
  seatsInUse = 0;
  /** Seats held by requests dispatched from queues (the rest went straight through). */
  private queuedSeatsInUse = 0;

  constructor(
    private readonly sim: Simulation,
    spec: LevelSpec,
    readonly counters: LevelCounters,
    private readonly onRetryAfterRaised: RetryAfterRaised,
  ) {
    this.spec = spec;
    this.currentCL = spec.initialCL;
    this.lastRealTime = sim.now;
    this.integrator = new DemandIntegrator(sim.now);
    this.configureQueues();
  }

  get name(): string {
    return this.spec.name;
  }

  get isIdle(): boolean {
    return this.waitingEntries === 0 && this.executingEntries === 0 && this.seatsInUse === 0;
  }

  /** Adopts a new spec for the same level name (configuration change): queues and R are kept. */
  reconfigure(now: number, spec: LevelSpec): void {
    this.sync(now);
    this.spec = spec;
    this.configureQueues();
  }

  private configureQueues(): void {
    // Queues beyond the desired number are kept (they drain); the hand only deals among desired ones.
    while (this.queues.length < this.spec.queues) this.queues.push(new Queue(this.queues.length));
    this.handRevision = ++handRevisions;
  }

  /** Advances virtual time to `now` under the state in effect since the last change. */
  private sync(now: number): void {
    const dt = now - this.lastRealTime;
    if (dt > 0) {
      if (this.activeQueues > 0) {
        const requested = this.queuedSeatsInUse + this.seatsWaiting;
        this.currentR += (Math.min(requested, this.currentCL) / this.activeQueues) * dt;
      }
      this.lastRealTime = now;
    }
  }

  private noteDemand(now: number): void {
    this.integrator.set(now, this.seatsInUse + this.seatsWaiting);
  }

  setConcurrencyLimit(now: number, limit: number): void {
    this.sync(now);
    this.currentCL = limit;
    this.dispatchAsMuchAsPossible(now);
  }

  /** Whether `seats` more can start now (queueset.go canAccommodateSeatsLocked). */
  private canAccommodate(seats: number): boolean {
    if (this.spec.kind === 'exempt') return true;
    if (seats > this.currentCL) return this.executingEntries === 0;
    return this.seatsInUse + seats <= this.currentCL;
  }

  /**
   * Admits, queues or rejects one request (or cohort). Exactly one of the callbacks fires, possibly
   * before this returns. `waitLimit` is the queue-wait limit in seconds.
   */
  handle(
    flow: FlowClassification,
    count: number,
    initialSeats: number,
    finalSeats: number,
    additionalLatency: number,
    waitLimit: number,
    onDispatch: DispatchCallback,
    onReject: RejectCallback,
  ): void {
    const now = this.sim.now;
    const totalWork = count * (initialSeats * ESTIMATED_SERVICE_DURATION + finalSeats * additionalLatency);
    const estimatedInitialWork = count * initialSeats * ESTIMATED_SERVICE_DURATION;
    let initial = initialSeats * count;
    let final = finalSeats * count;
    if (count > 1 && this.spec.kind !== 'exempt') {
      const cap = Math.max(this.currentCL, 1);
      if (initial > cap) initial = cap;
      if (final > cap) final = cap;
    }
    const request = new ApfRequest(
      this,
      count,
      initial,
      final,
      additionalLatency,
      Math.max(initial, final),
      totalWork,
      estimatedInitialWork,
      onDispatch,
      onReject,
    );
    this.sync(now);
    if (this.spec.kind !== 'queue') {
      if (!this.canAccommodate(request.seats)) {
        this.reject(now, request, 'concurrency-limit');
        return;
      }
      this.start(now, request, null);
      return;
    }

    const queue = this.chooseQueue(flow);
    if (this.seatsInUse >= this.currentCL && queue.length + count > this.spec.queueLengthLimit) {
      this.reject(now, request, 'queue-full');
      return;
    }
    if (queue.waitingEntries === 0 && queue.executingEntries === 0) {
      queue.nextDispatchR = this.currentR;
      this.activeQueues++;
    }
    if (
      PriorityLevel.isFastPathEnabled &&
      this.waitingEntries === 0 &&
      this.seatsInUse < this.currentCL &&
      this.canAccommodate(request.seats)
    ) {
      // NOTE: inlined for performance: with nothing else waiting, k8s's enqueue-then-dispatch picks this
      // very queue (the only non-empty one), so skip the queue itself. Same state changes, same order.
      request.arrivalR = this.currentR;
      this.dispatchFrom(now, queue, request);
      return;
    }
    request.queue = queue;
    request.arrivalR = this.currentR;
    queue.push(request);
    if (queue.waitingEntries++ === 0) {
      queue.nonEmptyAt = this.nonEmpty.length;
      this.nonEmpty.push(queue);
    }
    queue.length += count;
    queue.totalWorkSum += totalWork;
    queue.maxSeatsSum += request.seats;
    this.waitingEntries++;
    this.waitingRequests += count;
    this.seatsWaiting += request.seats;
    this.boundNextDispatch(queue);
    this.noteDemand(now);
    this.dispatchAsMuchAsPossible(now);
    if (request.state !== WAITING) return;
    if (!(waitLimit > 0)) this.timeOut(request);
    else if (waitLimit !== Number.POSITIVE_INFINITY)
      request.timer = this.sim.schedule(waitLimit, onQueueWaitExpired, request);
  }

  /** Shuffle sharding: the queue of the flow's hand with the least waiting work (queueset.go). */
  private chooseQueue(flow: FlowClassification): Queue {
    const handSize = this.spec.handSize;
    let hand = flow.hand as readonly Queue[] | null;
    if (hand === null || flow.handRevision !== this.handRevision) {
      const dealt = dealHand(flow.hash, this.spec.queues, handSize);
      hand = Array.from(dealt, (index) => this.queues[index]!);
      flow.hand = hand;
      flow.handRevision = this.handRevision;
    }
    const offset = this.enqueues % handSize;
    this.enqueues++;
    let best = hand[offset]!;
    // With nothing waiting anywhere every queue's waiting work is zero: the first one in turn wins.
    if (this.waitingEntries === 0) return best;
    let bestWork = best.totalWorkSum;
    for (let i = 1; i < handSize; i++) {
      const q = hand[(offset + i) % handSize]!;
      if (q.totalWorkSum < bestWork) {
        best = q;
        bestWork = q.totalWorkSum;
      }
    }
    return best;
  }

  /** Anti-windup: a queue's virtual dispatch never precedes its oldest request's arrival. */
  private boundNextDispatch(queue: Queue): void {
    const head = queue.peek();
    if (head !== null && queue.nextDispatchR < head.arrivalR) queue.nextDispatchR = head.arrivalR;
  }

  private dispatchAsMuchAsPossible(now: number): void {
    while (this.waitingEntries > 0 && this.seatsInUse < this.currentCL && this.dispatchOne(now)) {}
  }

  private dispatchOne(now: number): boolean {
    const queueCount = this.queues.length;
    const robin = this.robinIndex;
    let best: Queue | null = null;
    let bestFinish = Number.POSITIVE_INFINITY;
    let bestOrder = queueCount;
    for (const q of this.nonEmpty) {
      const head = q.peek();
      if (head === null) continue;
      const finish = q.nextDispatchR + head.totalWork;
      // Round-robin order starting after the last dispatched queue breaks ties.
      const order = (q.index - robin - 1 + queueCount) % queueCount;
      if (finish < bestFinish || (finish === bestFinish && order < bestOrder)) {
        best = q;
        bestFinish = finish;
        bestOrder = order;
      }
    }
    if (best === null) return false;
    const request = best.peek()!;
    if (!this.canAccommodate(request.seats)) return false;

    best.shift();
    this.removeWaiting(best, request);
    this.dispatchFrom(now, best, request);
    return true;
  }

  /** Starts a request taken from `queue` (dispatchLocked after findDispatchQueueToBoundLocked). */
  private dispatchFrom(now: number, queue: Queue, request: ApfRequest): void {
    // Final seats wider than the whole level are narrowed, keeping the final work (queueset.go).
    if (request.finalSeats > this.currentCL && this.currentCL > 0) {
      const finalWork = request.finalSeats * request.additionalLatency;
      request.finalSeats = this.currentCL;
      request.additionalLatency = finalWork / this.currentCL;
      request.seats = Math.max(request.initialSeats, request.finalSeats);
    }
    this.robinIndex = queue.index;
    queue.executingEntries++;
    queue.seatsInUse += request.seats;
    this.queuedSeatsInUse += request.seats;
    queue.nextDispatchR += request.totalWork;
    this.boundNextDispatch(queue);
    this.start(now, request, queue);
  }

  /** Bookkeeping for an entry leaving the waiting state (dispatch or time-out). */
  private removeWaiting(queue: Queue, request: ApfRequest): void {
    if (request.timer !== -1) {
      this.sim.cancel(request.timer);
      request.timer = -1;
    }
    queue.length -= request.count;
    queue.totalWorkSum -= request.totalWork;
    queue.maxSeatsSum -= request.seats;
    if (--queue.waitingEntries === 0) {
      const last = this.nonEmpty.pop()!;
      if (last !== queue) {
        this.nonEmpty[queue.nonEmptyAt] = last;
        last.nonEmptyAt = queue.nonEmptyAt;
      }
      queue.nonEmptyAt = -1;
      // Floating-point residue must not leak into the next shuffle-sharding decision.
      queue.totalWorkSum = 0;
      queue.maxSeatsSum = 0;
    }
    this.waitingEntries--;
    this.waitingRequests -= request.count;
    this.seatsWaiting -= request.seats;
  }

  private start(now: number, request: ApfRequest, queue: Queue | null): void {
    request.state = EXECUTING;
    request.queue = queue;
    request.startTime = now;
    this.executingEntries++;
    this.executingRequests += request.count;
    this.seatsInUse += request.seats;
    this.counters.dispatched += request.count;
    this.noteDemand(now);
    const onDispatch = request.onDispatch!;
    request.onDispatch = null;
    request.onReject = null;
    onDispatch(request.release);
  }

  /** The handler finished (the replica called release). */
  finish(request: ApfRequest): void {
    if (request.state !== EXECUTING || this.isDetached) return;
    const now = this.sim.now;
    this.sync(now);
    this.executingEntries--;
    this.executingRequests -= request.count;
    const queue = request.queue;
    if (queue !== null) {
      queue.executingEntries--;
      const serviceTime = now - request.startTime;
      queue.nextDispatchR -= request.estimatedInitialWork - request.initialSeats * serviceTime;
      this.boundNextDispatch(queue);
      if (queue.executingEntries === 0 && queue.waitingEntries === 0) this.activeQueues--;
    }
    if (request.additionalLatency > 0) {
      request.state = LINGERING;
      request.timer = this.sim.schedule(request.additionalLatency, onAdditionalLatencyOver, request);
    } else this.releaseSeats(now, request);
    this.dispatchAsMuchAsPossible(now);
  }

  lingerOver(request: ApfRequest): void {
    if (request.state !== LINGERING || this.isDetached) return;
    const now = this.sim.now;
    request.timer = -1;
    this.sync(now);
    this.releaseSeats(now, request);
    this.dispatchAsMuchAsPossible(now);
  }

  private releaseSeats(now: number, request: ApfRequest): void {
    request.state = DONE;
    this.seatsInUse -= request.seats;
    if (request.queue !== null) {
      request.queue.seatsInUse -= request.seats;
      this.queuedSeatsInUse -= request.seats;
    }
    this.noteDemand(now);
  }

  /** The queue-wait limit expired while the request was still queued. */
  timeOut(request: ApfRequest): void {
    if (request.state !== WAITING || this.isDetached) return;
    const now = this.sim.now;
    request.timer = -1;
    this.sync(now);
    const queue = request.queue!;
    this.removeWaiting(queue, request);
    if (queue.waitingEntries === 0 && queue.executingEntries === 0) this.activeQueues--;
    request.state = DONE;
    this.boundNextDispatch(queue);
    this.noteDemand(now);
    this.reject(now, request, 'time-out');
  }

  private reject(
    now: number,
    request: ApfRequest,
    reason: 'queue-full' | 'time-out' | 'concurrency-limit',
  ): void {
    request.state = DONE;
    if (reason === 'queue-full') this.counters.queueFull += request.count;
    else if (reason === 'time-out') this.counters.timeOut += request.count;
    else this.counters.concurrencyLimit += request.count;
    const before = this.dropped.retryAfter;
    const retryAfter = this.dropped.record(now, request.count);
    if (retryAfter > before) this.onRetryAfterRaised(this.spec.name, retryAfter);
    const onReject = request.onReject!;
    request.onDispatch = null;
    request.onReject = null;
    onReject(reason, retryAfter);
  }

  /**
   * The replica died: detaches this level and rejects every queued request 'cancelled' (oldest queue
   * index first, FIFO within a queue). Requests still executing are forgotten; their release is a no-op.
   */
  cancelAll(): void {
    this.isDetached = true;
    const cancelled: ApfRequest[] = [];
    for (const queue of this.queues) {
      for (const r of queue.waiting()) {
        if (r.timer !== -1) this.sim.cancel(r.timer);
        r.timer = -1;
        r.state = DONE;
        cancelled.push(r);
      }
    }
    for (const r of cancelled) {
      this.counters.cancelled += r.count;
      const onReject = r.onReject!;
      r.onDispatch = null;
      r.onReject = null;
      onReject('cancelled', 0);
    }
  }
}
