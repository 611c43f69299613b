/**
 * The Retry-After a priority level answers its 429s with.
 *
 * Source: apiserver@v0.31.0 pkg/util/flowcontrol/dropped_requests_tracker.go. Drops are counted per
 * whole second. Only when a drop arrives in a new second is Retry-After re-evaluated, over the drops
 * of the previous `retryAfter` seconds (the current second excluded):
 *   - at least 3*retryAfter drops, and the last increase was at least retryAfter seconds ago: double
 *     it (TCP-like), up to 32;
 *   - fewer than retryAfter drops: decrease it by one.
 * With no drops at all nothing is re-evaluated: the value stays where it was until the next drop.
 */
import { INITIAL_RETRY_AFTER, MAX_RETRY_AFTER } from './parameters.js';

export class DroppedRequestsTracker {
  private retryAfterValue = INITIAL_RETRY_AFTER;
  /** Seconds with drops, oldest first: [second, count] pairs flattened. */
  private history: number[] = [];
  private currentSecond = Number.NEGATIVE_INFINITY;
  private currentCount = 0;
  /** "We assume that we can bump at any time after first dropped request." */
  private lastIncrease = Number.NEGATIVE_INFINITY;

  get retryAfter(): number {
    return this.retryAfterValue;
  }

  /** Records `count` drops at simulated time `now` (seconds); returns the Retry-After to answer with. */
  record(now: number, count: number): number {
    const second = Math.floor(now);
    if (second === this.currentSecond) {
      this.currentCount += count;
      return this.retryAfterValue;
    }
    if (this.currentSecond !== Number.NEGATIVE_INFINITY)
      this.pushHistory(this.currentSecond, this.currentCount);
    this.currentSecond = second;
    this.currentCount = count;
    this.reevaluate(second);
    return this.retryAfterValue;
  }

  private pushHistory(second: number, count: number): void {
    const history = this.history;
    history.push(second, count);
    const keep = Math.min(2 * this.retryAfterValue, MAX_RETRY_AFTER);
    let start = 0;
    while (start < history.length && second - history[start]! > keep) start += 2;
    if (start > 0) history.splice(0, start);
  }

  private reevaluate(second: number): void {
    const retryAfter = this.retryAfterValue;
    let dropped = 0;
    const history = this.history;
    for (let i = history.length - 2; i >= 0; i -= 2) {
      const at = history[i]!;
      if (second - at > retryAfter) break;
      if (at < second) dropped += history[i + 1]!;
    }
    if (second - this.lastIncrease >= retryAfter && dropped >= 3 * retryAfter) {
      this.retryAfterValue = Math.min(retryAfter * 2, MAX_RETRY_AFTER);
      this.lastIncrease = second;
      return;
    }
    if (dropped < retryAfter && retryAfter > 1) this.retryAfterValue = retryAfter - 1;
  }
}
