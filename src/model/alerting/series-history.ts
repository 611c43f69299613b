/**
 * The samples one alert engine keeps for one series of one cluster, and the PromQL range functions
 * over them. A ring buffer that grows on demand up to the longest window a rule needs, so memory
 * follows the simulated time actually run (a 3-day burn-rate window costs nothing in a 6-hour run).
 */
import type { HistoryMode } from './types.js';

/** Tolerance for comparing sample times (seconds; times are sums of the evaluation interval). */
const TIME_EPSILON = 1e-9;
const INITIAL_CAPACITY = 16;

export interface SeriesHistoryOptions {
  /** Samples to keep at most: the longest window over the evaluation interval, plus slack. */
  readonly maxSamples: number;
  readonly history: HistoryMode;
}

export class SeriesHistory {
  private times: Float64Array;
  private values: Float64Array;
  /** Reset-corrected cumulative increase up to each sample (a counter reset adds the new value). */
  private adjusted: Float64Array;
  /** Number of finite samples up to and including each sample. */
  private finite: Float64Array;
  private capacity: number;
  private readonly maxCapacity: number;
  private count = 0;
  private adjustedTotal = 0;
  private finiteTotal = 0;
  private lastFiniteValue = Number.NaN;
  private firstFiniteTime = Number.NaN;
  private readonly history: HistoryMode;
  private baselineStartTime = Number.NaN;
  private baselineStartAdjusted = 0;
  private baselineFrozenRate = Number.NaN;

  constructor(options: SeriesHistoryOptions) {
    this.maxCapacity = Math.max(2, Math.ceil(options.maxSamples));
    this.capacity = Math.min(INITIAL_CAPACITY, this.maxCapacity);
    this.times = new Float64Array(this.capacity);
    this.values = new Float64Array(this.capacity);
    this.adjusted = new Float64Array(this.capacity);
    this.finite = new Float64Array(this.capacity);
    this.history = options.history;
  }

  /** True once any sample had a value. */
  get hasData(): boolean {
    return !Number.isNaN(this.firstFiniteTime);
  }

  /** Samples currently retained. */
  get retained(): number {
    return Math.min(this.count, this.capacity);
  }

  /** Appends the sample read at time `t` (non-decreasing); `undefined` = series absent. */
  push(t: number, value: number | undefined): void {
    if (this.count === this.capacity && this.capacity < this.maxCapacity) this.grow();
    const v = value === undefined ? Number.NaN : value;
    if (Number.isFinite(v)) {
      const prev = this.lastFiniteValue;
      if (Number.isNaN(prev)) this.firstFiniteTime = t;
      else this.adjustedTotal += v >= prev ? v - prev : v;
      this.lastFiniteValue = v;
      this.finiteTotal++;
      this.trackBaseline(t);
    }
    const slot = this.count % this.capacity;
    this.times[slot] = t;
    this.values[slot] = v;
    this.adjusted[slot] = this.adjustedTotal;
    this.finite[slot] = this.finiteTotal;
    this.count++;
  }

  /** The latest sample, or undefined when absent. */
  latest(): number | undefined {
    if (this.count === 0) return undefined;
    const v = this.values[(this.count - 1) % this.capacity]!;
    return Number.isFinite(v) ? v : undefined;
  }

  /**
   * PromQL `increase` (isRate false) or `rate` (isRate true) over the left-open range (t - w, t],
   * with Prometheus 3's extrapolation (promql/functions.go extrapolatedRate): the sampled increase is
   * extended to the range edges when the first/last sample lies within 1.1 average gaps of them,
   * else by half a gap, never below the counter's zero point. Undefined with fewer than 2 samples.
   */
  delta(t: number, w: number, isRate: boolean): number | undefined {
    if (!this.findFiniteRange(t - w, t)) return undefined;
    const first = this.rangeFirst;
    const last = this.rangeLast;
    const samples = this.rangeSamples;
    const firstT = this.timeAt(first);
    const lastT = this.timeAt(last);
    const increase = this.adjustedAt(last) - this.adjustedAt(first);
    const sampled = lastT - firstT;
    const gap = sampled / (samples - 1);
    const threshold = gap * 1.1;
    let toEnd = t - lastT;
    if (toEnd >= threshold) toEnd = gap / 2;
    let toStart = firstT - (t - w);
    if (this.history.kind === 'steady' && toStart >= threshold && firstT === this.firstFiniteTime) {
      // 'steady': the part of the window before the run grew at the baseline rate.
      const baselineRate = this.baselineRate();
      if (baselineRate !== undefined) {
        const value = increase * ((sampled + toEnd) / sampled) + baselineRate * toStart;
        return isRate ? value / w : value;
      }
    }
    if (toStart >= threshold) toStart = gap / 2;
    const firstValue = this.values[first % this.capacity]!;
    if (increase > 0 && firstValue >= 0) {
      const toZero = sampled * (firstValue / increase);
      if (toZero < toStart) toStart = toZero;
    }
    let factor = (sampled + toStart + toEnd) / sampled;
    if (isRate) factor /= w;
    return increase * factor;
  }

  /** avg/max/min of the finite samples in (t - w, t] (PromQL *_over_time); undefined when none. */
  overTime(t: number, w: number, fn: 'avg' | 'max' | 'min'): number | undefined {
    const lo = this.firstIndexAfter(t - w);
    const hi = this.lastIndexAtOrBefore(t);
    if (lo === undefined || hi === undefined || lo > hi) return undefined;
    let n = 0;
    let acc = fn === 'avg' ? 0 : fn === 'max' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    for (let i = lo; i <= hi; i++) {
      const v = this.values[i % this.capacity]!;
      if (!Number.isFinite(v)) continue;
      n++;
      if (fn === 'avg') acc += v;
      else if (fn === 'max') acc = Math.max(acc, v);
      else acc = Math.min(acc, v);
    }
    if (n === 0) return undefined;
    return fn === 'avg' ? acc / n : acc;
  }

