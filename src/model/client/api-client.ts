/**
 * A client-go REST client (client-go@v0.31.0 rest/request.go, rest/with_retry.go; k8s-mechanics §6):
 * - every attempt first takes a token from the QPS/burst bucket (retries too);
 * - 429 responses (the only ones carrying Retry-After here) are retried up to maxRetries = 10 times,
 *   waiting exactly Retry-After (the default backoff manager is NoBackoff);
 * - a 504 from the timeout filter carries no Retry-After and is not retried; connection errors are
 *   not retried either (client-go retries resets only for GETs, with an artificial Retry-After 1:
 *   left out, the caller's own loop retries);
 * - with rest.Config.Timeout set, the whole call (waits and retries included) is bounded by it and
 *   the server deadline is the same (?timeout=); the rate limiter refuses a wait past it.
 * One logical call's total latency is reported to `stats` (the client-observed p99).
 */
import type { Simulation } from '../../engine/index.js';
import type {
  ApiCallback,
  ApiEndpoint,
  ApiOutcome,
  ApiRequest,
  WatchHandle,
  WatchHandlers,
} from '../api-types.js';
import type { ClientRateConfig } from '../config.js';
import type { ClusterApi } from '../controlplane/control-plane.js';
import type { RequestStats } from '../controlplane/request-stats.js';
import type { OutcomeReceiver, ServerRequest } from '../controlplane/serving.js';
import { verbClassIndex } from '../controlplane/request-stats.js';

/** rest/request.go maxRetries default. */
export const MAX_RETRIES = 10;

export type WatchOpened = (outcome: ApiOutcome, handle: WatchHandle | null) => void;

/**
 * Gets the outcome of a logical call through a method, with the caller's tag saying which call it
 * was. NOTE: for speed, instead of a closure per caller (see OutcomeReceiver).
 */
export interface CallReceiver {
  callDone(tag: number, outcome: ApiOutcome): void;
}

export interface ApiClient {
  readonly name: string;
  /** One logical call: rate limiting, retries on 429, the client timeout. */
  call(request: ApiRequest, done: ApiCallback): void;
  /** call() answering `receiver.callDone(tag, outcome)`. */
  callTo(request: ApiRequest, receiver: CallReceiver, tag: number): void;
  /** Opens a watch the way rest.Request.Watch does (rate limited, 429s retried). */
  watch(request: ApiRequest, handlers: WatchHandlers, opened: WatchOpened): void;
  /** The process restarted: a fresh rate limiter; callbacks of calls in flight are dropped. */
  reset(): void;
}

export interface ApiClientOptions {
  readonly name: string;
  readonly rate: ClientRateConfig;
  readonly maxRetries?: number;
  /** Where logical-call latency goes; defaults to the endpoint's own stats when it has them. */
  readonly stats?: RequestStats;
  /**
   * Whether the members of a cohort request (ApiRequest.count = n) are n calls of this one process,
   * taking n tokens from its limiter (controllers; default), or n processes with a limiter each in
   * the same state (per-node clients: kubelets, kube-proxies, agents), taking one.
   */
  readonly isPerMember?: boolean;
}

interface HasStats {
  readonly stats?: RequestStats;
}

/**
 * One logical call. NOTE: pooled per client for speed (clients make millions of calls); safe because
 * exactly one continuation (a timer or the server's single callback) is pending per call at a time,
 * and the object returns to the pool only when that continuation has run. The client itself is its
 * first one (Client extends LogicalCall).
 */
class LogicalCall implements OutcomeReceiver {
  readonly client: Client;
  request: ApiRequest | null = null;
  receiver: CallReceiver | null = null;
  tag = 0;
  /** The client's epoch when the call began. */
  callEpoch = 0;
  attempts = 0;
  /** Set once the call waited (rate limiter, Retry-After): the outcome's latency must be redone. */
  hasWaited = false;
  done: ApiCallback | null = null;
  opened: WatchOpened | null = null;
  handle: WatchHandle | null = null;
  watchHandlers: WatchHandlers | null = null;
  start = 0;
  deadline = Number.POSITIVE_INFINITY;
  /**
   * Seconds spent waiting for the rate limiter (client-side throttling), excluded from latency
   * metrics. Only meaningful once hasWaited is set (it is zeroed then, not per call: a write fewer).
   */
  throttled = 0;
  readonly onOutcome: ApiCallback;

