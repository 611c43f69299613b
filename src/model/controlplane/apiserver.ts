/**
 * One kube-apiserver replica: APF admission on top of a CPU and memory layer that admitted requests
 * really consume (k8s-mechanics Modelling notes A.1).
 *
 * - CPU: processor sharing over the replica's cores (processor-sharing.ts). Cores are reduced by Go
 *   GC work proportional to the baseline heap and by the watch cache's own work (decoding etcd events
 *   and fanning them out to watchers), which competes for CPU like one more set of goroutines.
 * - Memory: baseline heap (grows with cluster size and watch-cache size) + watches + every in-flight
 *   request (1x its response from cache, 5x the etcd payload from etcd). Past the limit the replica
 *   is OOM-killed: in-flight requests fail as connection resets, every watch closes, APF resets, and
 *   after a crash-loop back-off it comes back with empty watch caches that rebuild from etcd.
 * - Timeouts: a request's deadline is min(?timeout, --request-timeout). At the deadline the client
 *   gets a 504, but - as in 1.31, where the timeout filter sits outside APF and the handler goroutine
 *   keeps running - the handler holds its seats until it returns: it stops at once if it was waiting
 *   (etcd call, cache freshness, uninitialised cache), and a CPU phase runs to completion unless it
 *   decodes paged etcd results (the pager checks the context between pages).
 * - Watch cache lag: the cacher is a fluid queue of event work; when CPU is oversubscribed it gets
 *   only its processor share, falls behind, turns consistent reads into etcd reads (> 3 s) and closes
 *   watchers it cannot serve.
 *
 * NOTE: hot path. Calls are plain objects whose continuations are module-level functions taking the
 * call, so the processor-sharing and etcd layers schedule no closures per request.
 */
import type { Simulation } from '../../engine/index.js';
import {
  ApfRequest,
  type ApfFilter,
  type Classification,
  membersAtOnce,
  requestWaitLimit,
} from '../apf/index.js';
import type { ApiCallback, ApiOutcome, RejectReason } from '../api-types.js';
import type { Component, EventLog, MetricDeclaration } from '../component.js';
import type { ApiServerConfig } from '../config.js';
import { countCost, type Etcd, rangeCost } from './etcd.js';
import type { ObjectStore, ResourceInfo } from './object-store.js';
import {
  CACHE_BASE_LAG,
  CACHE_BLOCK_TIMEOUT,
  CPU_CACHE_SCAN_PER_OBJECT,
  CPU_ETCD_DECODE_PER_KIB,
  CPU_ETCD_DECODE_PER_OBJECT,
  CPU_GET,
  CPU_LIST,
  CPU_MUTATING,
  CPU_SERIALIZE_PER_KIB,
  CPU_SERIALIZE_PER_OBJECT,
  CPU_WATCH_EVENT_PER_WATCHER,
  CPU_WATCH_INIT,
  CRASH_LOOP_INITIAL,
  CRASH_LOOP_MAX,
  CRASH_LOOP_RESET,
  EVENT_FRESH_DURATION,
  FLUID_JOB_CPU,
  GC_CORES_PER_GIB,
  HEAP_BASE_BYTES,
  HEAP_PER_NODE_BYTES,
  MEMORY_CACHE_RESPONSE_FACTOR,
  MEMORY_ETCD_RESPONSE_FACTOR,
  MEMORY_PER_REQUEST_BYTES,
  MEMORY_PER_WATCH_BYTES,
  MIN_REQUEST_TIMEOUT,
  PROGRESS_NOTIFY_PERIOD,
  WATCH_CACHE_EXPANSION,
  WATCH_TERMINATION_LAG,
  WATCH_TERMINATION_RATE,
} from './parameters.js';
import { createProcessorSharing, type ProcessorSharing } from './processor-sharing.js';
import { type RequestStats, verbClassIndex } from './request-stats.js';
import {
  type ApfMemoSlots,
  clientClassOf,
  hasSelector,
  isSet,
  type OutcomeReceiver,
  type ServePath,
  type ServerRequest,
  servePath,
} from './serving.js';
import type { VersionRules } from './version.js';
import type { ClusterWatch, WatchCloseReason, WatchHost } from './watch.js';

const KIB = 1024;

// Call states.
const QUEUED = 0;
const EXECUTING = 1;
const DONE = 2;
/** The replica died under it. */
const DEAD = 3;

// Execution phases (what a timed-out handler is doing).
const PHASE_NONE = 0;
const PHASE_WAIT = 1;
const PHASE_ETCD = 2;
const PHASE_CPU = 3;

export function etcdDecodeCost(objects: number, bytes: number): number {
  return objects * (CPU_ETCD_DECODE_PER_OBJECT + (CPU_ETCD_DECODE_PER_KIB * bytes) / KIB);
}

export function serializeCost(objects: number, bytes: number): number {
  return objects * (CPU_SERIALIZE_PER_OBJECT + (CPU_SERIALIZE_PER_KIB * bytes) / KIB);
}

/** Objects a request touches: in scope, scanned by the serving path, and returned. */
function objectsInScope(request: ServerRequest, resource: ResourceInfo, namespaces: number): number {
  if (request.scope === 'resource') return Math.min(1, resource.count);
  if (request.scope === 'namespace') return resource.count / Math.max(1, namespaces);
  return resource.count;
}

function returnedObjects(request: ServerRequest, inScope: number): number {
  if (request.scope === 'resource') return inScope;
  const expected = hasSelector(request) ? (request.expectedReturned ?? 1) : inScope;
  return Math.min(expected, inScope);
}

/** One request on a replica; also its APF record (ApfRequest), so admission allocates one object. */
class Call extends ApfRequest {
  state = QUEUED;
  phase = PHASE_NONE;
  isResponded = false;
  /** Dispatched by APF and not yet released. */
  isHoldingSeats = false;
  psJob = -1;
  timer = -1;
  memory = 0;
  /**
   * A cohort's members executing at once (its seats may hold fewer than all, see membersAtOnce) and
   * the requests each of those serves in turn: memory is charged for atOnce members, and CPU and
   * etcd run atOnce jobs of `rounds` members' work each.
   */
  atOnce = 1;
  rounds = 1;
  /**
   * What the server latency is divided by: `rounds` for a small job run in closed form (its members,
   * calls on their own clocks, each take an equal share), else 1 (a heavy job's members would have
   * run at the same time, each as long as the cohort's job).
   */
  memberShare = 1;
  path: ServePath = 'etcd';
  scanned = 0;
  returned = 0;
  servedFrom: 'cache' | 'etcd' = 'cache';
  deadlineList: DeadlineList | null = null;
  prev: Call | null = null;
  next: Call | null = null;
  readonly verbClass: number;
  readonly epoch: number;

