/**
 * Latency histograms with log-spaced buckets (ratio 1.1 from 100 µs to 3 h: p99 within ~5%), read
 * per sampling window (10 s) for series and per sliding 5-minute window for SLO summaries.
 *
 * NOTE: the 5-minute window slides by whole minutes and is kept as a running sum (add the newest
 * minute, subtract the oldest), so a roll costs one pass over the buckets, not a merge of 30 windows.
 */
const MIN = 1e-4;
const RATIO = 1.1;
const LOG_RATIO = Math.log(RATIO);
export const BUCKETS = Math.ceil(Math.log(1e4 / MIN) / LOG_RATIO) + 1;

function bucketOf(seconds: number): number {
  if (!(seconds > MIN)) return 0;
  const b = Math.ceil(Math.log(seconds / MIN) / LOG_RATIO);
  return b >= BUCKETS ? BUCKETS - 1 : b;
}

/** Upper bound of bucket b: MIN * RATIO^b. */
function upper(b: number): number {
  return MIN * RATIO ** b;
}

/** Quantile with linear interpolation inside the bucket (Prometheus histogram_quantile style). */
export function quantile(counts: Float64Array, q: number): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c > 0 && cumulative + c >= rank) {
      const lo = i === 0 ? 0 : upper(i - 1);
      const hi = upper(i);
      return lo + (hi - lo) * ((rank - cumulative) / c);
    }
    cumulative += c;
  }
  return upper(counts.length - 1);
}

export class LatencyStats {
  private window = new Float64Array(BUCKETS);
  private minute = new Float64Array(BUCKETS);
  /** Last five whole minutes, as a ring, plus their running sum. */
  private minutes: Float64Array[] = [];
  private running = new Float64Array(BUCKETS);
  private windowsInMinute = 0;
  private lastP99 = Number.NaN;
  private worst = 0;
  private lastFiveMinuteP99 = Number.NaN;
  private windowCount = 0;
  private totalCount = 0;

  constructor(
    /** Sampling windows per minute (6 for 10 s windows). */
    private readonly windowsPerMinute: number,
  ) {
    for (let i = 0; i < 5; i++) this.minutes.push(new Float64Array(BUCKETS));
  }

  observe(seconds: number, weight: number): void {
    this.window[bucketOf(seconds)]! += weight;
    this.windowCount += weight;
  }

  /** Closes the current sampling window; returns its p99 (NaN when empty). */
  roll(): number {
    this.lastP99 = this.windowCount > 0 ? quantile(this.window, 0.99) : Number.NaN;
    const w = this.window;
    const m = this.minute;
    if (this.windowCount > 0) for (let i = 0; i < BUCKETS; i++) m[i]! += w[i]!;
    this.totalCount += this.windowCount;
    w.fill(0);
    this.windowCount = 0;
    if (++this.windowsInMinute >= this.windowsPerMinute) this.rollMinute();
    return this.lastP99;
  }

  private rollMinute(): void {
    this.windowsInMinute = 0;
    const oldest = this.minutes.shift()!;
    const running = this.running;
    const m = this.minute;
    for (let i = 0; i < BUCKETS; i++) running[i] = running[i]! - oldest[i]! + m[i]!;
    oldest.set(m);
    this.minutes.push(oldest);
    m.fill(0);
    const p = quantile(running, 0.99);
    this.lastFiveMinuteP99 = p;
    if (p > this.worst) this.worst = p;
  }

  /** p99 of the last closed sampling window. */
  get p99(): number {
    return this.lastP99;
  }
  /** p99 over the last five whole minutes. */
  get fiveMinuteP99(): number {
    return this.lastFiveMinuteP99;
  }
  /** Worst p99 over any five-minute window ending on a whole minute so far (0 when nothing observed). */
  get worstFiveMinuteP99(): number {
    return this.worst;
  }
  get observations(): number {
    return this.totalCount + this.windowCount;
  }
}
