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
 * therefore dispatch together, where real requests would trickle through one by one. A capped cohort
 * runs only as many members at once as its seats hold (membersAtOnce); the API server serves the
 * rest in turn, so its memory and per-member rates are those of that many requests.
 * A cohort whose members are distinct flows (kubelets, told apart by user) would be dealt over all
 * the level's queues: it is rejected only when those would all be full (isFullForSpreadCohort).
 *
 * NOTE: hot path. A request is an ApfRequest the caller allocates (the API server's call record
 * extends it, so admission allocates nothing of its own), and the level answers through its methods,
 * not closures; timers use module-level handlers with the request as argument.
 */
import type { Simulation } from '../../engine/index.js';
import type { RejectReason } from '../api-types.js';
import { DemandIntegrator, SeatDemandStats } from './borrowing.js';
import type { FlowClassification } from './classifier.js';
import type { LevelSpec } from './config.js';
import { DroppedRequestsTracker } from './dropped-requests.js';
import { ESTIMATED_SERVICE_DURATION } from './parameters.js';
import { dealHand } from './shuffle-sharding.js';

/**
 * How many of a dispatched cohort's members its seats let execute at once: all of them unless the
 * level capped its seats, then as many members' seats as fit in the capped ones (at least one).
 */
export function membersAtOnce(request: ApfRequest): number {
  const count = request.count;
  const member = request.memberSeats;
  if (count <= 1 || member <= 0 || request.seats >= member * count) return count;
  return Math.max(1, Math.floor(request.seats / member));
}

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
  /** Virtual time R at each entry's arrival (NOTE: here, not on the request: one number fewer per request). */
  private arrivals = new Float64Array(8);
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

  push(request: ApfRequest, arrivalR: number): void {
    const capacity = this.buffer.length;
    if (this.slots === capacity) {
      const grown: (ApfRequest | null)[] = new Array(capacity * 2).fill(null);
      const arrivals = new Float64Array(capacity * 2);
      for (let i = 0; i < this.slots; i++) {
        grown[i] = this.buffer[(this.head + i) & (capacity - 1)]!;
        arrivals[i] = this.arrivals[(this.head + i) & (capacity - 1)]!;
      }
      this.buffer = grown;
      this.arrivals = arrivals;
      this.head = 0;
    }
    const at = (this.head + this.slots) & (this.buffer.length - 1);
    this.buffer[at] = request;
    this.arrivals[at] = arrivalR;
    this.slots++;
  }

  /** Arrival R of the oldest waiting entry; -Infinity when none waits. */
  headArrivalR(): number {
    return this.peek() === null ? Number.NEGATIVE_INFINITY : this.arrivals[this.head]!;
  }

  /** The oldest waiting entry, dropping entries that timed out in place. */
  peek(): ApfRequest | null {
    const buffer = this.buffer;
    while (this.slots > 0) {
      const r = buffer[this.head]!;
      if (r.apfState === WAITING) return r;
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
      if (r.apfState === WAITING) out.push(r);
    }
    return out;
  }
}

/**
 * One request (or cohort) as a priority level sees it, from handle() until its seats are released.
 * Callers extend it: the level fills in the fields and calls apfDispatched or apfRejected, exactly
 * once; apfRelease() tells the level the handler finished.
 */
export abstract class ApfRequest {
  apfState = WAITING;
  /** The level that admitted or queued it (null before, and on the legacy max-in-flight path). */
  apfLevel: PriorityLevel | null = null;
  apfQueue: Queue | null = null;
  /** Requests it stands for (a cohort's size). */
  count = 1;
  /** Sim time seats were granted; -1 before. */
  dispatchedAt = -1;
  apfTimer = -1;
  initialSeats = 0;
  finalSeats = 0;
  additionalLatency = 0;
  /** max(initialSeats, finalSeats): seats held from dispatch to final release. */
  seats = 0;
  /** Seats one member would hold, uncapped; 0 on the legacy max-in-flight path (no seats). */
  memberSeats = 0;
  /** Virtual work in seat-seconds (all members). */
  totalWork = 0;
  /**
   * initialSeats of all members, uncapped: times G, the estimate the completion correction compares
   * with (an integer, so no number object per request).
   */
  estimatedSeats = 0;
  /** Release of the legacy max-in-flight filter, which admits through a closure. */
  legacyRelease: (() => void) | null = null;

