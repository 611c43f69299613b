import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { packSeries, quantize, shuffle, unshuffle } from '../../src/report/encode.js';
import { inflate } from './helpers.js';

describe('report data encoding', () => {
  it('rounds values to within 0.05% and keeps nulls as NaN', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: -1e12, max: 1e12, noNaN: true }), { nil: null })),
        (values) => {
          const q = quantize(values);
          values.forEach((v, i) => {
            if (v === null) assert.ok(Number.isNaN(q[i]!));
            else if (Math.abs(v) > 1e-30)
              assert.ok(Math.abs(q[i]! - v) <= Math.abs(v) * 2 ** -10, `${v} -> ${q[i]}`);
          });
        },
      ),
    );
  });

  it('keeps whole-number series exact (7,500 Ready nodes stay 7,500)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -16_000_000, max: 16_000_000 }), { minLength: 1 }), (values) => {
        assert.deepEqual(Array.from(quantize(values)), values);
      }),
    );
    assert.equal(quantize([7500, 7499, 7501, null])[1], 7499);
  });

  it('shuffles bytes into planes and back without loss', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ noNaN: true })), (values) => {
        const f = new Float32Array(values);
        assert.deepEqual(Array.from(unshuffle(shuffle(f))), Array.from(f));
      }),
    );
  });

  it('packs series that gunzip and unshuffle back to their quantized values', () => {
    const series = [
      [1, 2, null, 4.25],
      [0.001234, 1e6 + 0.5, 3, null],
    ];
    const decoded = unshuffle(new Uint8Array(inflate(packSeries(series))));
    assert.equal(decoded.length, 8);
    assert.deepEqual(
      Array.from(decoded.slice(0, 4)).map((v) => (Number.isNaN(v) ? null : v)),
      [1, 2, null, 4.25],
    );
    assert.ok(Math.abs(decoded[4]! - 0.001234) < 0.001234 * 1e-3);
    assert.ok(Number.isNaN(decoded[7]!));
  });
});
