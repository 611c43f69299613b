/**
 * client-go's client-side rate limiter: a token bucket of `burst` tokens refilled at `qps`
 * (flowcontrol.NewTokenBucketRateLimiter, golang.org/x/time/rate). `reserve` books a token and says
 * how long to wait for it, as rate.Limiter.Reserve does; qps <= 0 means no limit (QPS = -1).
 * NOTE: the API client inlines this arithmetic (Client.reserve in api-client.ts, for speed); a test
 * checks the two wait the same.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    now: number,
  ) {
    this.tokens = Math.max(1, burst);
    this.last = now;
  }

  /** Seconds to wait before the caller may send `n` requests (0 when tokens are available now). */
  reserve(now: number, n = 1): number {
    if (this.qps <= 0) return 0;
    const cap = Math.max(1, this.burst);
    this.tokens = Math.min(cap, this.tokens + (now - this.last) * this.qps);
    this.last = now;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : -this.tokens / this.qps;
  }

  /** Refills the bucket (a new process). */
  reset(now: number): void {
    this.tokens = Math.max(1, this.burst);
    this.last = now;
  }
}