  /** Seats granted: the handler may run. */
  abstract apfDispatched(): void;
  /** Rejected (or cancelled by a replica restart). */
  abstract apfRejected(reason: RejectReason, retryAfterSeconds: number): void;

  /** The handler finished: seats are released (final seats after the additional latency). */
  apfRelease(): void {
    const level = this.apfLevel;
    if (level !== null) {
      level.finish(this);
      return;
    }
    const release = this.legacyRelease;
    this.legacyRelease = null;
    if (release !== null) release();
  }
}

/** An ApfRequest answering through callbacks (tests, and the filter's callback API). */
export class CallbackRequest extends ApfRequest {
  /** Bound once so the caller can hold it without knowing the level. */
  readonly release = (): void => this.apfRelease();

  constructor(
    private onDispatch: DispatchCallback | null,
    private onReject: RejectCallback | null,
  ) {
    super();
  }

  apfDispatched(): void {
    const onDispatch = this.onDispatch!;
    this.onDispatch = null;
    this.onReject = null;
    onDispatch(this.release);
  }

  apfRejected(reason: RejectReason, retryAfterSeconds: number): void {
    const onReject = this.onReject!;
    this.onDispatch = null;
    this.onReject = null;
    onReject(reason, retryAfterSeconds);
  }
}

function onQueueWaitExpired(request: ApfRequest): void {
  request.apfLevel!.timeOut(request);
}

function onAdditionalLatencyOver(request: ApfRequest): void {
  request.apfLevel!.lingerOver(request);
}

/** Raised when a request's Retry-After went up, for the event log. */
export type RetryAfterRaised = (level: string, retryAfter: number) => void;

let handRevisions = 0;

export class PriorityLevel {
  /** Off only in the differential test that compares the inlined dispatch with the general one. */
  static isFastPathEnabled = true;
  /** Off only in the differential test that compares packed hands with arrays of queues. */
  static isHandPackingEnabled = true;

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
  /**
   * Packing of a flow's hand into FlowClassification.hand0/hand1 (NOTE: for speed: the flow is the
   * only object of its own that admission loads, where an array of queues was two more per request):
   * `cardBits` bits per queue index, `cardsPerWord` indices per 30-bit word; 0 when the hand does not fit.
   */
  private cardBits = 0;
  private cardsPerWord = 0;
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
    const bits = Math.max(1, Math.ceil(Math.log2(Math.max(1, this.spec.queues))));
    const perWord = Math.floor(30 / bits);
    const isPackable = PriorityLevel.isHandPackingEnabled && this.spec.handSize <= 2 * perWord;
    this.cardBits = isPackable ? bits : 0;
    this.cardsPerWord = isPackable ? perWord : 0;
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
   * Admits, queues or rejects one request (or cohort), a fresh ApfRequest. Exactly one of its
   * apfDispatched / apfRejected runs, possibly before this returns. `waitLimit` is the queue-wait
   * limit in seconds.
   */
  handle(
    flow: FlowClassification,
    request: ApfRequest,
    count: number,
    initialSeats: number,
    finalSeats: number,
    additionalLatency: number,
    waitLimit: number,
  ): void {
    const now = this.sim.now;
    const totalWork = count * (initialSeats * ESTIMATED_SERVICE_DURATION + finalSeats * additionalLatency);
    const estimatedSeats = count * initialSeats;
    let initial = initialSeats * count;
    let final = finalSeats * count;
    if (count > 1 && this.spec.kind !== 'exempt') {
      const cap = Math.max(this.currentCL, 1);
      if (initial > cap) initial = cap;
      if (final > cap) final = cap;
    }
    request.apfLevel = this;
    request.count = count;
    request.initialSeats = initial;
    request.finalSeats = final;
    request.additionalLatency = additionalLatency;
    request.seats = Math.max(initial, final);
    request.memberSeats = Math.max(initialSeats, finalSeats);
    request.totalWork = totalWork;
    request.estimatedSeats = estimatedSeats;
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
    const isFull =
      count > 1 && flow.isPerMember
        ? this.isFullForSpreadCohort(request.seats, count)
        : this.seatsInUse >= this.currentCL && queue.length + count > this.spec.queueLengthLimit;
    if (isFull) {
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
      this.dispatchFrom(now, queue, request);
      return;
    }
    request.apfQueue = queue;
    queue.push(request, this.currentR);
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
    if (request.apfState !== WAITING) return;
    if (!(waitLimit > 0)) this.timeOut(request);
    else if (waitLimit !== Number.POSITIVE_INFINITY)
      request.apfTimer = this.sim.schedule(waitLimit, onQueueWaitExpired, request);
  }

