/**
 * client-go's reflector behind a shared informer (client-go@v0.31.0 tools/cache/reflector.go,
 * k8s-mechanics §6):
 * - LIST with RV="0" the first time (served from the watch cache, limit ignored), RV=<last> later
 *   (pagination switched off to force a cache hit), RV="" after a 410 or "too large RV";
 * - LISTs served from etcd with a limit come back in pages: the pager fetches the rest with
 *   continue tokens (each another request);
 * - then WATCH from the listed RV with timeoutSeconds in [5, 10) min; a watch the server ends
 *   normally is re-opened at once from the last RV;
 * - 429 or connection refused when opening a watch: back off and retry the watch;
 * - a watch ending with "too old" (410) or an error, or a failed LIST: back off, then LIST again
 *   (wait.BackoffUntil with the 0.8 s -> 30 s manager, jitter 1.0, reset after 2 min);
 * - the store keeps its objects through all of this: `syncedThrough` freezes while not watching.
 */
import { type Simulation, seconds } from '../../engine/index.js';
import type { ApiEndpoint, ApiOutcome, Identity, Scope, WatchHandle, WatchHandlers } from '../api-types.js';
import type { EventLog } from '../component.js';
import type { ClientRateConfig } from '../config.js';
import type { ClusterApi } from '../controlplane/control-plane.js';
import type { RequestStats } from '../controlplane/request-stats.js';
import {
  makeMutableRequest,
  makeRequest,
  type MutableRequest,
  type ServerRequest,
} from '../controlplane/serving.js';
import { type ApiClient, createApiClient } from './api-client.js';
import { ExponentialBackoff } from './backoff.js';
import type { Informer, InformerOptions } from './informer.js';

/** reflector.go minWatchTimeout: watches ask for timeoutSeconds in [5, 10) min. */
export const MIN_WATCH_TIMEOUT = 300;
/** tools/pager/pager.go defaultPageSize. */
export const PAGE_SIZE = 500;
/** handleWatch: a watch that ends within a second with no event is an error ("very short watch"). */
const SHORT_WATCH = 1;

export interface ReflectorOptions extends InformerOptions {
  readonly scope?: Scope;
  readonly namespace?: string;
  readonly hasFieldSelector?: boolean;
  readonly hasLabelSelector?: boolean;
  /** Objects a selector LIST returns (e.g. the pods of one node). */
  readonly expectedReturned?: () => number;
  /** Identical informers this one stands for (cohorts in aggregate fidelity). */
  readonly count?: number;
  /** Share one REST client (one rate limiter) between the informers of a process. */
  readonly apiClient?: ApiClient;
  readonly stats?: RequestStats;
  /** Called after every LIST and watch-open attempt (true when it worked): liveness of the process. */
  readonly onAttempt?: (isOk: boolean) => void;
  /**
   * Called when a LIST (all its pages) has arrived, before the store is replaced: `isRelist` when the
   * store still holds the previous list's objects (client-go's Replace holds both until it is done).
   */
  readonly onListed?: (isRelist: boolean) => void;
}

export interface Reflector extends Informer {
  /** Starts synced and watching, as if listed before the simulation began (no request made). */
  startWarm(): void;
  /** The process's connections were closed under it (kubelet closeAllConns): the watch ends. */
  interrupt(): void;
  /** LISTs issued since creation (pages not counted). */
  readonly lists: number;
}

const State = {
  stopped: 0,
  listing: 1,
  watching: 2,
  waiting: 3,
} as const;

function onBackoffList(r: ReflectorImpl): void {
  r.backoffOver(true);
}
function onBackoffWatch(r: ReflectorImpl): void {
  r.backoffOver(false);
}

