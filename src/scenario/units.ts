/**
 * Durations and quantities, written the way Kubernetes users write them.
 *
 * - Durations follow Go's time.ParseDuration (what metav1.Duration and every Kubernetes flag use):
 *   a sequence of decimal numbers, each with a unit (ns, us, µs, ms, s, m, h), e.g. "90s", "1h30m",
 *   "500ms", "1.5h". A bare "0" is allowed. No days: Go has none, so neither do we ("48h").
 * - Quantities follow k8s.io/apimachinery/pkg/api/resource.Quantity: a signed decimal number with a
 *   binary-SI suffix (Ki Mi Gi Ti Pi Ei), a decimal-SI suffix (n u m k M G T P E) or a decimal
 *   exponent (e3, E-2), e.g. "128Gi", "500m", "2", "1.5k".
 *
 * Parsers return values (never throw) so the validation pipeline can turn failures into issues.
 */

export type Parsed<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly message: string; readonly hint?: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(message: string, hint?: string): Parsed<T> =>
  hint === undefined ? { ok: false, message } : { ok: false, message, hint };

/** Seconds per duration unit (Go time package constants). */
const DURATION_UNITS: Readonly<Record<string, number>> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

export const DURATION_EXAMPLES = '90s, 5m, 1h30m, 500ms, 6h';
/** Loose pattern for editors (JSON Schema); the parser is the authority. */
export const DURATION_PATTERN = '^[-+]?(0|(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)$';

/**
 * Parses a Go duration into seconds. Accepts the number 0 (YAML reads `0` as a number); rejects
 * other bare numbers, because "30" has no unit in Go either and guessing seconds hides mistakes.
 */