  /**
   * queueset.go rejects a request 'queue-full' when every seat of the level is taken and its queue
   * holds queueLengthLimit requests. A cohort of distinct flows (a block of kubelets, each its own
   * user) stands for members that shuffle sharding deals over the level's queues, each to the shortest
   * of its own hand, and that each take a free seat as it comes. So for such a cohort the level is at
   * its limit when the cohort's seats do not fit (a second cohort waits for all of them while some stay
   * idle), and it is full when the level's waiting requests would pass queues x queueLengthLimit.
   * Tested against exact kubelets in test/model/apf/cohorts.test.ts; a cohort of one flow keeps the
   * plain rule, which its own differential test holds to within 5%.
   */
  private isFullForSpreadCohort(seats: number, count: number): boolean {
    return (
      this.seatsInUse + seats > this.currentCL &&
      this.waitingRequests + count > this.spec.queueLengthLimit * this.spec.queues
    );
  }

  /** Shuffle sharding: the queue of the flow's hand with the least waiting work (queueset.go). */
  private chooseQueue(flow: FlowClassification): Queue {
    const handSize = this.spec.handSize;
    if (flow.handRevision !== this.handRevision) this.deal(flow);
    const offset = this.enqueues % handSize;
    this.enqueues++;
    let best = this.card(flow, offset);
    // With nothing waiting anywhere every queue's waiting work is zero: the first one in turn wins.
    if (this.waitingEntries === 0) return best;
    let bestWork = best.totalWorkSum;
    for (let i = 1; i < handSize; i++) {
      const q = this.card(flow, (offset + i) % handSize);
      if (q.totalWorkSum < bestWork) {
        best = q;
        bestWork = q.totalWorkSum;
      }
    }
    return best;
  }

  private deal(flow: FlowClassification): void {
    const dealt = dealHand(flow.hash, this.spec.queues, this.spec.handSize);
    flow.handRevision = this.handRevision;
    if (this.cardsPerWord === 0) {
      flow.hand = Array.from(dealt, (index) => this.queues[index]!);
      return;
    }
    let hand0 = 0;
    let hand1 = 0;
    for (let i = 0; i < dealt.length; i++) {
      const word = i < this.cardsPerWord ? 0 : 1;
      const shift = (i - word * this.cardsPerWord) * this.cardBits;
      if (word === 0) hand0 |= dealt[i]! << shift;
      else hand1 |= dealt[i]! << shift;
    }
    flow.hand = null;
    flow.hand0 = hand0;
    flow.hand1 = hand1;
  }

  /** The i-th queue of the flow's hand. */
  private card(flow: FlowClassification, i: number): Queue {
    const perWord = this.cardsPerWord;
    if (perWord === 0) return flow.hand![i] as Queue;
    const bits = this.cardBits;
    const index =
      i < perWord
        ? (flow.hand0 >>> (i * bits)) & ((1 << bits) - 1)
        : (flow.hand1 >>> ((i - perWord) * bits)) & ((1 << bits) - 1);
    return this.queues[index]!;
  }