  constructor(
    readonly replica: Replica,
    readonly request: ServerRequest,
    readonly done: ApiCallback | null,
    readonly receiver: OutcomeReceiver | null,
    readonly resource: ResourceInfo,
    readonly arrival: number,
    readonly deadline: number,
    readonly watch: ClusterWatch | null,
  ) {
    super();
    this.count = request.count ?? 1;
    this.verbClass = verbClassIndex(request.verb);
    this.epoch = replica.epoch;
  }

  get isLive(): boolean {
    return this.epoch === this.replica.epoch && this.state === EXECUTING;
  }

  /** Whether someone waits for the outcome. */
  get hasCaller(): boolean {
    return this.done !== null || this.receiver !== null;
  }

  /** Hands the outcome to the caller. */
  deliver(outcome: ApiOutcome): void {
    if (this.receiver !== null) this.receiver.receiveOutcome(outcome);
    else if (this.done !== null) this.done(outcome);
  }

  apfDispatched(): void {
    this.replica.dispatched(this);
  }

  apfRejected(reason: RejectReason, retryAfterSeconds: number): void {
    this.replica.rejected(this, reason, retryAfterSeconds);
  }
}

/**
 * FIFO of calls with equal timeouts: deadlines are non-decreasing within it. Finished calls leave the
 * front as soon as they finish (prune), so the list holds about the calls in flight; holding every
 * call until its deadline would promote millions of short-lived objects to V8's old space.
 *
 * NOTE: a ring that keeps its capacity: the list empties after almost every request, and an array
 * truncated to length 0 reallocated its backing store on the next push (one allocation per request).
 */
class DeadlineList {
  private ring: (Call | null)[] = [null, null, null, null, null, null, null, null];
  private head = 0;
  private size = 0;

  push(call: Call): void {
    if (this.size === this.ring.length) this.grow();
    this.ring[(this.head + this.size) & (this.ring.length - 1)] = call;
    this.size++;
  }

  /** The oldest entry, or null when empty. */
  first(): Call | null {
    return this.size > 0 ? this.ring[this.head]! : null;
  }

  shift(): void {
    this.ring[this.head] = null;
    this.head = (this.head + 1) & (this.ring.length - 1);
    this.size--;
  }

  /** Drops finished calls from the front. */
  prune(): void {
    while (this.size > 0 && isFinished(this.ring[this.head]!)) this.shift();
  }

  clear(): void {
    this.ring.fill(null);
    this.head = 0;
    this.size = 0;
  }

  private grow(): void {
    const capacity = this.ring.length;
    const grown: (Call | null)[] = new Array(capacity * 2).fill(null);
    for (let i = 0; i < this.size; i++) grown[i] = this.ring[(this.head + i) & (capacity - 1)]!;
    this.ring = grown;
    this.head = 0;
  }
}

function isFinished(call: Call): boolean {
  return call.state === DONE || call.state === DEAD || call.isResponded;
}

interface CacheState {
  isReady: boolean;
  /** Sim time of the etcd snapshot the cache was built from. */
  initAt: number;
  readonly waiters: Call[];
}

function onCpuDone(call: Call): void {
  call.replica.cpuDone(call);
}
function onEtcdRangeDone(call: Call): void {
  call.replica.etcdRangeDone(call);
}
function onEtcdCountDone(call: Call): void {
  call.replica.etcdCountDone(call);
}
function onEtcdWriteDone(call: Call): void {
  call.replica.etcdWriteDone(call);
}
function onWaitOver(call: Call): void {
  call.replica.waitOver(call);
}
function onDeadlines(replica: Replica): void {
  replica.checkDeadlines();
}
function onWatchTimeout(watch: ClusterWatch): void {
  watch.timer = -1;
  const host = watch.host;
  if (host instanceof Replica) host.closeWatch(watch, 'timeout');
}
function onRestart(replica: Replica): void {
  replica.start();
}

interface Rebuild {
  readonly replica: Replica;
  readonly resource: ResourceInfo;
  readonly epoch: number;
  readonly snapshotAt: number;
  memory: number;
}
function onRebuildRange(r: Rebuild): void {
  r.replica.rebuildRangeDone(r);
}
function onRebuildDecoded(r: Rebuild): void {
  r.replica.rebuildDone(r);
}

export interface ReplicaOptions {
  readonly index: number;
  readonly id: string;
  readonly cluster: string;
  readonly config: ApiServerConfig;
  readonly rules: VersionRules;
  readonly store: ObjectStore;
  readonly etcd: Etcd;
  readonly apf: ApfFilter;
  readonly stats: RequestStats;
  readonly log: EventLog;
  /** Nodes in the cluster now (per-node heap). */
  readonly nodes: () => number;
}

export class Replica implements Component, WatchHost {
  readonly id: string;
  epoch = 0;
  isUp = false;
  /** Removed by scale-down: never restarts. */
  isRetired = false;
  restarts = 0;
  upSince = 0;
  private crashLoopDelay = 0;
  private restartTimer = -1;
  readonly ps: ProcessorSharing;
  private readonly caches = new Map<string, CacheState>();
  /** The same states by ResourceInfo.index (NOTE: an array load on the request path, not a Map lookup). */
  private readonly cacheAt: (CacheState | undefined)[] = [];
  /** In-flight calls as an intrusive doubly-linked list (sentinel): O(1) add/remove, no hashing. */
  private readonly inflight: Call;
  /** One list per distinct timeout, in creation order (the order deadlines are checked in). */
  private readonly deadlineLists = new Map<number, DeadlineList>();
  private readonly deadlineListOrder: DeadlineList[] = [];
  /** The last list used: consecutive requests mostly share a timeout. */
  private lastTimeout = Number.NaN;
  private lastDeadlineList: DeadlineList | null = null;
  private deadlineTimer = -1;
  private deadlineAt = Number.POSITIVE_INFINITY;
  /** Established watches (swap-remove array; slot kept on the watch). */
  private readonly watches: ClusterWatch[] = [];
  /** Weighted watch counts per resource: all watchers, and those dispatched only for one node. */
  private readonly watchersAll: number[] = [];
  private readonly watchersIndexed: number[] = [];
  private watchCount = 0;
  private requestMemory = 0;
  private lastWrites = new Map<string, number>();
  /** Cacher backlog (core-seconds), smoothed event demand (cores), and the resulting lag (s). */
  private backlog = 0;
  private demandEwma = 0;
  private lagSeconds = CACHE_BASE_LAG;
  private cacherCores = 0;
  /** CPU of small jobs run in closed form since the last tick (core-seconds), and its rate (cores). */
  private fluidWork = 0;
  private fluidCores = 0;
  // Window metrics.
  private lastBusy = 0;
  private lastBusyAt = 0;
  cpuUtilization = 0;
  coresUsed = 0;
  private peakMemory = 0;
  private windowPeakMemory = 0;
  private readonly random;
  private readonly checkDeadlinesHandler = onDeadlines;
  private classifications = new WeakMap<ServerRequest, Classification>();
  /** Identifies the APF configuration the memoised classifications were made under. */
  private apfToken: object = {};
  private readonly workInput = { numStored: 0, servedFromCache: false, watchers: 0 };
  private lastResourceName = '';
  private lastResource: ResourceInfo | null = null;