  private trackBaseline(t: number): void {
    if (this.history.kind !== 'steady') return;
    if (Number.isNaN(this.baselineStartTime) && t >= this.history.baselineFrom - TIME_EPSILON) {
      this.baselineStartTime = t;
      this.baselineStartAdjusted = this.adjustedTotal;
    }
    if (
      Number.isNaN(this.baselineFrozenRate) &&
      !Number.isNaN(this.baselineStartTime) &&
      t >= this.history.baselineTo - TIME_EPSILON &&
      t > this.baselineStartTime
    ) {
      this.baselineFrozenRate =
        (this.adjustedTotal - this.baselineStartAdjusted) / (t - this.baselineStartTime);
    }
  }

  /** The counter's per-second rate in the baseline window (so far, until the window is complete). */
  private baselineRate(): number | undefined {
    if (!Number.isNaN(this.baselineFrozenRate)) return this.baselineFrozenRate;
    if (Number.isNaN(this.baselineStartTime) || this.count === 0) return undefined;
    const lastT = this.timeAt(this.count - 1);
    if (!(lastT > this.baselineStartTime)) return undefined;
    return (this.adjustedTotal - this.baselineStartAdjusted) / (lastT - this.baselineStartTime);
  }

  // NOTE: the range search writes its answer into fields instead of returning an object, to keep
  // the evaluation loop (tens of millions of calls in a fleet run) free of allocations.
  private rangeFirst = 0;
  private rangeLast = 0;
  private rangeSamples = 0;

  /** Finds the first and last finite samples in (start, end]; false when there are fewer than two. */
  private findFiniteRange(start: number, end: number): boolean {
    let lo = this.firstIndexAfter(start);
    let hi = this.lastIndexAtOrBefore(end);
    if (lo === undefined || hi === undefined || lo > hi) return false;
    while (lo <= hi && !Number.isFinite(this.values[lo % this.capacity]!)) lo++;
    while (hi >= lo && !Number.isFinite(this.values[hi % this.capacity]!)) hi--;
    if (hi <= lo) return false;
    this.rangeFirst = lo;
    this.rangeLast = hi;
    this.rangeSamples = this.finite[hi % this.capacity]! - this.finite[lo % this.capacity]! + 1;
    return true;
  }

  private oldestIndex(): number {
    return this.count - this.retained;
  }

  private timeAt(index: number): number {
    return this.times[index % this.capacity]!;
  }

  private adjustedAt(index: number): number {
    return this.adjusted[index % this.capacity]!;
  }

  /**
   * Smallest retained index whose time is > start. Samples are usually evenly spaced, so the index
   * is first guessed from the mean spacing and corrected by a short walk; a binary search takes
   * over when spacing is irregular.
   */
  private firstIndexAfter(start: number): number | undefined {
    const oldest = this.oldestIndex();
    const newest = this.count - 1;
    if (newest < oldest || !(this.timeAt(newest) - start > TIME_EPSILON)) return undefined;
    if (this.timeAt(oldest) - start > TIME_EPSILON) return oldest;
    // From here time(oldest) <= start < time(newest), so the answer is in (oldest, newest].
    const span = this.timeAt(newest) - this.timeAt(oldest);
    const guess = oldest + Math.floor(((start - this.timeAt(oldest)) / span) * (newest - oldest));
    let i = Math.min(Math.max(guess, oldest), newest - 1);
    for (let steps = 0; steps < 4; steps++) {
      if (this.timeAt(i) - start > TIME_EPSILON) {
        if (!(this.timeAt(i - 1) - start > TIME_EPSILON)) return i;
        i--;
      } else {
        if (this.timeAt(i + 1) - start > TIME_EPSILON) return i + 1;
        i++;
      }
    }
    let lo = oldest;
    let hi = newest;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) - start > TIME_EPSILON) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** Largest retained index whose time is <= end (the newest one when evaluating "now"). */
  private lastIndexAtOrBefore(end: number): number | undefined {
    const oldest = this.oldestIndex();
    const newest = this.count - 1;
    if (newest < oldest) return undefined;
    if (!(this.timeAt(newest) - end > TIME_EPSILON)) return newest;
    if (this.timeAt(oldest) - end > TIME_EPSILON) return undefined;
    // From here time(oldest) <= end < time(newest).
    let lo = oldest;
    let hi = newest;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (this.timeAt(mid) - end > TIME_EPSILON) hi = mid;
      else lo = mid;
    }
    return lo;
  }

  private grow(): void {
    const next = Math.min(this.capacity * 2, this.maxCapacity);
    const times = new Float64Array(next);
    const values = new Float64Array(next);
    const adjusted = new Float64Array(next);
    const finite = new Float64Array(next);
    for (let i = this.oldestIndex(); i < this.count; i++) {
      const from = i % this.capacity;
      const to = i % next;
      times[to] = this.times[from]!;
      values[to] = this.values[from]!;
      adjusted[to] = this.adjusted[from]!;
      finite[to] = this.finite[from]!;
    }
    this.times = times;
    this.values = values;
    this.adjusted = adjusted;
    this.finite = finite;
    this.capacity = next;
  }
}
