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
import type { RequestStats } from '../controlplane/request-stats.js';
import { verbClassIndex } from '../controlplane/request-stats.js';
import { TokenBucket } from './token-bucket.js';

/** rest/request.go maxRetries default. */
export const MAX_RETRIES = 10;

export type WatchOpened = (outcome: ApiOutcome, handle: WatchHandle | null) => void;

export interface ApiClient {
  readonly name: string;
  /** One logical call: rate limiting, retries on 429, the client timeout. */
  call(request: ApiRequest, done: ApiCallback): void;
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
 * and the object returns to the pool only when that continuation has run.
 */
class LogicalCall {
  attempts = 0;
  /** Set once the call waited (rate limiter, Retry-After): the outcome's latency must be redone. */
  hasWaited = false;
  start = 0;
  /** Seconds spent waiting for the rate limiter (client-side throttling), excluded from latency metrics. */
  throttled = 0;
  deadline = Number.POSITIVE_INFINITY;
  epoch = 0;
  request: ApiRequest | null = null;
  done: ApiCallback | null = null;
  watchHandlers: WatchHandlers | null = null;
  opened: WatchOpened | null = null;
  handle: WatchHandle | null = null;
  readonly onOutcome: ApiCallback;

  constructor(readonly client: Client) {
    this.onOutcome = (o) => client.outcome(this, o);
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

class Client implements ApiClient {
  private epoch = 0;
  private readonly bucket: TokenBucket;
  private readonly maxRetries: number;
  private readonly stats: RequestStats | undefined;
  private readonly isUnlimited: boolean;
  private readonly isPerMember: boolean;
  private readonly pool: LogicalCall[] = [];
  private spare: LogicalCall | null = null;

  constructor(
    private readonly sim: Simulation,
    private readonly api: ApiEndpoint,
    readonly name: string,
    options: ApiClientOptions,
  ) {
    this.bucket = new TokenBucket(options.rate.qps, options.rate.burst, sim.now);
    this.isUnlimited = options.rate.qps <= 0;
    this.isPerMember = options.isPerMember ?? false;
    this.maxRetries = options.maxRetries ?? MAX_RETRIES;
    this.stats = options.stats ?? (api as HasStats).stats;
  }

  private acquire(request: ApiRequest): LogicalCall {
    // Most clients have one call at a time: a spare field avoids touching the pool array.
    let lc = this.spare;
    if (lc !== null) this.spare = null;
    else lc = this.pool.pop() ?? new LogicalCall(this);
    const now = this.sim.now;
    lc.attempts = 0;
    lc.hasWaited = false;
    lc.throttled = 0;
    lc.start = now;
    const timeout = request.timeout;
    lc.deadline = timeout !== undefined && timeout > 0 ? now + timeout : Number.POSITIVE_INFINITY;
    lc.epoch = this.epoch;
    lc.request = request;
    lc.handle = null;
    return lc;
  }

  private releaseCall(lc: LogicalCall): void {
    lc.request = null;
    lc.done = null;
    lc.watchHandlers = null;
    lc.opened = null;
    lc.handle = null;
    if (this.spare === null) this.spare = lc;
    else if (this.pool.length < 64) this.pool.push(lc);
  }

  call(request: ApiRequest, done: ApiCallback): void {
    const lc = this.acquire(request);
    lc.done = done;
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
    this.bucket.reset(this.sim.now);
  }

  throttleThenSend(lc: LogicalCall): void {
    if (lc.epoch !== this.epoch) {
      this.releaseCall(lc);
      return;
    }
    const now = this.sim.now;
    const wait = this.isUnlimited
      ? 0
      : this.bucket.reserve(now, this.isPerMember ? 1 : (lc.request!.count ?? 1));
    if (wait <= 0) {
      this.send(lc);
      return;
    }
    lc.hasWaited = true;
    if (now + wait > lc.deadline) {
      // rate.Limiter.Wait: "would exceed context deadline".
      this.finish(lc, TIMED_OUT);
      return;
    }
    lc.throttled += wait;
    this.sim.schedule(wait, onSend, lc);
  }

  send(lc: LogicalCall): void {
    if (lc.epoch !== this.epoch) {
      this.releaseCall(lc);
      return;
    }
    if (lc.watchHandlers !== null) lc.handle = this.api.watch(lc.request!, lc.watchHandlers, lc.onOutcome);
    else this.api.submit(lc.request!, lc.onOutcome);
  }

  outcome(lc: LogicalCall, o: ApiOutcome): void {
    if (lc.epoch !== this.epoch) {
      if (o.kind === 'ok' && lc.handle !== null) lc.handle.close();
      this.releaseCall(lc);
      return;
    }
    if (o.kind === 'throttled' && lc.attempts < this.maxRetries) {
      const now = this.sim.now;
      const wait = o.retryAfter;
      lc.hasWaited = true;
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
    const opened = lc.opened;
    const handle = lc.handle;
    const isCurrent = lc.epoch === this.epoch;
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
        latency - lc.throttled,
        request.count ?? 1,
        o.kind !== 'ok',
      );
    }
    if (opened !== null) opened(total, o.kind === 'ok' ? handle : null);
    else done!(total);
  }
}

export function createApiClient(sim: Simulation, api: ApiEndpoint, options: ApiClientOptions): ApiClient {
  return new Client(sim, api, options.name, options);
}
