/**
 * Borrowing between priority levels: seat-demand statistics per adjustment period, their smoothing,
 * and the fair allocation of the nominal seat sum.
 *
 * Source: apiserver@v0.31.0 pkg/util/flowcontrol/apf_controller.go (seatDemandStats.update,
 * updateBorrowingLocked), flow_control_conc_alloc.go (computeConcurrencyAllocation: the unique
 * allocation summing to the budget where each level gets fairProp*target clamped to its bounds) and
 * fairqueuing/integrator.go (time-weighted moments of seat demand).
 */
import { SEAT_DEMAND_SMOOTHING } from './parameters.js';

/** Time-weighted average, deviation and high watermark of a piecewise-constant value. */
export class DemandIntegrator {
  private value = 0;
  private lastTime: number;
  private elapsed = 0;
  private sum = 0;
  private sumSquares = 0;
  private max = 0;

  constructor(now: number) {
    this.lastTime = now;
  }

  set(now: number, value: number): void {
    const dt = now - this.lastTime;
    if (dt > 0) {
      this.elapsed += dt;
      this.sum += this.value * dt;
      this.sumSquares += this.value * this.value * dt;
      this.lastTime = now;
    }
    this.value = value;
    if (value > this.max) this.max = value;
  }

  /** Results since the last reset, then starts a new period at the current value. */
  reset(now: number): {
    readonly duration: number;
    readonly average: number;
    readonly deviation: number;
    readonly max: number;
  } {
    this.set(now, this.value);
    const duration = this.elapsed;
    const average = duration > 0 ? this.sum / duration : Number.NaN;
    const variance = duration > 0 ? this.sumSquares / duration - average * average : Number.NaN;
    const result = { duration, average, deviation: Math.sqrt(Math.max(0, variance)), max: this.max };
    this.elapsed = 0;
    this.sum = 0;
    this.sumSquares = 0;
    this.max = this.value;
    return result;
  }
}

export class SeatDemandStats {
  average = 0;
  deviation = 0;
  highWatermark = 0;
  smoothed = 0;

  update(obs: {
    readonly duration: number;
    readonly average: number;
    readonly deviation: number;
    readonly max: number;
  }): void {
    this.highWatermark = obs.max;
    if (obs.duration <= 0) return;
    const deviation = Number.isNaN(obs.deviation) ? 0 : obs.deviation;
    this.average = obs.average;
    this.deviation = deviation;
    const envelope = obs.average + deviation;
    this.smoothed = Math.max(
      envelope,
      SEAT_DEMAND_SMOOTHING * this.smoothed + (1 - SEAT_DEMAND_SMOOTHING) * envelope,
    );
  }
}

export interface AllocationItem {
  readonly target: number;
  readonly lowerBound: number;
  readonly upperBound: number;
}

/** flow_control_conc_alloc.go MinTarget: targets below this are raised to it to avoid division by zero. */
const MIN_TARGET = 0.001;
const EPSILON = 1e-7;

/** Sum over the items of clamp(p * target, lower, upper), in item order. */
function clampedSum(p: number, items: readonly AllocationItem[], targets: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    sum += Math.max(item.lowerBound, Math.min(item.upperBound, p * targets[k]!));
  }
  return sum;
}

/** computeAllocation's working space, reused across calls (grown as needed). */
let scratchTargets = new Float64Array(32);
let scratchBreakpoints = new Float64Array(64);

/**
 * The allocations, summing to `requiredSum`, where each item gets clamp(fairProp * target, lower,
 * upper) for the one fairProp that makes the sum come out. Returns null when the bounds make that
 * impossible (k8s then keeps the current limits).
 */
export function computeAllocation(requiredSum: number, items: readonly AllocationItem[]): number[] | null {
  let lowSum = 0;
  let highSum = 0;
  for (const item of items) {
    if (item.lowerBound < 0 || item.upperBound < item.lowerBound || item.target < item.lowerBound)
      return null;
    lowSum += item.lowerBound;
    highSum += item.upperBound;
  }
  if (lowSum - requiredSum > EPSILON || requiredSum - highSum > EPSILON) return null;
  if (requiredSum === 0) return items.map(() => 0);
  if (lowSum - requiredSum > -EPSILON) return items.map((i) => i.lowerBound);
  if (requiredSum - highSum > -EPSILON) return items.map((i) => i.upperBound);

  // NOTE: typed scratch arrays and a numeric sort instead of per-call arrays and a comparator: this
  // runs for every replica every 10 s. The arithmetic and its order are the same.
  const n = items.length;
  if (scratchTargets.length < n) {
    scratchTargets = new Float64Array(2 * n);
    scratchBreakpoints = new Float64Array(4 * n);
  }
  const targets = scratchTargets;
  const breakpoints = scratchBreakpoints.subarray(0, 2 * n);
  for (let k = 0; k < n; k++) {
    const item = items[k]!;
    const target = Math.max(item.target, MIN_TARGET);
    targets[k] = target;
    breakpoints[2 * k] = item.lowerBound / target;
    breakpoints[2 * k + 1] = item.upperBound / target;
  }
  // f(p) = sum of clamp(p * target) is continuous, non-decreasing and linear between the points where
  // some item hits a bound; find the segment where it crosses requiredSum and interpolate.
  breakpoints.sort();
  let low = 0;
  let lowTotal = clampedSum(0, items, targets);
  let fairProp = breakpoints[breakpoints.length - 1]!;
  for (let b = 0; b < breakpoints.length; b++) {
    const point = breakpoints[b]!;
    const pointTotal = clampedSum(point, items, targets);
    if (pointTotal >= requiredSum) {
      fairProp =
        pointTotal === lowTotal
          ? point
          : low + ((requiredSum - lowTotal) * (point - low)) / (pointTotal - lowTotal);
      break;
    }
    low = point;
    lowTotal = pointTotal;
  }
  const out = new Array<number>(n);
  for (let k = 0; k < n; k++) {
    const item = items[k]!;
    out[k] = Math.max(item.lowerBound, Math.min(item.upperBound, fairProp * targets[k]!));
  }
  return out;
}
