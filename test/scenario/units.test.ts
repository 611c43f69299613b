import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  DURATION_PATTERN,
  formatDuration,
  formatQuantity,
  parseDuration,
  parseFraction,
  parseQuantity,
  QUANTITY_PATTERN,
} from '../../src/scenario/units.js';

const ok = (r: ReturnType<typeof parseDuration>): number => {
  assert.ok(r.ok, r.ok ? '' : r.message);
  return r.value;
};

describe('durations', () => {
  test('parse the way Go (and so every Kubernetes flag) reads them', () => {
    assert.equal(ok(parseDuration('90s')), 90);
    assert.equal(ok(parseDuration('6h')), 21_600);
    assert.equal(ok(parseDuration('1h30m')), 5400);
    assert.equal(ok(parseDuration('500ms')), 0.5);
    assert.equal(ok(parseDuration('1.5h')), 5400);
    assert.equal(ok(parseDuration('1m0s')), 60);
    assert.equal(ok(parseDuration('2h45m30.5s')), 9930.5);
    assert.equal(ok(parseDuration('250us')), 0.00025);
    assert.equal(ok(parseDuration('0')), 0);
    assert.equal(ok(parseDuration(0)), 0);
  });

  test('reject numbers without units, days, spaces and garbage with a reason', () => {
    for (const bad of ['30', 30, '1d', '1 h', 'h', '', '1hh', '1.2.3s', '--1s', 'fast', null, {}, true]) {
      const r = parseDuration(bad);
      assert.equal(r.ok, false, `${JSON.stringify(bad)} should be rejected`);
      if (!r.ok) assert.ok(r.message.length > 0);
    }
    const days = parseDuration('2d');
    assert.ok(!days.ok && days.hint?.includes('48h'));
  });

  test('format then parse gives back any whole number of milliseconds up to a week', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 7 * 24 * 3600 * 1000 }), (ms) => {
        const seconds = ms / 1000;
        assert.equal(ok(parseDuration(formatDuration(seconds))), seconds);
      }),
      { numRuns: 2000 },
    );
  });

  test('a sum of units parses to the sum of its parts', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.nat(59), fc.nat(59), fc.nat(999), (h, m, s, ms) => {
        const text = `${h}h${m}m${s}s${ms}ms`;
        assert.equal(ok(parseDuration(text)), h * 3600 + m * 60 + s + ms / 1000);
      }),
    );
  });

  test('arbitrary text never throws, and is accepted only if it has the Go shape', () => {
    const shape = new RegExp(DURATION_PATTERN);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9.hmsun-]{1,8}$/)), (text) => {
        const r = parseDuration(text);
        if (r.ok) assert.ok(shape.test(text.trim()), `accepted "${text}"`);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('quantities', () => {
  test('parse with resource.Quantity semantics', () => {
    const q = (s: string | number) => {
      const r = parseQuantity(s);
      assert.ok(r.ok, r.ok ? '' : r.message);
      return r.value;
    };
    assert.equal(q('128Gi'), 128 * 2 ** 30);
    assert.equal(q('500m'), 0.5);
    assert.equal(q('2'), 2);
    assert.equal(q(2), 2);
    assert.equal(q('1.5k'), 1500);
    assert.equal(q('1e3'), 1000);
    assert.equal(q('1E3'), 1000);
    assert.equal(q('1E'), 1e18);
    assert.equal(q('170Mi'), 170 * 2 ** 20);
    assert.equal(q('.5'), 0.5);
    assert.equal(q('100n'), 1e-7);
  });

  test('reject unknown suffixes, with the binary spelling as the fix for "GB"', () => {
    for (const bad of [
      '64GB',
      '1gi',
      '12 Gi',
      'Gi',
      'ten',
      '1..2',
      '',
      '1Kib',
      null,
      [],
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ]) {
      assert.equal(parseQuantity(bad).ok, false, `${String(bad)} should be rejected`);
    }
    const gb = parseQuantity('64GB');
    assert.ok(!gb.ok && gb.hint?.includes('64Gi'));
  });

  test('n x suffix parses to n times the multiplier', () => {
    const suffixes: [string, number][] = [
      ['Ki', 2 ** 10],
      ['Mi', 2 ** 20],
      ['Gi', 2 ** 30],
      ['Ti', 2 ** 40],
      ['k', 1e3],
      ['M', 1e6],
      ['G', 1e9],
      ['', 1],
    ];
    fc.assert(
      fc.property(fc.nat(100_000), fc.constantFrom(...suffixes), (n, [suffix, mult]) => {
        const r = parseQuantity(`${n}${suffix}`);
        assert.ok(r.ok);
        assert.equal(r.value, n * mult);
      }),
    );
  });

  test('format then parse gives back byte counts and millicores', () => {
    fc.assert(
      fc.property(fc.nat(2 ** 40), (bytes) => {
        const r = parseQuantity(formatQuantity(bytes, 'bytes'));
        assert.ok(r.ok);
        assert.equal(r.value, bytes);
      }),
    );
    fc.assert(
      fc.property(fc.nat(1_000_000), (milli) => {
        const r = parseQuantity(formatQuantity(milli / 1000));
        assert.ok(r.ok);
        assert.equal(r.value, milli / 1000);
      }),
    );
  });

  test('arbitrary text never throws, and is accepted only if it has the Quantity shape', () => {
    const shape = new RegExp(QUANTITY_PATTERN);
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^[0-9.eEkKMGiTm+-]{1,6}$/)), (text) => {
        const r = parseQuantity(text);
        if (r.ok) assert.ok(shape.test(text.trim()), `accepted "${text}"`);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('fractions', () => {
  test('read 0.25 and "25%" alike and reject the rest', () => {
    const a = parseFraction(0.25);
    const b = parseFraction('25%');
    assert.ok(a.ok && b.ok);
    assert.equal(a.value, b.value);
    assert.equal(parseFraction('quarter').ok, false);
    assert.equal(parseFraction('%').ok, false);
  });
});
