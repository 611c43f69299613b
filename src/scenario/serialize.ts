/**
 * The one JSON serializer for results: same value -> same bytes, on any machine.
 *
 * - Object keys are sorted (code-point order), except that `schemaVersion` comes first, so the
 *   version is the first thing a reader sees.
 * - Integers are written exactly; other numbers are rounded to 6 significant digits (float noise
 *   below that is not information, and it differs across refactors of the same model).
 * - NaN and ±Infinity become null (JSON has no such numbers); -0 becomes 0.
 * - Typed arrays are written as arrays; undefined properties are omitted, as JSON.stringify does.
 *
 * It yields chunks so a large result can be streamed to a file without one giant string.
 */

export const SIGNIFICANT_DIGITS = 6;

const FIRST_KEYS = ['schemaVersion'];

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return 'null';
  if (Object.is(n, -0)) return '0';
  if (Number.isInteger(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER) return String(n);
  const rounded = Number(n.toPrecision(SIGNIFICANT_DIGITS));
  return Object.is(rounded, -0) ? '0' : JSON.stringify(rounded);
}

function orderedKeys(obj: object): string[] {
  const keys = Object.keys(obj).sort();
  const first = FIRST_KEYS.filter((k) => Object.hasOwn(obj, k));
  return first.length === 0 ? keys : [...first, ...keys.filter((k) => !first.includes(k))];
}

function isTypedArray(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

/** Serialized chunks of `value`, pretty-printed with `indent` spaces (0: compact). */
export function* serializeChunks(value: unknown, indent = 2): Generator<string> {
  const stack = new Set<object>();
  function* write(v: unknown, depth: number): Generator<string> {
    if (v === null || v === undefined) {
      yield 'null';
      return;
    }
    switch (typeof v) {
      case 'number':
        yield formatNumber(v);
        return;
      case 'string':
        yield JSON.stringify(v);
        return;
      case 'boolean':
        yield v ? 'true' : 'false';
        return;
      case 'bigint':
        yield v.toString();
        return;
      case 'object':
        break;
      default:
        yield 'null';
        return;
    }
    const obj = v as object;
    if (stack.has(obj)) throw new TypeError('serialize: the result contains a cycle');
    const pad = indent > 0 ? `\n${' '.repeat(indent * (depth + 1))}` : '';
    const close = indent > 0 ? `\n${' '.repeat(indent * depth)}` : '';
    const sep = indent > 0 ? ': ' : ':';
    stack.add(obj);
    if (Array.isArray(obj) || isTypedArray(obj)) {
      const arr = obj as ArrayLike<unknown>;
      if (arr.length === 0) yield '[]';
      else {
        // Arrays of plain numbers (time series) stay on one line: readable and far smaller.
        const flat = isTypedArray(obj) || Array.from(arr).every((x) => x === null || typeof x === 'number');
        if (flat) {
          let line = '[';
          for (let i = 0; i < arr.length; i++) {
            const x = arr[i];
            line +=
              (i > 0 ? (indent > 0 ? ', ' : ',') : '') + (typeof x === 'number' ? formatNumber(x) : 'null');
            if (line.length > 65_536) {
              yield line;
              line = '';
            }
          }
          yield `${line}]`;
        } else {
          yield '[';
          for (let i = 0; i < arr.length; i++) {
            yield (i > 0 ? ',' : '') + pad;
            yield* write(arr[i], depth + 1);
          }
          yield `${close}]`;
        }
      }
    } else {
      const entries = orderedKeys(obj).filter((k) => {
        const x = (obj as Record<string, unknown>)[k];
        return x !== undefined && typeof x !== 'function' && typeof x !== 'symbol';
      });
      if (entries.length === 0) yield '{}';
      else {
        yield '{';
        let first = true;
        for (const k of entries) {
          yield `${first ? '' : ','}${pad}${JSON.stringify(k)}${sep}`;
          first = false;
          yield* write((obj as Record<string, unknown>)[k], depth + 1);
        }
        yield `${close}}`;
      }
    }
    stack.delete(obj);
  }
  yield* write(value, 0);
  yield '\n';
}

export function serialize(value: unknown, indent = 2): string {
  let out = '';
  for (const chunk of serializeChunks(value, indent)) out += chunk;
  return out;
}