  /** `client` null: this is the client itself. */
  constructor(client: Client | null) {
    this.client = client ?? (this as unknown as Client);
    this.onOutcome = (o) => this.client.outcome(this, o);
  }

  receiveOutcome(outcome: ApiOutcome): void {
    this.client.outcome(this, outcome);
  }
}

function onSend(lc: LogicalCall): void {
  lc.client.send(lc);
}
function onRetry(lc: LogicalCall): void {
  lc.client.throttleThenSend(lc);
}

const TIMED_OUT: ApiOutcome = { kind: 'timeout', status: 504, latency: 0 as ApiOutcome['latency'] };

function onDeadline(lc: LogicalCall): void {
  lc.client.finish(lc, TIMED_OUT);
}

/**
 * NOTE: for speed, a client is its own first call slot and holds its rate limiter's state inline
 * (TokenBucket's arithmetic): a call to a cold client (5,000 nodes' kubelets) then loads one object
 * where it loaded three.
 */
class Client extends LogicalCall implements ApiClient {
  // Fields in the order a call reads them (cache lines of a cold client).
  /** The client's own call slot is in use. */
  private isSelfBusy = false;
  private epoch = 0;
  private readonly isUnlimited: boolean;
  /** The endpoint when it answers through receivers (the cluster's load balancer), else null. */
  private readonly receiverApi: ClusterApi | null;
  private readonly sim: Simulation;
  private readonly stats: RequestStats | undefined;
  private readonly isPerMember: boolean;
  private spare: LogicalCall | null = null;
  /** Token bucket (see TokenBucket): tokens now, when last refilled, and its settings. */
  private tokens: number;
  private lastRefill: number;
  private readonly qps: number;
  private readonly burst: number;
  private readonly maxRetries: number;
  private readonly pool: LogicalCall[] = [];
  private readonly api: ApiEndpoint;
  readonly name: string;

  constructor(sim: Simulation, api: ApiEndpoint, name: string, options: ApiClientOptions) {
    super(null);
    this.sim = sim;
    this.api = api;
    this.name = name;
    this.qps = options.rate.qps;
    this.burst = options.rate.burst;
    this.tokens = Math.max(1, this.burst);
    this.lastRefill = sim.now;
    this.isUnlimited = options.rate.qps <= 0;
    this.isPerMember = options.isPerMember ?? false;
    this.maxRetries = options.maxRetries ?? MAX_RETRIES;
    this.stats = options.stats ?? (api as HasStats).stats;
    this.receiverApi =
      typeof (api as Partial<ClusterApi>).submitTo === 'function' ? (api as ClusterApi) : null;
  }

  /** TokenBucket.reserve: seconds to wait before sending `n` requests. */
  private reserve(now: number, n: number): number {
    if (this.qps <= 0) return 0;
    const cap = Math.max(1, this.burst);
    this.tokens = Math.min(cap, this.tokens + (now - this.lastRefill) * this.qps);
    this.lastRefill = now;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : -this.tokens / this.qps;
  }

  private acquire(request: ApiRequest): LogicalCall {
    // Most clients have one call at a time: their own slot, then a spare, then the pool.
    let lc: LogicalCall;
    if (!this.isSelfBusy) {
      this.isSelfBusy = true;
      lc = this;
    } else if (this.spare !== null) {
      lc = this.spare;
      this.spare = null;
    } else lc = this.pool.pop() ?? new LogicalCall(this);
    const now = this.sim.now;
    lc.attempts = 0;
    lc.hasWaited = false;
    lc.start = now;
    const timeout = request.timeout;
    lc.deadline = timeout !== undefined && timeout > 0 ? now + timeout : Number.POSITIVE_INFINITY;
    lc.callEpoch = this.epoch;
    lc.request = request;
    lc.handle = null;
    return lc;
  }

  private releaseCall(lc: LogicalCall): void {
    lc.request = null;
    lc.done = null;
    lc.receiver = null;
    lc.watchHandlers = null;
    lc.opened = null;
    lc.handle = null;
    if (lc === this) this.isSelfBusy = false;
    else if (this.spare === null) this.spare = lc;
    else if (this.pool.length < 64) this.pool.push(lc);
  }

  call(request: ApiRequest, done: ApiCallback): void {
    const lc = this.acquire(request);
    lc.done = done;
    this.throttleThenSend(lc);
  }

