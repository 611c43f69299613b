/**
 * Building blocks for the scenario schema: fields with units, ranges with a stated reason, and
 * Kubernetes names. Each reports failures as custom zod issues that carry an IssueCode and a hint,
 * which `translateZodIssues` (zod-issues.ts) turns into scenario issues.
 */
import { z } from 'zod';
import type { IssueCode } from './issues.js';
import {
  DURATION_EXAMPLES,
  DURATION_PATTERN,
  formatDuration,
  formatQuantity,
  parseDuration,
  parseFraction,
  parseQuantity,
  QUANTITY_EXAMPLES,
  QUANTITY_PATTERN,
} from './units.js';

export interface CustomParams {
  readonly code: IssueCode;
  readonly hint: string;
}

type Ctx = { issues: z.core.$ZodRawIssue[] };

export function report(ctx: Ctx, input: unknown, code: IssueCode, message: string, hint: string): void {
  const params: CustomParams = { code, hint };
  ctx.issues.push({ code: 'custom', message, input, params });
}

export interface Range {
  readonly min?: number;
  readonly max?: number;
  /** Where the limit comes from: a Kubernetes threshold, a default, or what the simulator supports. */
  readonly why?: string;
}

function rangeHint(range: Range, show: (n: number) => string): string {
  const parts: string[] = [];
  if (range.min !== undefined && range.max !== undefined)
    parts.push(`use a value from ${show(range.min)} to ${show(range.max)}`);
  else if (range.min !== undefined) parts.push(`use ${show(range.min)} or more`);
  else if (range.max !== undefined) parts.push(`use at most ${show(range.max)}`);
  if (range.why) parts.push(`(${range.why})`);
  return parts.join(' ');
}

function checkRange(
  ctx: Ctx,
  input: unknown,
  value: number,
  range: Range,
  show: (n: number) => string,
): boolean {
  if (range.min !== undefined && value < range.min) {
    const negative = value < 0 && range.min >= 0;
    report(
      ctx,
      input,
      'out-of-range',
      negative ? `${show(value)} is negative` : `${show(value)} is below the minimum of ${show(range.min)}`,
      rangeHint(range, show),
    );
    return false;
  }
  if (range.max !== undefined && value > range.max) {
    report(
      ctx,
      input,
      'limit-exceeded',
      `${show(value)} is above the limit of ${show(range.max)}`,
      rangeHint(range, show),
    );
    return false;
  }
  return true;
}

const UNIT_MARKER = 'x-stormglass-unit';

/** A Go duration ("90s", "1h30m"), resolved to seconds. */
export function duration(description: string, range: Range = { min: 0 }) {
  return z
    .union([z.string(), z.number()])
    .transform((input, ctx) => {
      const parsed = parseDuration(input);
      if (!parsed.ok) {
        report(
          ctx,
          input,
          'bad-duration',
          parsed.message,
          parsed.hint ?? `write a duration like ${DURATION_EXAMPLES}`,
        );
        return z.NEVER;
      }
      if (!checkRange(ctx, input, parsed.value, range, formatDuration)) return z.NEVER;
      return parsed.value;
    })
    .meta({ description, [UNIT_MARKER]: 'duration', examples: ['90s', '5m', '1h30m'] });
}

/** A resource.Quantity ("128Gi", "500m", "2"), resolved to its base unit. */
export function quantity(description: string, style: 'bytes' | 'decimal', range: Range = { min: 0 }) {
  return quantityOr(description, style, range, [] as const);
}

/** A resource.Quantity, or one of `keywords` (kept as written): e.g. memory "scaling-guide". */
export function quantityOr<K extends string>(
  description: string,
  style: 'bytes' | 'decimal',
  range: Range,
  keywords: readonly K[],
) {
  const show = (n: number) => formatQuantity(n, style);
  const isKeyword = (input: unknown): input is K => keywords.some((k) => k === input);
  const alternatives = keywords.map((k) => `"${k}"`).join(' or ');
  return z
    .union([z.string(), z.number()])
    .transform((input, ctx): number | K => {
      if (isKeyword(input)) return input;
      const parsed = parseQuantity(input);
      if (!parsed.ok) {
        const hint = parsed.hint ?? `write a quantity like ${QUANTITY_EXAMPLES}`;
        report(
          ctx,
          input,
          'bad-quantity',
          parsed.message,
          keywords.length > 0 ? `${hint}, or ${alternatives}` : hint,
        );
        return z.NEVER;
      }
      if (!checkRange(ctx, input, parsed.value, range, show)) return z.NEVER;
      return parsed.value;
    })
    .meta({
      description,
      [UNIT_MARKER]: 'quantity',
      examples: [...(style === 'bytes' ? ['512Mi', '64Gi'] : ['500m', '2', '16']), ...keywords],
    });
}