  constructor(
    private readonly sim: Simulation,
    private readonly options: ReplicaOptions,
  ) {
    this.id = options.id;
    this.ps = createProcessorSharing(sim, options.config.cores);
    const sentinel = Object.create(Call.prototype) as Call;
    sentinel.prev = sentinel;
    sentinel.next = sentinel;
    this.inflight = sentinel;
    this.random = sim.random(`${options.cluster}/${options.id}`);
  }

  // ----- state ----------------------------------------------------------------------------------

  get apf(): ApfFilter {
    return this.options.apf;
  }

  /** User FlowSchemas changed: classifications made before are stale. */
  applyApf(
    flowSchemas: Parameters<ApfFilter['applyConfiguration']>[0],
    levels: Parameters<ApfFilter['applyConfiguration']>[1],
  ): void {
    this.options.apf.applyConfiguration(flowSchemas, levels);
    this.classifications = new WeakMap();
    this.apfToken = {};
  }

  get cacheTime(): number {
    return this.sim.now - this.lagSeconds;
  }

  get lag(): number {
    return this.lagSeconds;
  }

  /** Heap that does not depend on traffic: base + per node + watch cache. */
  baselineMemory(): number {
    return (
      HEAP_BASE_BYTES +
      HEAP_PER_NODE_BYTES * this.options.nodes() +
      WATCH_CACHE_EXPANSION * this.options.store.totalBytes()
    );
  }

  get memoryBytes(): number {
    if (!this.isUp) return 0;
    return this.baseline + this.requestMemory + this.watchCount * MEMORY_PER_WATCH_BYTES;
  }

  /** baselineMemory() as of the last tick: cluster shape changes slowly, requests come fast. */
  private baseline = 0;

  private refreshBaseline(): void {
    this.baseline = this.baselineMemory();
  }

  get inflightRequests(): number {
    let n = 0;
    for (let c = this.inflight.next!; c !== this.inflight; c = c.next!) n += c.count;
    return n;
  }

  private inflightCalls(): Call[] {
    const out: Call[] = [];
    for (let c = this.inflight.next!; c !== this.inflight; c = c.next!) out.push(c);
    return out;
  }

  private link(call: Call): void {
    const head = this.inflight;
    call.prev = head.prev;
    call.next = head;
    head.prev!.next = call;
    head.prev = call;
  }

  private unlink(call: Call): void {
    if (call.next === null) return;
    call.prev!.next = call.next;
    call.next.prev = call.prev;
    call.next = null;
    call.prev = null;
  }

  get establishedWatches(): number {
    return this.watchCount;
  }

  /** Fraction of resources whose watch cache is ready (0 while down). */
  get cacheReadyFraction(): number {
    if (!this.isUp) return 0;
    const resources = this.options.store.resources;
    let ready = 0;
    for (const r of resources) if (this.cache(r).isReady) ready++;
    return resources.length === 0 ? 1 : ready / resources.length;
  }

  isCacheReady(resource: string): boolean {
    return this.isUp && this.cache(this.options.store.get(resource)).isReady;
  }

  private cache(resource: ResourceInfo): CacheState {
    let c = this.cacheAt[resource.index];
    if (c !== undefined) return c;
    c = this.caches.get(resource.name);
    if (c === undefined) {
      // A resource first seen after start: its cacher existed since start (CRDs, rare kinds).
      c = { isReady: this.isUp, initAt: this.upSince, waiters: [] };
      this.caches.set(resource.name, c);
    }
    this.cacheAt[resource.index] = c;
    return c;
  }

  /** Watchers interested in one event of `resource` (cluster-wide ones plus the node's own). */
  interestedWatchers(resource: ResourceInfo): number {
    const all = this.watchersAll[resource.index] ?? 0;
    const indexed = this.watchersIndexed[resource.index] ?? 0;
    const nodes = Math.max(1, this.options.nodes());
    return all - indexed + indexed / nodes;
  }

  // ----- lifecycle ------------------------------------------------------------------------------

  /** Starts (or restarts) serving with empty watch caches that rebuild from etcd. */
  start(): void {
    if (this.isRetired) return;
    this.restartTimer = -1;
    const now = this.sim.now;
    this.isUp = true;
    this.upSince = now;
    this.refreshBaseline();
    this.backlog = 0;
    this.lagSeconds = CACHE_BASE_LAG;
    this.lastBusy = this.ps.busyIntegral();
    this.lastBusyAt = now;
    for (const resource of this.options.store.resources) {
      const c = this.cache(resource);
      c.isReady = false;
      const r: Rebuild = { replica: this, resource, epoch: this.epoch, snapshotAt: now, memory: 0 };
      this.options.etcd.range(resource.count, resource.bytes, 1, 1, onRebuildRange, r);
    }
    for (const [name] of this.caches) this.lastWrites.set(name, this.options.store.get(name).writes);
    this.log(
      'apiserver-started',
      'info',
      `${this.id} serving; rebuilding ${this.options.store.resources.length} watch caches from etcd`,
    );
  }

  /** Starts with every watch cache ready (the state a running cluster is in at t = 0). */
  startWarm(): void {
    const now = this.sim.now;
    this.isUp = true;
    this.upSince = now;
    this.refreshBaseline();
    for (const resource of this.options.store.resources) {
      const c = this.cache(resource);
      c.isReady = true;
      c.initAt = now - 3600;
    }
    for (const resource of this.options.store.resources) this.lastWrites.set(resource.name, resource.writes);
    this.lastBusyAt = now;
  }

  rebuildRangeDone(r: Rebuild): void {
    if (r.epoch !== this.epoch || !this.isUp) return;
    const bytes = MEMORY_ETCD_RESPONSE_FACTOR * r.resource.count * r.resource.bytes;
    r.memory = bytes;
    this.requestMemory += bytes;
    this.ps.add(etcdDecodeCost(r.resource.count, r.resource.bytes), 1, onRebuildDecoded, r);
    this.checkMemory();
  }

  rebuildDone(r: Rebuild): void {
    if (r.epoch !== this.epoch || !this.isUp) return;
    this.requestMemory -= r.memory;
    const c = this.cache(r.resource);
    c.isReady = true;
    c.initAt = r.snapshotAt;
    this.log('watch-cache-ready', 'info', `${this.id}: watch cache for ${r.resource.name} initialised`);
    const waiters = c.waiters.splice(0);
    for (const call of waiters) if (call.isLive && call.phase === PHASE_WAIT) this.execute(call);
  }