  callTo(request: ApiRequest, receiver: CallReceiver, tag: number): void {
    const lc = this.acquire(request);
    lc.receiver = receiver;
    lc.tag = tag;
    this.throttleThenSend(lc);
  }

  watch(request: ApiRequest, handlers: WatchHandlers, opened: WatchOpened): void {
    const lc = this.acquire(request);
    lc.watchHandlers = handlers;
    lc.opened = opened;
    this.throttleThenSend(lc);
  }

  reset(): void {
    this.epoch++;
    // TokenBucket.reset: a new process starts with a full bucket.
    this.tokens = Math.max(1, this.burst);
    this.lastRefill = this.sim.now;
  }

  throttleThenSend(lc: LogicalCall): void {
    if (lc.callEpoch !== this.epoch) {
      this.releaseCall(lc);
      return;
    }
    const now = this.sim.now;
    const wait = this.isUnlimited ? 0 : this.reserve(now, this.isPerMember ? 1 : (lc.request!.count ?? 1));
    if (wait <= 0) {
      this.send(lc);
      return;
    }
    if (!lc.hasWaited) {
      lc.hasWaited = true;
      lc.throttled = 0;
    }
    if (now + wait > lc.deadline) {
      // rate.Limiter.Wait: "would exceed context deadline".
      this.finish(lc, TIMED_OUT);
      return;
    }
    lc.throttled += wait;
    this.sim.schedule(wait, onSend, lc);
  }

  send(lc: LogicalCall): void {
    if (lc.callEpoch !== this.epoch) {
      this.releaseCall(lc);
      return;
    }
    const fast = this.receiverApi;
    if (fast !== null) {
      const request = lc.request as ServerRequest;
      if (lc.watchHandlers !== null) lc.handle = fast.watchTo(request, lc.watchHandlers, lc);
      else fast.submitTo(request, lc);
      return;
    }
    if (lc.watchHandlers !== null) lc.handle = this.api.watch(lc.request!, lc.watchHandlers, lc.onOutcome);
    else this.api.submit(lc.request!, lc.onOutcome);
  }

  outcome(lc: LogicalCall, o: ApiOutcome): void {
    if (lc.callEpoch !== this.epoch) {
      if (o.kind === 'ok' && lc.handle !== null) lc.handle.close();
      this.releaseCall(lc);
      return;
    }
    if (o.kind === 'throttled' && lc.attempts < this.maxRetries) {
      const now = this.sim.now;
      const wait = o.retryAfter;
      if (!lc.hasWaited) {
        lc.hasWaited = true;
        lc.throttled = 0;
      }
      if (now + wait >= lc.deadline) {
        this.sim.schedule(Math.max(0, lc.deadline - now), onDeadline, lc);
        return;
      }
      lc.attempts++;
      this.sim.schedule(wait, onRetry, lc);
      return;
    }
    this.finish(lc, o);
  }

  finish(lc: LogicalCall, o: ApiOutcome): void {
    const request = lc.request!;
    const done = lc.done;
    const receiver = lc.receiver;
    const tag = lc.tag;
    const opened = lc.opened;
    const handle = lc.handle;
    const isCurrent = lc.callEpoch === this.epoch;
    const latency = this.sim.now - lc.start;
    // A single attempt sent at once already carries the call's latency: no copy needed.
    const total = lc.hasWaited ? ({ ...o, latency: latency as ApiOutcome['latency'] } as ApiOutcome) : o;
    this.releaseCall(lc);
    if (!isCurrent) return;
    // Like rest_client_request_duration_seconds, the metric leaves out client-side throttling
    // (rest_client_rate_limiter_duration_seconds); the caller's outcome includes it.
    if (this.stats !== undefined) {
      this.stats.observeClient(
        verbClassIndex(request.verb),
        lc.hasWaited ? latency - lc.throttled : latency,
        request.count ?? 1,
        o.kind !== 'ok',
      );
    }
    if (opened !== null) opened(total, o.kind === 'ok' ? handle : null);
    else if (receiver !== null) receiver.callDone(tag, total);
    else done!(total);
  }
}

export function createApiClient(sim: Simulation, api: ApiEndpoint, options: ApiClientOptions): ApiClient {
  return new Client(sim, api, options.name, options);
}