/** A fraction written 0.25 or "25%". */
export function fraction(description: string, range: Range = { min: 0, max: 1 }) {
  const show = (n: number) => `${Number((n * 100).toPrecision(6))}%`;
  return z
    .union([z.string(), z.number()])
    .transform((input, ctx) => {
      const parsed = parseFraction(input);
      if (!parsed.ok) {
        report(ctx, input, 'bad-fraction', parsed.message, 'write a fraction like 0.25 or "25%"');
        return z.NEVER;
      }
      if (!checkRange(ctx, input, parsed.value, range, show)) return z.NEVER;
      return parsed.value;
    })
    .meta({ description, [UNIT_MARKER]: 'fraction', examples: [0.25, '25%'] });
}

/** An integer with a stated range. */
export function integer(description: string, range: Range) {
  const meta: Record<string, unknown> = { description };
  if (range.min !== undefined) meta.minimum = range.min;
  if (range.max !== undefined) meta.maximum = range.max;
  return z
    .number()
    .int()
    .check((ctx) => {
      checkRange(ctx, ctx.value, ctx.value, range, (n) => String(n));
    })
    .meta(meta);
}

/** A real number with a stated range. */
export function real(description: string, range: Range) {
  const meta: Record<string, unknown> = { description };
  if (range.min !== undefined) meta.minimum = range.min;
  if (range.max !== undefined) meta.maximum = range.max;
  return z
    .number()
    .check((ctx) => {
      checkRange(ctx, ctx.value, ctx.value, range, (n) => String(n));
    })
    .meta(meta);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * A Kubernetes-style name (RFC 1123 label: lowercase letters, digits and '-', at most 63).
 * `allowPattern` admits the fleet pattern "{index}" / "{index:03}".
 */
export function dnsLabel(description: string, allowPattern = false) {
  return z
    .string()
    .check((ctx) => {
      const raw = ctx.value;
      const value = allowPattern ? raw.replace(/\{index(:0?\d+)?\}/g, '1') : raw;
      if (value.length === 0 || value.length > 63 || !DNS_LABEL.test(value)) {
        report(
          ctx,
          raw,
          'bad-name',
          `"${raw}" is not a valid name`,
          `use lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters (RFC 1123 label)${allowPattern ? '; "{index}" expands to the fleet index' : ''}`,
        );
      }
    })
    .meta({ description, pattern: allowPattern ? undefined : DNS_LABEL.source });
}

export function dnsSubdomain(description: string) {
  return z
    .string()
    .check((ctx) => {
      if (ctx.value.length === 0 || ctx.value.length > 253 || !DNS_SUBDOMAIN.test(ctx.value)) {
        report(
          ctx,
          ctx.value,
          'bad-name',
          `"${ctx.value}" is not a valid Kubernetes name`,
          "use lowercase letters, digits, '-' and '.', at most 253 characters (RFC 1123 subdomain)",
        );
      }
    })
    .meta({ description });
}

/** Rewrites unit-typed fields in the generated JSON Schema: a string with a pattern (or 0 / a number). */
export function jsonSchemaOverride(ctx: {
  zodSchema: z.core.$ZodTypes;
  jsonSchema: z.core.JSONSchema.BaseSchema;
}): void {
  const meta = z.globalRegistry.get(ctx.zodSchema as unknown as z.ZodType) as
    | Record<string, unknown>
    | undefined;
  const unit = meta?.[UNIT_MARKER];
  if (unit === undefined) return;
  const js = ctx.jsonSchema as Record<string, unknown>;
  delete js.type;
  delete js[UNIT_MARKER];
  if (unit === 'duration') js.anyOf = [{ type: 'string', pattern: DURATION_PATTERN }, { const: 0 }];
  else if (unit === 'quantity')
    js.anyOf = [{ type: 'string', pattern: QUANTITY_PATTERN }, { type: 'number' }];
  else if (unit === 'fraction') js.anyOf = [{ type: 'string', pattern: '^[0-9.]+%$' }, { type: 'number' }];
}