  /** Where the memory is, for the OOM message: baseline, watches, and the three largest holders. */
  private memoryBreakdown(): string {
    const gib = (b: number): string => `${(b / 2 ** 30).toFixed(1)} GiB`;
    const holders = new Map<string, { bytes: number; calls: number }>();
    let byCalls = 0;
    for (const c of this.inflightCalls()) {
      if (c.memory <= 0) continue;
      byCalls += c.memory;
      const key = `${c.request.verb} ${c.request.resource} from ${c.servedFrom} by ${c.request.identity.clientClass}`;
      const h = holders.get(key) ?? { bytes: 0, calls: 0 };
      h.bytes += c.memory;
      h.calls++;
      holders.set(key, h);
    }
    const top = [...holders.entries()].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 3);
    const parts = [
      `baseline ${gib(this.baseline)}`,
      `watches ${gib(this.watchCount * MEMORY_PER_WATCH_BYTES)}`,
      ...top.map(([k, h]) => `${h.calls} x ${k} ${gib(h.bytes)}`),
    ];
    const rebuilding = this.requestMemory - byCalls;
    if (rebuilding > 0) parts.push(`watch-cache rebuilds ${gib(rebuilding)}`);
    return parts.join(', ');
  }

  /** OOM kill (or crash): everything in flight is lost; restarts after the crash-loop back-off. */
  kill(reason: string): void {
    if (!this.isUp) return;
    const now = this.sim.now;
    const memory = this.memoryBytes;
    this.isUp = false;
    this.epoch++;
    this.restarts++;
    if (now - this.upSince > CRASH_LOOP_RESET) this.crashLoopDelay = 0;
    const delay = this.options.config.restartDelay + this.crashLoopDelay;
    this.crashLoopDelay =
      this.crashLoopDelay === 0 ? CRASH_LOOP_INITIAL : Math.min(CRASH_LOOP_MAX, this.crashLoopDelay * 2);
    this.log(
      reason === 'oom' ? 'apiserver-oom-killed' : 'apiserver-killed',
      'critical',
      `${this.id} ${reason === 'oom' ? 'OOM-killed' : `killed (${reason})`} at ${(memory / 2 ** 30).toFixed(1)} GiB with ${this.inflightCalls().length} requests in flight and ${this.watchCount} watches; back in ${delay.toFixed(0)} s${reason === 'oom' ? ` (${this.memoryBreakdown()})` : ''}`,
    );
    this.dropEverything('unreachable', 'replica-restart');
    if (!this.isRetired) this.restartTimer = this.sim.schedule(delay, onRestart, this);
  }

  /** Scale-down: stops for good; clients see their watches end and in-flight requests reset. */
  retire(): void {
    this.isRetired = true;
    if (this.restartTimer !== -1) this.sim.cancel(this.restartTimer);
    this.restartTimer = -1;
    if (!this.isUp) return;
    this.isUp = false;
    this.epoch++;
    this.log('apiserver-removed', 'warning', `${this.id} removed (scale-down)`);
    this.dropEverything('unreachable', 'replica-restart');
  }

  private dropEverything(outcome: 'unreachable', watchReason: WatchCloseReason): void {
    const now = this.sim.now;
    const calls = this.inflightCalls();
    this.inflight.next = this.inflight;
    this.inflight.prev = this.inflight;
    for (const call of calls) {
      call.next = null;
      call.prev = null;
    }
    this.ps.clear();
    this.requestMemory = 0;
    for (const list of this.deadlineListOrder) list.clear();
    if (this.deadlineTimer !== -1) this.sim.cancel(this.deadlineTimer);
    this.deadlineTimer = -1;
    this.deadlineAt = Number.POSITIVE_INFINITY;
    for (const c of this.caches.values()) {
      c.isReady = false;
      c.waiters.length = 0;
    }
    // APF first (its queued requests are rejected 'cancelled', which we turn into resets below).
    this.options.apf.reset();
    this.classifications = new WeakMap();
    this.apfToken = {};
    const stats = this.options.stats;
    const closed = this.watches.splice(0);
    for (const w of closed) {
      this.unregister(w);
    }
    this.watchCount = 0;
    this.watchersAll.length = 0;
    this.watchersIndexed.length = 0;
    // Clients hear about it after this event: no re-entrant resubmission into a dying replica.
    this.sim.schedule(
      0,
      () => {
        for (const call of calls) {
          if (call.isResponded || !call.hasCaller) continue;
          call.isResponded = true;
          stats.responded(outcome, call.count, call.request.identity.clientClass);
          call.deliver({
            kind: 'unreachable',
            status: 0,
            latency: (now - call.arrival) as ApiOutcome['latency'],
          });
        }
        for (const w of closed) w.handlers.onClosed(watchReason);
      },
      undefined,
    );
    for (const call of calls) call.state = DEAD;
  }

  // ----- admission ------------------------------------------------------------------------------

  submit(request: ServerRequest, done: ApiCallback): void {
    this.admit(request, done, null, null);
  }

  openWatch(watch: ClusterWatch, opened: ApiCallback): void {
    this.admit(watch.request, opened, null, watch);
  }

  /** submit() with either a callback or a receiver (exactly one set). */
  accept(request: ServerRequest, done: ApiCallback | null, receiver: OutcomeReceiver | null): void {
    this.admit(request, done, receiver, null);
  }

  /** openWatch() with either a callback or a receiver (exactly one set). */
  acceptWatch(watch: ClusterWatch, done: ApiCallback | null, receiver: OutcomeReceiver | null): void {
    this.admit(watch.request, done, receiver, watch);
  }

  /** Registers a watch established before the simulation started (warm start). */
  adoptWatch(watch: ClusterWatch, remainingTimeout: number): void {
    this.register(watch, remainingTimeout);
  }

  private admit(
    request: ServerRequest,
    done: ApiCallback | null,
    receiver: OutcomeReceiver | null,
    watch: ClusterWatch | null,
  ): void {
    const now = this.sim.now;
    const opts = this.options;
    const resource = this.resourceOf(request.resource);
    const requestTimeout = opts.config.requestTimeout;
    const isWatch = request.verb === 'watch';
    const timeout =
      request.timeout !== undefined && request.timeout > 0
        ? Math.min(request.timeout, requestTimeout)
        : requestTimeout;
    const deadline = isWatch ? Number.POSITIVE_INFINITY : now + timeout;
    const call = new Call(this, request, done, receiver, resource, now, deadline, watch);
    opts.stats.arrived(call.count);
    const apf = opts.apf;
    const c = this.classify(request);
    const path = servePath(request, opts.rules, this.cache(resource).isReady);
    // The estimator reads its input synchronously: one object per replica, refilled per request.
    const input = this.workInput;
    input.numStored = resource.count;
    input.servedFromCache =
      path === 'cache' || path === 'cache-consistent' || path === 'cache-not-older-than' || path === 'watch';
    input.watchers = path === 'write' ? this.interestedWatchers(resource) : 0;
    const work = apf.estimateWork(request, c, input);
    this.link(call);
    if (!isWatch) this.trackDeadline(call, timeout);
    apf.admit(request, c, work, requestWaitLimit(isWatch ? undefined : timeout, requestTimeout), call);
  }

  /**
   * store.get with a one-entry cache (NOTE: for speed: most requests in a row are lease renewals, and
   * resource names are interned strings, so the check is a pointer compare).
   */
  private resourceOf(name: string): ResourceInfo {
    if (name === this.lastResourceName && this.lastResource !== null) return this.lastResource;
    const info = this.options.store.get(name);
    this.lastResourceName = name;
    this.lastResource = info;
    return info;
  }

  /**
   * Clients reuse their request objects, so the APF classification is remembered per object and
   * replica, and forgotten when APF's configuration changes (a new token). NOTE: requests made by
   * makeRequest carry a memo slot (a field load instead of a WeakMap lookup: this runs per request).
   */
  private classify(request: ServerRequest): Classification {
    const r = request as Partial<ApfMemoSlots>;
    if (r.apfToken0 !== undefined) return this.classifyMemo(request, r as ApfMemoSlots);
    let c = this.classifications.get(request);
    if (c === undefined) {
      c = this.options.apf.classify(request);
      this.classifications.set(request, c);
    }
    return c;
  }

  private classifyMemo(request: ServerRequest, r: ApfMemoSlots): Classification {
    const token = this.apfToken;
    switch (this.options.index) {
      case 0:
        if (r.apfToken0 !== token) {
          r.apfClass0 = this.options.apf.classify(request);
          r.apfToken0 = token;
        }
        return r.apfClass0 as Classification;
      case 1:
        if (r.apfToken1 !== token) {
          r.apfClass1 = this.options.apf.classify(request);
          r.apfToken1 = token;
        }
        return r.apfClass1 as Classification;
      case 2:
        if (r.apfToken2 !== token) {
          r.apfClass2 = this.options.apf.classify(request);
          r.apfToken2 = token;
        }
        return r.apfClass2 as Classification;
    }
    const memo = r.apfMemo;
    const at = 2 * (this.options.index - 3);
    if (memo !== null && memo[at] === token) return memo[at + 1] as Classification;
    const c = this.options.apf.classify(request);
    const slots = memo ?? [];
    while (slots.length < at + 2) slots.push(null);
    slots[at] = token;
    slots[at + 1] = c;
    r.apfMemo = slots;
    return c;
  }

  dispatched(call: Call): void {
    // (The level set dispatchedAt; a refused dispatch clears it after the release has read it.)
    if (call.epoch !== this.epoch || call.state !== QUEUED) {
      call.apfRelease();
      call.dispatchedAt = -1;
      return;
    }
    if (call.isResponded) {
      // Timed out while queued (cannot normally happen: the queue-wait limit is a quarter of it).
      call.apfRelease();
      call.dispatchedAt = -1;
      this.unlink(call);
      call.state = DONE;
      return;
    }
    call.state = EXECUTING;
    call.isHoldingSeats = true;
    call.dispatchedAt = this.sim.now;
    call.atOnce = membersAtOnce(call);
    call.rounds = call.count / call.atOnce;
    this.addMemory(call, MEMORY_PER_REQUEST_BYTES * call.atOnce);
    if (call.isLive) this.execute(call);
  }

  rejected(call: Call, reason: RejectReason, retryAfter: number): void {
    if (call.epoch !== this.epoch || call.state !== QUEUED) return;
    this.unlink(call);
    call.state = DONE;
    if (reason === 'cancelled' || call.isResponded) return;
    this.respond(call, {
      kind: 'throttled',
      status: 429,
      latency: (this.sim.now - call.arrival) as ApiOutcome['latency'],
      retryAfter: retryAfter as ApiOutcome['latency'],
      reason,
    });
  }

  // ----- execution ------------------------------------------------------------------------------

  /** Runs (or re-runs, after a wait) a dispatched call along its serving path. */
  private execute(call: Call): void {
    const request = call.request;
    const resource = call.resource;
    const c = this.cache(resource);
    const path = servePath(request, this.options.rules, c.isReady);
    call.path = path;
    const inScope =
      path === 'write' || path === 'watch'
        ? 0
        : objectsInScope(request, resource, this.options.store.namespaces);
    switch (path) {
      case 'write':
        this.runCpu(call, CPU_MUTATING);
        return;
      case 'reject-initializing':
        this.respond(call, {
          kind: 'throttled',
          status: 429,
          latency: (this.sim.now - call.arrival) as ApiOutcome['latency'],
          retryAfter: 1 as ApiOutcome['latency'],
          reason: 'initializing',
        });
        this.finish(call);
        return;
      case 'hang':
        call.phase = PHASE_WAIT;
        c.waiters.push(call);
        return;
      case 'watch':
        this.runCpu(call, CPU_WATCH_INIT);
        return;
      case 'etcd': {
        call.servedFrom = 'etcd';
        const limit = request.limit ?? 0;
        if (request.verb === 'get') {
          call.scanned = 1;
          call.returned = 1;
        } else if (hasSelector(request)) {
          call.scanned = inScope;
          call.returned = Math.min(
            returnedObjects(request, inScope),
            limit > 0 ? limit : Number.POSITIVE_INFINITY,
          );
        } else {
          call.returned = limit > 0 ? Math.min(limit, inScope) : inScope;
          call.scanned = call.returned;
        }
        call.phase = PHASE_ETCD;
        this.chargeEtcd(call, rangeCost(call.scanned, resource.bytes));
        this.options.etcd.range(
          call.scanned,
          resource.bytes,
          call.atOnce,
          call.rounds,
          onEtcdRangeDone,
          call,
        );
        return;
      }
      case 'cache':
      case 'cache-consistent':
      case 'cache-not-older-than': {
        call.servedFrom = 'cache';
        if (request.verb === 'get') {
          call.scanned = 1;
          call.returned = 1;
        } else {
          call.returned = returnedObjects(request, inScope);
          // The pods cache is indexed by spec.nodeName: a node's list scans only its pods.
          call.scanned =
            resource.isNodeIndexed && request.hasFieldSelector === true ? call.returned : inScope;
        }
        if (path === 'cache') {
          this.runCacheRead(call);
          return;
        }
        if (path === 'cache-consistent') {
          // Current RV from etcd (a range with count), then wait for the cache to reach it.
          call.phase = PHASE_ETCD;
          this.chargeEtcd(call, countCost(resource.count));
          this.options.etcd.count(resource.count, call.atOnce, call.rounds, onEtcdCountDone, call);
          return;
        }
        // RV=X: wait for the cache to reach X; past blockTimeout: "Too large resource version".
        const behind = (isSet(request.notOlderThan) ? request.notOlderThan : 0) - this.cacheTime;
        if (behind <= 0) {
          this.runCacheRead(call);
          return;
        }
        call.phase = PHASE_WAIT;
        call.timer = this.sim.schedule(Math.min(behind, CACHE_BLOCK_TIMEOUT), onWaitOver, call);
        return;
      }
    }
  }

  private runCacheRead(call: Call): void {
    const resource = call.resource;
    const fixed = call.request.verb === 'get' ? CPU_GET : CPU_LIST;
    const cost =
      fixed + call.scanned * CPU_CACHE_SCAN_PER_OBJECT + serializeCost(call.returned, resource.bytes);
    this.addMemory(call, MEMORY_CACHE_RESPONSE_FACTOR * call.returned * resource.bytes * call.atOnce);
    if (call.isLive) this.runCpu(call, cost);
  }

  private runCpu(call: Call, cost: number): void {
    const work = cost * call.count;
    this.options.stats.chargeApiserver(clientClassOf(call.request), work);
    call.phase = PHASE_CPU;
    if (cost > FLUID_JOB_CPU) {
      call.psJob = this.ps.add(cost * call.rounds, call.atOnce, onCpuDone, call);
      return;
    }
    // NOTE: a small job (a write, a watch set-up, a GET) runs in closed form, for speed: it takes
    // its cost at the processor-sharing rate of the moment it starts, and its CPU enters the
    // processor sharing as background load (tick). A write goes straight on to etcd, so one event
    // covers both phases. Its timing error is a fraction of a few milliseconds.
    // A cohort's members stand for calls spread in time (heartbeats on their own jittered clocks), so
    // a member competes with the jobs running, not with the rest of its cohort: its CPU reaches the
    // other jobs as background load. Timing members as simultaneous arrivals made single-request
    // latencies grow with the block size (differential test: 27 ms at 10 nodes per block, 118 ms at
    // 100, against 10 ms exact).
    const rate = Math.min(1, this.ps.capacity / (this.ps.jobs + 1));
    const end = this.sim.now + (cost * call.rounds) / rate;
    call.memberShare = call.rounds;
    this.fluidWork += work;
    if (call.path === 'write') {
      call.phase = PHASE_ETCD;
      this.sim.scheduleAt(this.options.etcd.write(call.count, end), onEtcdWriteDone, call);
      return;
    }
    this.sim.scheduleAt(end, onCpuDone, call);
  }

  private chargeEtcd(call: Call, cost: number): void {
    this.options.stats.chargeEtcd(clientClassOf(call.request), cost * call.count);
  }

  etcdCountDone(call: Call): void {
    if (!call.isLive) return;
    // Consistent read from cache: wait for the cache to catch up (progress notify every 100 ms);
    // past blockTimeout it falls back to etcd (cacher.go, fallback="true").
    const wait = this.lagSeconds + this.random.next() * PROGRESS_NOTIFY_PERIOD;
    call.phase = PHASE_WAIT;
    call.timer = this.sim.schedule(Math.min(wait, CACHE_BLOCK_TIMEOUT), onWaitOver, call);
  }

  waitOver(call: Call): void {
    call.timer = -1;
    if (!call.isLive || call.phase !== PHASE_WAIT) return;
    if (call.path === 'cache-consistent') {
      if (this.lagSeconds + 1e-9 < CACHE_BLOCK_TIMEOUT) {
        this.runCacheRead(call);
        return;
      }
      // Fallback: the same request as a quorum read from etcd.
      call.servedFrom = 'etcd';
      const resource = call.resource;
      const inScope = objectsInScope(call.request, resource, this.options.store.namespaces);
      call.scanned = hasSelector(call.request) ? inScope : call.returned;
      call.phase = PHASE_ETCD;
      call.path = 'etcd';
      this.chargeEtcd(call, rangeCost(call.scanned, resource.bytes));
      this.options.etcd.range(call.scanned, resource.bytes, call.atOnce, call.rounds, onEtcdRangeDone, call);
      return;
    }
    // RV=X read: fresh enough now, or "Too large resource version" (the reflector relists with RV="").
    const notOlderThan = call.request.notOlderThan;
    const behind = (isSet(notOlderThan) ? notOlderThan : 0) - this.cacheTime;
    if (behind <= 1e-9) {
      this.runCacheRead(call);
      return;
    }
    this.respond(call, {
      kind: 'gone',
      status: 410,
      latency: (this.sim.now - call.arrival) as ApiOutcome['latency'],
    });
    this.finish(call);
  }

  etcdRangeDone(call: Call): void {
    if (!call.isLive) return;
    if (call.isResponded) {
      // Timed out while waiting for etcd: the handler returned then (context cancelled).
      return;
    }
    const resource = call.resource;
    this.addMemory(call, MEMORY_ETCD_RESPONSE_FACTOR * call.scanned * resource.bytes * call.atOnce);
    if (!call.isLive) return;
    const fixed = call.request.verb === 'get' ? CPU_GET : CPU_LIST;
    this.runCpu(
      call,
      fixed + etcdDecodeCost(call.scanned, resource.bytes) + serializeCost(call.returned, resource.bytes),
    );
  }

  cpuDone(call: Call): void {
    call.psJob = -1;
    if (!call.isLive) return;
    switch (call.path) {
      case 'write':
        call.phase = PHASE_ETCD;
        this.sim.scheduleAt(this.options.etcd.write(call.count), onEtcdWriteDone, call);
        return;
      case 'watch':
        this.watchInitialised(call);
        return;
      default:
        this.respond(call, {
          kind: 'ok',
          status: 200,
          latency: (this.sim.now - call.arrival) as ApiOutcome['latency'],
          servedFrom: call.servedFrom,
        });
        this.finish(call);
    }
  }

  etcdWriteDone(call: Call): void {
    // The write is in etcd whatever happened to the handler: watchers and the writer's effects see it.
    const resource = call.resource;
    resource.writes += call.count;
    const request = call.request;
    const listener = request.commitListener;
    if (listener !== undefined && listener !== null) listener.committed(call.count);
    else {
      const onCommit = request.onCommit;
      if (onCommit !== undefined) onCommit(call.count);
    }
    if (!call.isLive) return;
    this.respond(call, {
      kind: 'ok',
      status: call.request.verb === 'create' ? 201 : 200,
      latency: (this.sim.now - call.arrival) as ApiOutcome['latency'],
    });
    this.finish(call);
  }

  private watchInitialised(call: Call): void {
    const watch = call.watch!;
    const c = this.cache(call.resource);
    const resumeFrom = call.request.resumeFrom;
    const oldest = Math.max(c.initAt, this.cacheTime - EVENT_FRESH_DURATION);
    if (watch.isCancelled) {
      this.finish(call);
      return;
    }
    if (isSet(resumeFrom) && resumeFrom < oldest) {
      // "too old resource version": the reflector relists.
      this.respond(call, {
        kind: 'gone',
        status: 410,
        latency: (this.sim.now - call.arrival) as ApiOutcome['latency'],
      });
      this.finish(call);
      return;
    }
    const timeout =
      call.request.timeout !== undefined && call.request.timeout > 0
        ? call.request.timeout
        : MIN_REQUEST_TIMEOUT * (1 + this.random.next());
    this.register(watch, timeout);
    // WATCH releases its seats once initialised (KEP-1040).
    this.respond(call, {
      kind: 'ok',
      status: 200,
      latency: (this.sim.now - call.arrival) as ApiOutcome['latency'],
    });
    this.finish(call);
  }

  private respond(call: Call, outcome: ApiOutcome): void {
    if (call.isResponded) return;
    call.isResponded = true;
    const stats = this.options.stats;
    if (call.dispatchedAt >= 0 && outcome.kind !== 'throttled') {
      stats.observeServer(call.verbClass, (this.sim.now - call.dispatchedAt) / call.memberShare, call.count);
    }
    stats.responded(
      outcome.kind === 'ok'
        ? 'ok'
        : outcome.kind === 'throttled'
          ? outcome.reason === 'initializing'
            ? 'initializing'
            : 'rejected'
          : outcome.kind,
      call.count,
      clientClassOf(call.request),
    );
    call.deliver(outcome);
  }

  /** The handler returned: seats and memory are released. */
  private finish(call: Call): void {
    if (call.state === DONE || call.state === DEAD) return;
    call.state = DONE;
    call.phase = PHASE_NONE;
    this.requestMemory -= call.memory;
    call.memory = 0;
    this.unlink(call);
    const list = call.deadlineList;
    if (list !== null) {
      call.deadlineList = null;
      list.prune();
    }
    if (call.isHoldingSeats) {
      call.isHoldingSeats = false;
      call.apfRelease();
    }
  }

  private addMemory(call: Call, bytes: number): void {
    call.memory += bytes;
    this.requestMemory += bytes;
    this.checkMemory();
  }

  private checkMemory(): void {
    const used = this.memoryBytes;
    if (used > this.windowPeakMemory) this.windowPeakMemory = used;
    if (used > this.peakMemory) this.peakMemory = used;
    if (used > this.options.config.memoryBytes) this.kill('oom');
  }

  // ----- deadlines ------------------------------------------------------------------------------

  private trackDeadline(call: Call, timeout: number): void {
    let list = this.lastDeadlineList;
    if (timeout !== this.lastTimeout || list === null) {
      list = this.deadlineLists.get(timeout) ?? null;
      if (list === null) {
        list = new DeadlineList();
        this.deadlineLists.set(timeout, list);
        this.deadlineListOrder.push(list);
      }
      this.lastTimeout = timeout;
      this.lastDeadlineList = list;
    }
    list.push(call);
    call.deadlineList = list;
    if (call.deadline < this.deadlineAt) this.armDeadlines(call.deadline);
  }

  private armDeadlines(at: number): void {
    if (this.deadlineTimer !== -1) this.sim.cancel(this.deadlineTimer);
    this.deadlineAt = at;
    this.deadlineTimer = this.sim.scheduleAt(at, this.checkDeadlinesHandler, this);
  }

  checkDeadlines(): void {
    this.deadlineTimer = -1;
    this.deadlineAt = Number.POSITIVE_INFINITY;
    const now = this.sim.now;
    let next = Number.POSITIVE_INFINITY;
    // NOTE: indexed loop: a time-out's callbacks may submit requests with a new timeout (a new list).
    const lists = this.deadlineListOrder;
    for (let i = 0; i < lists.length; i++) {
      const list = lists[i]!;
      for (;;) {
        const call = list.first();
        if (call === null) break;
        if (isFinished(call)) {
          list.shift();
          continue;
        }
        if (call.deadline > now) {
          if (call.deadline < next) next = call.deadline;
          break;
        }
        list.shift();
        this.timeOut(call);
      }
      list.prune();
    }
    if (next < Number.POSITIVE_INFINITY && this.isUp) this.armDeadlines(next);
  }

  private timeOut(call: Call): void {
    this.respond(call, {
      kind: 'timeout',
      status: 504,
      latency: (this.sim.now - call.arrival) as ApiOutcome['latency'],
    });
    if (call.state !== EXECUTING) return;
    switch (call.phase) {
      case PHASE_WAIT:
        if (call.timer !== -1) this.sim.cancel(call.timer);
        call.timer = -1;
        this.finish(call);
        return;
      case PHASE_ETCD:
        // The etcd call returns with "context canceled"; etcd itself finishes the range or write.
        this.finish(call);
        return;
      case PHASE_CPU:
        if (call.servedFrom === 'etcd' && (call.request.limit ?? 0) > 0 && call.psJob !== -1) {
          this.ps.remove(call.psJob);
          call.psJob = -1;
          this.finish(call);
        }
        // Otherwise the handler runs to completion holding seats and memory.
        return;
    }
  }

  // ----- watches --------------------------------------------------------------------------------

  private register(watch: ClusterWatch, timeout: number): void {
    watch.host = this;
    watch.isOpen = true;
    watch.openedAt = this.sim.now;
    watch.slot = this.watches.length;
    this.watches.push(watch);
    const at = watch.resource.index;
    this.watchersAll[at] = (this.watchersAll[at] ?? 0) + watch.weight;
    if (watch.isNodeIndexed) this.watchersIndexed[at] = (this.watchersIndexed[at] ?? 0) + watch.weight;
    this.watchCount += watch.weight;
    watch.timer = this.sim.schedule(timeout, onWatchTimeout, watch);
    this.checkMemory();
  }

  private unregister(watch: ClusterWatch): void {
    if (watch.timer !== -1) this.sim.cancel(watch.timer);
    watch.timer = -1;
    watch.slot = -1;
    watch.detach();
  }

  removeWatch(watch: ClusterWatch): void {
    const slot = watch.slot;
    if (slot < 0 || this.watches[slot] !== watch) return;
    const last = this.watches.pop()!;
    if (last !== watch) {
      this.watches[slot] = last;
      last.slot = slot;
    }
    const at = watch.resource.index;
    this.watchersAll[at] = (this.watchersAll[at] ?? 0) - watch.weight;
    if (watch.isNodeIndexed) this.watchersIndexed[at] = (this.watchersIndexed[at] ?? 0) - watch.weight;
    this.watchCount -= watch.weight;
    this.unregister(watch);
  }

  /** Server-side close: the client's handlers learn why. */
  closeWatch(watch: ClusterWatch, reason: WatchCloseReason): void {
    if (watch.host !== this) return;
    this.removeWatch(watch);
    watch.handlers.onClosed(reason);
  }

  /** Closes every watch whose request's client class matches (null: all), e.g. a network block. */
  closeWatchesOf(clientClass: string | null, reason: WatchCloseReason): void {
    const victims = this.watches.filter(
      (w) => clientClass === null || w.request.identity.clientClass === clientClass,
    );
    for (const w of victims) this.removeWatch(w);
    if (victims.length > 0)
      this.sim.schedule(
        0,
        () => {
          for (const w of victims) w.handlers.onClosed(reason);
        },
        undefined,
      );
  }

  /** Requests of a blocked client class lose their connection; their handlers keep running. */
  resetConnectionsOf(clientClass: string | null): void {
    const now = this.sim.now;
    const victims: Call[] = [];
    for (const call of this.inflightCalls()) {
      if (!call.isResponded && (clientClass === null || call.request.identity.clientClass === clientClass))
        victims.push(call);
    }
    for (const call of victims) call.isResponded = true;
    if (victims.length > 0)
      this.sim.schedule(
        0,
        () => {
          for (const call of victims) {
            this.options.stats.responded('unreachable', call.count, call.request.identity.clientClass);
            call.deliver({
              kind: 'unreachable',
              status: 0,
              latency: (now - call.arrival) as ApiOutcome['latency'],
            });
          }
        },
        undefined,
      );
  }

  // ----- periodic work --------------------------------------------------------------------------

  /**
   * Once a second: the watch cache's event work (decode + fan-out) as a fluid queue competing for
   * CPU, the cores left for requests, and watcher terminations while lagging.
   */
  tick(dt: number): void {
    if (!this.isUp) return;
    this.refreshBaseline();
    let demand = 0;
    for (const resource of this.options.store.resources) {
      const before = this.lastWrites.get(resource.name) ?? resource.writes;
      const written = resource.writes - before;
      this.lastWrites.set(resource.name, resource.writes);
      if (written <= 0) continue;
      const perEvent =
        etcdDecodeCost(1, resource.bytes) + this.interestedWatchers(resource) * CPU_WATCH_EVENT_PER_WATCHER;
      demand += (written / dt) * perEvent;
    }
    const cores = this.options.config.cores;
    const gc = (GC_CORES_PER_GIB * this.baseline) / 2 ** 30;
    const available = Math.max(0.1 * cores, cores - gc);
    const jobs = this.ps.jobs;
    // Small jobs run in closed form (runCpu): their CPU is background load, like the cacher's.
    const fluid = Math.min(this.fluidWork / dt, 0.9 * cores);
    this.fluidWork = 0;
    this.fluidCores = fluid;
    // The cacher's goroutines: as many as its demand needs (at least one while it has a backlog).
    const want = Math.max(demand, this.backlog > 0 ? 1 : 0);
    const share = jobs + want <= available ? want : (available * want) / (jobs + want);
    const served = Math.min(share, demand + this.backlog / dt);
    this.backlog = Math.max(0, this.backlog + (demand - served) * dt);
    this.demandEwma += (demand - this.demandEwma) * Math.min(1, dt / 30);
    this.lagSeconds =
      CACHE_BASE_LAG + (this.backlog > 0 ? this.backlog / Math.max(this.demandEwma, 1e-6) : 0);
    if (this.lagSeconds > 3600) this.lagSeconds = 3600;
    this.cacherCores = served;
    this.ps.setCapacity(Math.max(0.05 * cores, available - served - fluid));
    if (this.lagSeconds > WATCH_TERMINATION_LAG && this.watches.length > 0) this.terminateSlowWatchers(dt);
    this.checkMemory();
  }

  private terminateSlowWatchers(dt: number): void {
    const expected = this.watches.length * WATCH_TERMINATION_RATE * dt;
    let k = poisson(this.random.next, expected);
    const victims: ClusterWatch[] = [];
    while (k-- > 0 && this.watches.length > 0) {
      const w = this.watches[this.random.int(this.watches.length)]!;
      this.removeWatch(w);
      victims.push(w);
    }
    for (const w of victims) w.handlers.onClosed('timeout');
  }

  /** Closes the sampling window. */
  roll(): void {
    const now = this.sim.now;
    const busy = this.ps.busyIntegral();
    const dt = now - this.lastBusyAt;
    const cores = this.options.config.cores;
    if (dt > 0 && this.isUp) {
      const gc = (GC_CORES_PER_GIB * this.baselineMemory()) / 2 ** 30;
      this.coresUsed = Math.min(cores, (busy - this.lastBusy) / dt + gc + this.cacherCores + this.fluidCores);
      this.cpuUtilization = this.coresUsed / cores;
    } else {
      this.coresUsed = 0;
      this.cpuUtilization = 0;
    }
    this.lastBusy = busy;
    this.lastBusyAt = now;
    this.windowPeakMemory = this.memoryBytes;
  }

  get windowMemoryPeak(): number {
    return this.windowPeakMemory;
  }

  private log(kind: string, severity: 'info' | 'warning' | 'critical', message: string): void {
    this.options.log.record({ t: this.sim.now, cluster: this.options.cluster, kind, severity, message });
  }

  metrics(): readonly MetricDeclaration[] {
    const labels = { replica: this.id };
    return [
      {
        name: 'process_cpu_cores_used',
        labels,
        unit: 'cores',
        help: 'rate(process_cpu_seconds_total) of the replica: requests, watch cache and GC, per sampling window',
        read: () => this.coresUsed,
      },
      {
        name: 'process_resident_memory_bytes',
        labels,
        unit: 'bytes',
        help: 'Peak memory of the replica during the sampling window (baseline heap + watches + in-flight requests)',
        read: () => this.windowPeakMemory,
      },
      {
        name: 'up',
        labels: { ...labels, job: 'apiserver' },
        unit: 'boolean',
        help: '1 while the replica serves, 0 while it is down (OOM-killed, restarting, removed)',
        read: () => (this.isUp ? 1 : 0),
      },
      {
        name: 'apiserver_watch_cache_initialized_fraction',
        labels,
        unit: 'fraction',
        help: 'Share of resources whose watch cache is initialised (1 = all ready)',
        read: () => this.cacheReadyFraction,
      },
      {
        name: 'apiserver_watch_cache_lag_seconds',
        labels,
        unit: 'seconds',
        help: 'How far the watch cache trails etcd (consistent reads fall back to etcd past 3 s)',
        read: () => (this.isUp ? this.lagSeconds : Number.NaN),
      },
      {
        name: 'apiserver_longrunning_requests',
        labels: { ...labels, verb: 'WATCH' },
        unit: 'watches',
        help: 'Established watches on the replica',
        read: () => this.watchCount,
      },
      {
        name: 'apiserver_current_inflight_requests',
        labels,
        unit: 'requests',
        help: 'Requests queued in APF or executing on the replica',
        read: () => this.inflightRequests,
      },
    ];
  }
}

/** Poisson variate: inversion for small means, normal approximation above 30. */
function poisson(next: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) {
    const u1 = Math.max(next(), 1e-12);
    const u2 = next();
    const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = next();
  while (p > limit) {
    k++;
    p *= next();
  }
  return k;
}