class ReflectorImpl implements Reflector, WatchHandlers {
  private state: number = State.stopped;
  private readonly ownsClient: boolean;
  private epoch = 0;
  private isSyncedValue = false;
  private lastRv = Number.NEGATIVE_INFINITY;
  private hasRv = false;
  private isRvUnavailable = false;
  private handle: WatchHandle | null = null;
  private handleOpenedAt = 0;
  private readonly listeners: (() => void)[] = [];
  private readonly backoff: ExponentialBackoff;
  private readonly client: ApiClient;
  private readonly random;
  private backoffTimer = -1;
  private listCount = 0;
  private readonly count: number;
  private readonly stats: RequestStats | undefined;
  private watchReq: MutableRequest | null = null;
  /**
   * options.onAttempt, read on every watch. NOTE: a copy, for speed: callers build options by
   * spreading, which gives every options object a shape of its own (a megamorphic load).
   */
  private readonly onAttempt: ((isOk: boolean) => void) | undefined;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiEndpoint,
    private readonly options: ReflectorOptions,
  ) {
    this.random = sim.random(`${options.cluster}/reflector/${options.name}`);
    this.backoff = new ExponentialBackoff(this.random);
    this.ownsClient = options.apiClient === undefined;
    this.client =
      options.apiClient ??
      createApiClient(sim, api, { name: options.name, rate: options.client, isPerMember: true });
    this.count = options.count ?? 1;
    this.stats = options.stats ?? (api as Partial<ClusterApi>).stats;
    this.onAttempt = options.onAttempt;
  }

  get hasSynced(): boolean {
    return this.isSyncedValue;
  }
  get isWatching(): boolean {
    return this.state === State.watching && this.handle !== null && this.handle.isOpen;
  }
  get syncedThrough(): number {
    if (this.isWatching) {
      const through = (this.handle as { readonly syncedThrough?: number }).syncedThrough;
      return through ?? this.sim.now;
    }
    return this.lastRv;
  }
  get lists(): number {
    return this.listCount;
  }

  onSynced(listener: () => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    this.reset();
    this.list();
  }

  startWarm(): void {
    this.reset();
    this.isSyncedValue = true;
    this.hasRv = true;
    this.lastRv = this.sim.now;
    const attach = (this.api as Partial<ClusterApi>).attachWatch;
    if (attach === undefined) {
      this.openWatch();
      return;
    }
    // Watches established before t = 0 have a uniformly spread remaining timeout.
    const remaining = MIN_WATCH_TIMEOUT * (1 + this.random.next()) * this.random.next();
    this.state = State.watching;
    this.handleOpenedAt = this.sim.now - MIN_WATCH_TIMEOUT;
    this.handle = attach.call(this.api, this.watchRequest(), this, remaining);
    if (!this.handle.isOpen) {
      this.handle = null;
      this.openWatch();
    }
  }

  stop(): void {
    this.reset();
    this.state = State.stopped;
  }

  interrupt(): void {
    if (this.state !== State.watching || this.handle === null) return;
    const handle = this.handle;
    this.lastRv = this.syncedThrough;
    handle.close();
    this.onClosed('unreachable');
  }

  private reset(): void {
    this.epoch++;
    if (this.handle !== null) {
      this.handle.close();
      this.handle = null;
    }
    if (this.backoffTimer !== -1) this.sim.cancel(this.backoffTimer);
    this.backoffTimer = -1;
    // A client shared by a process's informers is reset by the process (its restart), not by one
    // informer: resetting it here dropped the LISTs its sibling informers had in flight.
    if (this.ownsClient) this.client.reset();
    this.backoff.reset();
    this.isSyncedValue = false;
    this.hasRv = false;
    this.lastRv = Number.NEGATIVE_INFINITY;
    this.isRvUnavailable = false;
  }

  // ----- list -----------------------------------------------------------------------------------

  private listRequest(page: 'first' | 'continue'): ServerRequest {
    const o = this.options;
    const spec = {
      verb: 'list' as const,
      resource: o.resource,
      apiGroup: o.apiGroup,
      scope: o.scope ?? 'cluster',
      identity: o.identity,
      count: this.count,
      hasFieldSelector: o.hasFieldSelector ?? false,
      hasLabelSelector: o.hasLabelSelector ?? false,
      timeout: o.client.timeout,
      namespace: o.namespace ?? '',
      expectedReturned: o.expectedReturned !== undefined ? o.expectedReturned() : 1,
    };
    if (page === 'continue') return makeRequest({ ...spec, rv: 'continue', limit: PAGE_SIZE });
    if (this.isRvUnavailable || !this.hasRv) {
      // RV="" after an expired RV, RV="0" the first time; both paginated at 500.
      return makeRequest({ ...spec, rv: this.isRvUnavailable ? 'consistent' : 'any', limit: PAGE_SIZE });
    }
    // RV=<last>, pagination off so the watch cache can serve it.
    return makeRequest({ ...spec, rv: 'any', limit: 0, notOlderThan: this.lastRv });
  }

  private list(): void {
    if (this.listCount > 0 || this.isSyncedValue) this.stats?.relisted(this.count);
    this.listCount++;
    this.state = State.listing;
    const epoch = this.epoch;
    const request = this.listRequest('first');
    this.client.call(request, (o) => this.listed(epoch, request, o, 1));
  }

  private listed(epoch: number, request: ServerRequest, o: ApiOutcome, page: number): void {
    if (epoch !== this.epoch) return;
    if (o.kind === 'gone') {
      // Expired or too large RV: list again at once with RV="" (reflector.list).
      if (!this.isRvUnavailable) {
        this.isRvUnavailable = true;
        const retry = this.listRequest('first');
        this.client.call(retry, (r) => this.listed(epoch, retry, r, 1));
        return;
      }
      this.failed(true);
      return;
    }
    if (o.kind !== 'ok') {
      this.failed(true);
      return;
    }
    // From etcd with a limit and no selector: the pager follows continue tokens.
    const limit = request.limit ?? 0;
    const hasSelector = request.hasFieldSelector === true || request.hasLabelSelector === true;
    if (o.servedFrom === 'etcd' && limit > 0 && !hasSelector) {
      const pages = Math.ceil(this.options.objects() / limit);
      if (page < pages) {
        const next = this.listRequest('continue');
        this.client.call(next, (r) => this.listed(epoch, next, r, page + 1));
        return;
      }
    }
    this.isRvUnavailable = false;
    this.hasRv = true;
    this.lastRv = this.sim.now;
    const wasSynced = this.isSyncedValue;
    this.options.onListed?.(wasSynced);
    // The listener may have stopped this informer (its process was OOM-killed by the list).
    if (epoch !== this.epoch) return;
    this.isSyncedValue = true;
    if (!wasSynced) for (const l of this.listeners) l();
    if (epoch !== this.epoch) return;
    this.onAttempt?.(true);
    if (epoch !== this.epoch) return;
    this.openWatch();
  }

  private failed(relist: boolean): void {
    this.onAttempt?.(false);
    if (this.state === State.stopped) return;
    this.state = State.waiting;
    const wait = this.backoff.next(this.sim.now);
    this.backoffTimer = this.sim.schedule(wait, relist ? onBackoffList : onBackoffWatch, this);
  }

  backoffOver(relist: boolean): void {
    this.backoffTimer = -1;
    if (this.state !== State.waiting) return;
    if (relist) this.list();
    else this.openWatch();
  }

  // ----- watch ----------------------------------------------------------------------------------

  /**
   * The reflector's watch request. NOTE: one object per reflector, updated in place for each watch
   * (only one is ever being opened at a time), so servers can cache per-object work such as APF
   * classification; allocation-light on the hot path of watch re-establishment.
   */
  private watchRequest(): ServerRequest {
    let request = this.watchReq;
    if (request === null) {
      const o = this.options;
      request = makeMutableRequest({
        verb: 'watch',
        resource: o.resource,
        apiGroup: o.apiGroup,
        scope: o.scope ?? 'cluster',
        identity: o.identity,
        count: this.count,
        hasFieldSelector: o.hasFieldSelector ?? false,
        hasLabelSelector: o.hasLabelSelector ?? false,
        namespace: o.namespace ?? '',
      });
      this.watchReq = request;
    }
    request.timeout = seconds(MIN_WATCH_TIMEOUT * (1 + this.random.next()));
    request.resumeFrom = this.lastRv;
    return request;
  }

  private openWatch(): void {
    this.state = State.watching;
    this.handle = null;
    const epoch = this.epoch;
    this.client.watch(this.watchRequest(), this, (o, handle) => this.watchOpened(epoch, o, handle));
  }

  private watchOpened(epoch: number, o: ApiOutcome, handle: WatchHandle | null): void {
    if (epoch !== this.epoch) {
      handle?.close();
      return;
    }
    if (o.kind === 'ok' && handle !== null) {
      this.handle = handle;
      this.handleOpenedAt = this.sim.now;
      this.onAttempt?.(true);
      return;
    }
    // 429 (retries exhausted) and connection refused: back off and watch again (isWatchErrorRetriable).
    if (o.kind === 'throttled' || o.kind === 'unreachable') this.failed(false);
    // "too old" (410) and other errors end ListAndWatch: back off, then relist.
    else this.failed(true);
  }

  /** WatchHandlers: the server (or the network) ended the watch. */
  onClosed(reason: 'timeout' | 'replica-restart' | 'too-old' | 'unreachable' | 'throttled'): void {
    if (this.state !== State.watching) return;
    const handle = this.handle;
    if (handle !== null) {
      const through = (handle as { readonly syncedThrough?: number }).syncedThrough;
      this.lastRv = through ?? this.sim.now;
    }
    this.handle = null;
    if (reason === 'too-old') {
      this.failed(true);
      return;
    }
    if (reason === 'throttled') {
      this.failed(false);
      return;
    }
    if (this.sim.now - this.handleOpenedAt < SHORT_WATCH) {
      // "very short watch": treated as an error, so ListAndWatch returns and relists after a back-off.
      this.failed(true);
      return;
    }
    this.openWatch();
  }
}

/** A reflector with the shape other components use (CoreDNS, agents): see informer.ts. */
export function createReflector(sim: Simulation, api: ApiEndpoint, options: ReflectorOptions): Reflector {
  return new ReflectorImpl(sim, api, options);
}

export function createInformer(
  sim: Simulation,
  api: ApiEndpoint,
  options: {
    name: string;
    identity: Identity;
    resource: string;
    apiGroup: string;
    objects: () => number;
    client: ClientRateConfig;
    log: EventLog;
    cluster: string;
  },
): Informer {
  return new ReflectorImpl(sim, api, options);
}
