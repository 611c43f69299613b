/**
 * Compact binary blobs for the report's data: values become float32 with the mantissa rounded to
 * 10 bits (0.05% relative: finer than a pixel on any chart), the four bytes of every value are grouped
 * into planes (all low bytes, then the next... as Blosc does), and the result is gzipped and base64'd.
 * The planes turn the rounded-away bits into long zero runs that gzip removes, which matters for the
 * fm-009 fleet: 200 clusters x 60 series x 2,160 steps would be 100 MB as JSON.
 * The browser inflates with DecompressionStream: no library, no network.
 */
import { gzipSync } from 'node:zlib';

const KEPT_MANTISSA_BITS = 10;
const DROP_MASK = ~((1 << (23 - KEPT_MANTISSA_BITS)) - 1);
const ROUND_HALF = 1 << (22 - KEPT_MANTISSA_BITS);

/** Float32 bits of each value with the mantissa rounded to KEPT_MANTISSA_BITS; NaN for null. */
export function quantize(values: readonly (number | null)[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i] ?? Number.NaN;
  quantizeRange(out, 0, out.length);
  return out;
}

/**
 * Rounds `out[offset .. offset+length)` in place. A run of whole numbers below 2^24 (counts, seats,
 * nodes) is exact in float32 and kept exact: a chart must not show 7,504 Ready nodes for 7,500.
 */
export function quantizeRange(out: Float32Array, offset: number, length: number): void {
  let isWhole = true;
  for (let i = offset; i < offset + length && isWhole; i++) {
    const x = out[i]!;
    if (!Number.isNaN(x) && !(Number.isInteger(x) && Math.abs(x) < 16_777_216)) isWhole = false;
  }
  if (isWhole) return;
  const bits = new Uint32Array(out.buffer, out.byteOffset + 4 * offset, length);
  for (let i = 0; i < length; i++) {
    const b = bits[i]!;
    // Infinities and NaN keep their bits; rounding a finite value can carry into the exponent, which
    // is still the correctly rounded float.
    if (((b >>> 23) & 0xff) !== 0xff) bits[i] = ((b + ROUND_HALF) & DROP_MASK) >>> 0;
  }
}

/** Byte planes of little-endian float32 values: plane k holds byte k of every value. */
export function shuffle(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const n = values.length;
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i < n; i++) {
    out[i] = bytes[4 * i]!;
    out[n + i] = bytes[4 * i + 1]!;
    out[2 * n + i] = bytes[4 * i + 2]!;
    out[3 * n + i] = bytes[4 * i + 3]!;
  }
  return out;
}

export function unshuffle(planes: Uint8Array): Float32Array {
  const n = planes.length / 4;
  const bytes = new Uint8Array(planes.length);
  for (let i = 0; i < n; i++) {
    bytes[4 * i] = planes[i]!;
    bytes[4 * i + 1] = planes[n + i]!;
    bytes[4 * i + 2] = planes[2 * n + i]!;
    bytes[4 * i + 3] = planes[3 * n + i]!;
  }
  return new Float32Array(bytes.buffer);
}

export function packBytes(bytes: Uint8Array): string {
  return gzipSync(bytes, { level: 6 }).toString('base64');
}

/** Several equally long value arrays, concatenated, quantized, shuffled, gzipped, base64'd. */
export function packSeries(series: readonly (readonly (number | null)[])[]): string {
  const total = series.reduce((n, s) => n + s.length, 0);
  const all = new Float32Array(total);
  let offset = 0;
  for (const s of series) {
    for (let i = 0; i < s.length; i++) all[offset + i] = s[i] ?? Number.NaN;
    quantizeRange(all, offset, s.length);
    offset += s.length;
  }
  return packFloats(all);
}

/** Already quantized values, shuffled, gzipped, base64'd. */
export function packFloats(values: Float32Array): string {
  return packBytes(shuffle(values));
}

export function packJson(value: unknown): string {
  return packBytes(new TextEncoder().encode(JSON.stringify(value)));
}