  /** Anti-windup: a queue's virtual dispatch never precedes its oldest request's arrival. */
  private boundNextDispatch(queue: Queue): void {
    const arrivalR = queue.headArrivalR();
    if (queue.nextDispatchR < arrivalR) queue.nextDispatchR = arrivalR;
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
    if (request.apfTimer !== -1) {
      this.sim.cancel(request.apfTimer);
      request.apfTimer = -1;
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
    request.apfState = EXECUTING;
    request.apfQueue = queue;
    request.dispatchedAt = now;
    this.executingEntries++;
    this.executingRequests += request.count;
    this.seatsInUse += request.seats;
    this.counters.dispatched += request.count;
    this.noteDemand(now);
    request.apfDispatched();
  }

  /** The handler finished (the replica called release). */
  finish(request: ApfRequest): void {
    if (request.apfState !== EXECUTING || this.isDetached) return;
    const now = this.sim.now;
    this.sync(now);
    this.executingEntries--;
    this.executingRequests -= request.count;
    const queue = request.apfQueue;
    if (queue !== null) {
      queue.executingEntries--;
      const serviceTime = now - request.dispatchedAt;
      const estimatedInitialWork = request.estimatedSeats * ESTIMATED_SERVICE_DURATION;
      queue.nextDispatchR -= estimatedInitialWork - request.initialSeats * serviceTime;
      this.boundNextDispatch(queue);
      if (queue.executingEntries === 0 && queue.waitingEntries === 0) this.activeQueues--;
    }
    if (request.additionalLatency > 0) {
      request.apfState = LINGERING;
      request.apfTimer = this.sim.schedule(request.additionalLatency, onAdditionalLatencyOver, request);
    } else this.releaseSeats(now, request);
    this.dispatchAsMuchAsPossible(now);
  }

  lingerOver(request: ApfRequest): void {
    if (request.apfState !== LINGERING || this.isDetached) return;
    const now = this.sim.now;
    request.apfTimer = -1;
    this.sync(now);
    this.releaseSeats(now, request);
    this.dispatchAsMuchAsPossible(now);
  }

  private releaseSeats(now: number, request: ApfRequest): void {
    request.apfState = DONE;
    this.seatsInUse -= request.seats;
    if (request.apfQueue !== null) {
      request.apfQueue.seatsInUse -= request.seats;
      this.queuedSeatsInUse -= request.seats;
    }
    this.noteDemand(now);
  }

  /** The queue-wait limit expired while the request was still queued. */
  timeOut(request: ApfRequest): void {
    if (request.apfState !== WAITING || this.isDetached) return;
    const now = this.sim.now;
    request.apfTimer = -1;
    this.sync(now);
    const queue = request.apfQueue!;
    this.removeWaiting(queue, request);
    if (queue.waitingEntries === 0 && queue.executingEntries === 0) this.activeQueues--;
    request.apfState = DONE;
    this.boundNextDispatch(queue);
    this.noteDemand(now);
    this.reject(now, request, 'time-out');
  }

  private reject(
    now: number,
    request: ApfRequest,
    reason: 'queue-full' | 'time-out' | 'concurrency-limit',
  ): void {
    request.apfState = DONE;
    if (reason === 'queue-full') this.counters.queueFull += request.count;
    else if (reason === 'time-out') this.counters.timeOut += request.count;
    else this.counters.concurrencyLimit += request.count;
    const before = this.dropped.retryAfter;
    const retryAfter = this.dropped.record(now, request.count);
    if (retryAfter > before) this.onRetryAfterRaised(this.spec.name, retryAfter);
    request.apfRejected(reason, retryAfter);
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
        if (r.apfTimer !== -1) this.sim.cancel(r.apfTimer);
        r.apfTimer = -1;
        r.apfState = DONE;
        cancelled.push(r);
      }
    }
    for (const r of cancelled) {
      this.counters.cancelled += r.count;
      r.apfRejected('cancelled', 0);
    }
  }
}
