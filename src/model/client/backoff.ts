/**
 * The reflector's back-off: wait.NewExponentialBackoffManager(800ms, 30s, 2min, 2.0, 1.0) in
 * client-go@v0.31.0 tools/cache/reflector.go. Waits are [0.8, 1.6), [1.6, 3.2) ... [30, 60) s; after
 * two minutes without a back-off the next one starts again from 0.8 s.
 */
import type { RandomStream } from '../../engine/index.js';

export const BACKOFF_INITIAL = 0.8;
export const BACKOFF_CAP = 30;
export const BACKOFF_FACTOR = 2;
export const BACKOFF_JITTER = 1;
export const BACKOFF_RESET = 120;

export class ExponentialBackoff {
  private duration = BACKOFF_INITIAL;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(private readonly random: RandomStream) {}

  /** The next wait, in seconds. */
  next(now: number): number {
    if (now - this.lastStart > BACKOFF_RESET) this.duration = BACKOFF_INITIAL;
    this.lastStart = now;
    const wait = this.duration * (1 + BACKOFF_JITTER * this.random.next());
    this.duration = Math.min(this.duration * BACKOFF_FACTOR, BACKOFF_CAP);
    return wait;
  }

  reset(): void {
    this.duration = BACKOFF_INITIAL;
    this.lastStart = Number.NEGATIVE_INFINITY;
  }
}