export function parseDuration(input: unknown): Parsed<number> {
  if (typeof input === 'number') {
    if (input === 0) return ok(0);
    return fail(`${input} has no unit; write it with one, e.g. ${input}s or ${input}m`);
  }
  if (typeof input !== 'string') return fail(`expected a duration like ${DURATION_EXAMPLES}`);
  const s = input.trim();
  if (s === '') return fail(`empty duration; write one like ${DURATION_EXAMPLES}`);
  let i = 0;
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    sign = s[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (s.slice(i) === '0') return ok(0);
  if (i === s.length) return fail(`"${input}" is not a duration; write one like ${DURATION_EXAMPLES}`);
  let total = 0;
  while (i < s.length) {
    const start = i;
    while (i < s.length && isDigitOrDot(s.charCodeAt(i))) i++;
    const num = s.slice(start, i);
    if (num === '' || num === '.' || num.indexOf('.') !== num.lastIndexOf('.')) {
      return fail(`"${input}" is not a duration; write one like ${DURATION_EXAMPLES}`);
    }
    const unitStart = i;
    while (i < s.length && !isDigitOrDot(s.charCodeAt(i))) i++;
    const unit = s.slice(unitStart, i);
    if (unit === '') {
      return fail(`"${input}" is missing a unit after ${num}; write e.g. ${num}s or ${num}m`);
    }
    const factor = DURATION_UNITS[unit];
    if (factor === undefined) {
      const days = unit === 'd' ? Number(num) * 24 : null;
      return fail(
        `unknown unit "${unit}" in duration "${input}"; units are ns, us, ms, s, m, h`,
        days !== null ? `Go durations have no days: write ${days}h` : undefined,
      );
    }
    total += Number(num) * factor;
  }
  if (!Number.isFinite(total)) return fail(`duration "${input}" is too large`);
  return ok(roundToNanos(sign * total));
}

function isDigitOrDot(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 46;
}

/** Durations are integers of nanoseconds in Go; round so "0.1s" + "0.2s" style sums stay stable. */
function roundToNanos(seconds: number): number {
  return Math.round(seconds * 1e9) / 1e9;
}

/**
 * Formats seconds as a compact Go-style duration ("1h30m", "1m30s", "500ms", "1.5s").
 * parseDuration(formatDuration(x)) === x for any x that is a whole number of nanoseconds.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  let ns = Math.round(Math.abs(seconds) * 1e9);
  const hours = Math.floor(ns / 3.6e12);
  ns -= hours * 3.6e12;
  const mins = Math.floor(ns / 6e10);
  ns -= mins * 6e10;
  let out = sign;
  if (hours > 0) out += `${hours}h`;
  if (mins > 0) out += `${mins}m`;
  if (ns === 0) return out;
  if (ns % 1e9 === 0 || hours > 0 || mins > 0 || ns >= 1e9) {
    out += `${trimDecimal(ns / 1e9)}s`;
  } else if (ns % 1e6 === 0 || ns >= 1e6) {
    out += `${trimDecimal(ns / 1e6)}ms`;
  } else if (ns % 1e3 === 0 || ns >= 1e3) {
    out += `${trimDecimal(ns / 1e3)}us`;
  } else {
    out += `${ns}ns`;
  }
  return out;
}

function trimDecimal(x: number): string {
  // Up to 9 decimals (nanoseconds), no trailing zeros, never exponent notation.
  return x.toFixed(9).replace(/0+$/, '').replace(/\.$/, '');
}

const BINARY_SUFFIXES: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

export const QUANTITY_EXAMPLES = '128Gi, 500m, 2, 1.5k';
export const QUANTITY_PATTERN =
  '^[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)?$';
/** resource.Quantity holds at most an int64 of its base unit (9.2e18). */
const QUANTITY_MAX = 2 ** 63 - 1;

/**
 * Parses a resource.Quantity into a plain number in its base unit (cores, bytes, count).
 * Accepts YAML numbers as they are (`cpu: 2`, `cpu: 0.5`).
 */
export function parseQuantity(input: unknown): Parsed<number> {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return fail(`${input} is not a finite quantity`);
    if (Math.abs(input) > QUANTITY_MAX) return fail(`${input} is larger than a Kubernetes quantity can hold`);
    return ok(input);
  }
  if (typeof input !== 'string') return fail(`expected a quantity like ${QUANTITY_EXAMPLES}`);
  const s = input.trim();
  const m = /^([-+]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(.*)$/.exec(s);
  if (!m) return fail(`"${input}" is not a quantity; write one like ${QUANTITY_EXAMPLES}`);
  const sign = m[1] === '-' ? '-' : '';
  const digits = m[2] ?? '';
  const suffix = m[3] ?? '';
  let value: number;
  const binary = BINARY_SUFFIXES[suffix];
  const decimal = DECIMAL_SUFFIXES[suffix];
  if (binary !== undefined) {
    value = Number(`${sign}${digits}`) * binary;
  } else if (decimal !== undefined) {
    // Compose the exponent into the literal so the result is the correctly rounded double.
    value = Number(`${sign}${digits}e${decimal}`);
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    value = Number(`${sign}${digits}${suffix}`);
  } else {
    const binaryGuess = /^([kmgtpe])(i|b|ib)$/i.exec(suffix);
    return fail(
      `unknown suffix "${suffix}" in quantity "${input}"; suffixes are Ki Mi Gi Ti Pi Ei, n u m k M G T P E`,
      binaryGuess
        ? `binary suffixes are written Ki, Mi, Gi, Ti: write ${sign}${digits}${binaryGuess[1]?.toUpperCase()}i`
        : undefined,
    );
  }
  if (!Number.isFinite(value) || Math.abs(value) > QUANTITY_MAX) {
    return fail(`quantity "${input}" is larger than a Kubernetes quantity can hold`);
  }
  return ok(value);
}

/**
 * Formats a number as a canonical quantity. `bytes` prefers binary suffixes (128Gi); otherwise
 * decimal, with milli-units for fractions (500m), like `kubectl` prints CPU.
 */
export function formatQuantity(value: number, style: 'bytes' | 'decimal' = 'decimal'): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const sign = value < 0 ? '-' : '';
  const abs = Math.abs(value);
  if (style === 'bytes' && Number.isInteger(abs)) {
    for (const [suffix, mult] of Object.entries(BINARY_SUFFIXES).reverse()) {
      if (abs >= mult && abs % mult === 0) return `${sign}${abs / mult}${suffix}`;
    }
    return `${sign}${abs}`;
  }
  if (Number.isInteger(abs)) return `${sign}${abs}`;
  const milli = abs * 1000;
  if (Number.isInteger(milli)) return `${sign}${milli}m`;
  return `${sign}${abs}`;
}

/** Fractions written as 0.25 or "25%". */
export function parseFraction(input: unknown): Parsed<number> {
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return fail(`${input} is not a fraction`);
    return ok(input);
  }
  if (typeof input !== 'string') return fail('expected a fraction like 0.25 or "25%"');
  const m = /^\s*([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*%\s*$/.exec(input);
  if (m) return ok(Number(m[1]) / 100);
  const n = /^\s*[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*$/.test(input) ? Number(input) : Number.NaN;
  if (Number.isFinite(n)) return ok(n);
  return fail(`"${input}" is not a fraction; write 0.25 or "25%"`);
}
