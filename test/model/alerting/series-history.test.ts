import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SeriesHistory } from '../../../src/model/alerting/series-history.js';

/**
 * Reference: Prometheus 3 `extrapolatedRate` (promql/functions.go) over a plain array of samples,
 * written straight from the source for comparison with the ring buffer's O(1) version.
 */
function referenceDelta(samples: readonly { t: number; v: number }[], t: number, w: number, isRate: boolean) {
  const inRange = samples.filter((s) => s.t > t - w && s.t <= t && Number.isFinite(s.v));
  if (inRange.length < 2) return undefined;
  const first = inRange[0]!;
  const last = inRange.at(-1)!;
  let result = last.v - first.v;
  for (let i = 1; i < inRange.length; i++) if (inRange[i]!.v < inRange[i - 1]!.v) result += inRange[i - 1]!.v;
  let toStart = first.t - (t - w);
  let toEnd = t - last.t;
  const sampled = last.t - first.t;
  const gap = sampled / (inRange.length - 1);
  const threshold = gap * 1.1;
  if (toStart >= threshold) toStart = gap / 2;
  if (result > 0 && first.v >= 0) {
    const toZero = sampled * (first.v / result);
    if (toZero < toStart) toStart = toZero;
  }
  if (toEnd >= threshold) toEnd = gap / 2;
  let factor = (sampled + toStart + toEnd) / sampled;
  if (isRate) factor /= w;
  return result * factor;
}

const close = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined ? a === b : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

describe('series history', () => {
  it('rate and increase match the reference extrapolatedRate for any counter with resets, absences and uneven spacing', () => {
    const step = fc.oneof(
      { weight: 6, arbitrary: fc.double({ min: 0, max: 1000, noNaN: true }) }, // growth
      { weight: 1, arbitrary: fc.constant(-1) }, // reset to a small value
      { weight: 1, arbitrary: fc.constant(Number.NaN) }, // series absent at this evaluation
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(step, fc.constantFrom(1, 1, 1, 2, 5)), { minLength: 1, maxLength: 200 }),
        fc.integer({ min: 2, max: 40 }),
        fc.constantFrom(15, 30, 60),
        fc.boolean(),
        (steps, windowSamples, interval, isRate) => {
          const w = windowSamples * interval;
          const history = new SeriesHistory({ maxSamples: windowSamples + 2, history: { kind: 'run-only' } });
          const all: { t: number; v: number }[] = [];
          let counter = 0;
          let t = 0;
          steps.forEach(([d, gaps]) => {
            // Mostly evenly spaced, sometimes an evaluation or a few are missed.
            t += gaps * interval;
            if (Number.isNaN(d)) {
              history.push(t, undefined);
              all.push({ t, v: Number.NaN });
            } else {
              counter = d < 0 ? 3 : counter + d;
              history.push(t, counter);
              all.push({ t, v: counter });
            }
            const got = history.delta(t, w, isRate);
            const want = referenceDelta(all, t, w, isRate);
            if (!close(got, want)) throw new Error(`t=${t} w=${w}: got ${got}, reference ${want}`);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps memory bounded by the longest window while the run goes on', () => {
    const history = new SeriesHistory({ maxSamples: 12, history: { kind: 'run-only' } });
    for (let k = 0; k < 10_000; k++) history.push(k * 30, 10 * k * 30);
    assert.equal(history.retained, 12);
    assert.ok(Math.abs(history.delta(9_999 * 30, 300, true)! - 10) < 1e-9);
  });

  it('over-time functions ignore absent samples and see only the left-open window', () => {
    const history = new SeriesHistory({ maxSamples: 10, history: { kind: 'run-only' } });
    const values = [5, Number.NaN, 1, 3];
    values.forEach((v, k) => {
      history.push(k * 10, Number.isNaN(v) ? undefined : v);
    });
    assert.equal(history.overTime(30, 30, 'avg'), 2); // (0, 30]: NaN, 1, 3
    assert.equal(history.overTime(30, 40, 'max'), 5); // (-10, 30]: 5, NaN, 1, 3
    assert.equal(history.overTime(30, 40, 'min'), 1);
    assert.equal(history.overTime(30, 5, 'avg'), 3);
    assert.equal(history.latest(), 3);
  });
});
