import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { formatNumber, serialize, serializeChunks } from '../../src/scenario/serialize.js';

describe('the result serializer', () => {
  test('sorts keys (schemaVersion first) whatever order the object was built in', () => {
    const a = serialize({ b: 1, a: { y: 2, x: 3 }, schemaVersion: 1 });
    const b = serialize({ schemaVersion: 1, a: { x: 3, y: 2 }, b: 1 });
    assert.equal(a, b);
    assert.ok(a.startsWith('{\n  "schemaVersion": 1,\n  "a"'));
  });

  test('keeps integers exact and rounds other numbers to 6 significant digits', () => {
    assert.equal(formatNumber(4294967295), '4294967295');
    assert.equal(formatNumber(0.1 + 0.2), '0.3');
    assert.equal(formatNumber(1234567.891), '1234570');
    assert.equal(formatNumber(-0), '0');
    assert.equal(formatNumber(Number.NaN), 'null');
    assert.equal(formatNumber(Number.POSITIVE_INFINITY), 'null');
    assert.equal(formatNumber(1e-7), '1e-7');
  });

  test('writes typed arrays and number series on one line, and omits undefined fields', () => {
    const out = serialize({ s: new Float64Array([1, 0.5, Number.NaN]), u: undefined, n: null });
    assert.equal(out, '{\n  "n": null,\n  "s": [1, 0.5, null]\n}\n');
  });

  test('round-trips through JSON.parse to the value with numbers rounded', () => {
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
      ),
    })).value;
    const round = (v: unknown): unknown => {
      if (typeof v === 'number') return JSON.parse(formatNumber(v));
      if (Array.isArray(v)) return v.map(round);
      if (v !== null && typeof v === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, x] of Object.entries(v))
          Object.defineProperty(out, k, { value: round(x), enumerable: true });
        return out;
      }
      return v;
    };
    fc.assert(
      fc.property(json, (v) => {
        const text = serialize(v);
        assert.deepEqual(JSON.parse(text), round(v));
        assert.equal(serialize(JSON.parse(text)), text, 'stable under re-serialization');
        assert.equal([...serializeChunks(v)].join(''), text);
      }),
      { numRuns: 1000 },
    );
  });
});
