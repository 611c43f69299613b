/**
 * Turns zod's issues into scenario issues: a code, the YAML path, file:line:column (through the
 * SourceIndex), a message in the user's terms and a hint. Unknown fields get a did-you-mean from
 * the fields the schema allows at that place.
 */
import type { z } from 'zod';
import {
  didYouMean,
  formatPath,
  type Issue,
  type IssueCode,
  listChoices,
  type PathSegment,
} from './issues.js';
import type { CustomParams } from './schema-kit.js';
import type { SourceIndex } from './source.js';

const KNOWN_KEYS = '\u0000known:';

/** Per-parse error map: unknown-key issues carry the allowed keys to the translator. */
export function errorMap(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code === 'unrecognized_keys') {
    const inst = issue.inst as { _zod?: { def?: { shape?: Record<string, unknown> } } } | undefined;
    const shape = inst?._zod?.def?.shape;
    return KNOWN_KEYS + JSON.stringify(shape ? Object.keys(shape) : []);
  }
  return undefined;
}

export interface TranslateContext {
  readonly root: unknown;
  readonly index: SourceIndex;
  /** File to blame when a path cannot be located (should not happen for parsed input). */
  readonly file: string;
  /** Prefix for messages (e.g. 'variant "x": '). */
  readonly prefix?: string;
}

export function translateZodIssues(issues: readonly z.core.$ZodIssue[], ctx: TranslateContext): Issue[] {
  const out: Issue[] = [];
  for (const issue of issues) translate(issue, [], ctx, out);
  return out;
}

function valueAt(root: unknown, path: readonly PathSegment[]): { found: boolean; value: unknown } {
  let cur: unknown = root;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, seg))
      return { found: false, value: undefined };
    cur = (cur as Record<PathSegment, unknown>)[seg];
  }
  return { found: true, value: cur };
}

function make(
  ctx: TranslateContext,
  path: readonly PathSegment[],
  code: IssueCode,
  message: string,
  hint: string,
  at: 'key' | 'value' = 'value',
): Issue {
  const loc = ctx.index.locate(ctx.root, path, at);
  return {
    code,
    severity: 'error',
    path: formatPath(loc?.path ?? path),
    file: loc?.file ?? ctx.file,
    line: loc?.line ?? 0,
    column: loc?.column ?? 0,
    message: (ctx.prefix ?? '') + message,
    hint,
  };
}

/** How a YAML value reads to its author. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string')
    return `the text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  return typeof value;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  number: 'a number',
  int: 'a whole number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

const TYPE_HINTS: Readonly<Record<string, string>> = {
  number: 'write a number without quotes',
  int: 'write a whole number without quotes or decimals',
  string: 'write text (quote it if it looks like a number or boolean)',
  boolean: 'write true or false, without quotes',
  array: 'write a list: one "- item" per line, or [a, b]',
  object: 'write a mapping: "key: value" lines indented under this field',
  record: 'write a mapping: "key: value" lines indented under this field',
};

function translate(
  issue: z.core.$ZodIssue,
  base: readonly PathSegment[],
  ctx: TranslateContext,
  out: Issue[],
): void {
  const path = [...base, ...(issue.path as PathSegment[])];
  const field = path[path.length - 1];
  switch (issue.code) {
    case 'custom': {
      const params = issue.params as CustomParams | undefined;
      out.push(
        make(ctx, path, params?.code ?? 'invalid-value', issue.message, params?.hint ?? 'fix the value'),
      );
      return;
    }
    case 'unrecognized_keys': {
      const known: string[] = issue.message.startsWith(KNOWN_KEYS)
        ? JSON.parse(issue.message.slice(KNOWN_KEYS.length))
        : [];
      for (const key of issue.keys) {
        const suggestion = didYouMean(key, known);
        const hint = suggestion
          ? `did you mean "${suggestion}"?`
          : known.length > 0
            ? `fields allowed here: ${known.join(', ')}`
            : 'remove it';
        out.push(make(ctx, [...path, key], 'unknown-field', `unknown field "${key}"`, hint, 'key'));
      }
      return;
    }
    case 'invalid_type': {
      const { found, value } = valueAt(ctx.root, path);
      const expected = String(issue.expected);
      if (!found || value === undefined) {
        out.push(
          make(
            ctx,
            path,
            'missing-field',
            `missing required field "${String(field)}"`,
            `add "${String(field)}:" here (${TYPE_WORDS[expected] ?? expected})`,
          ),
        );
        return;
      }
      if (value === null) {
        out.push(
          make(
            ctx,
            path,
            'missing-field',
            `"${String(field)}" is empty`,
            `give it a value (${TYPE_WORDS[expected] ?? expected})`,
          ),
        );
        return;
      }
      if (expected === 'int' && typeof value === 'number') {
        out.push(make(ctx, path, 'wrong-type', `${value} is not a whole number`, TYPE_HINTS.int ?? ''));
        return;
      }
      out.push(
        make(
          ctx,
          path,
          'wrong-type',
          `expected ${TYPE_WORDS[expected] ?? expected}, got ${describeValue(value)}`,
          TYPE_HINTS[expected] ?? `write ${expected}`,
        ),
      );
      return;
    }
    case 'invalid_value': {
      const { found, value } = valueAt(ctx.root, path);
      const choices = issue.values.map((v) => String(v));
      if (!found) {
        out.push(
          make(
            ctx,
            path,
            'missing-field',
            `missing required field "${String(field)}"`,
            `add "${String(field)}: ${choices[0] ?? ''}"`,
          ),
        );
        return;
      }
      const suggestion = typeof value === 'string' ? didYouMean(value, choices) : null;
      const hint = choices.length === 1 ? `write ${field}: ${choices[0]}` : `use ${listChoices(choices)}`;
      out.push(
        make(
          ctx,
          path,
          'invalid-value',
          `${describeValue(value)} is not allowed here`,
          suggestion ? `did you mean "${suggestion}"? (${hint})` : hint,
        ),
      );
      return;
    }
    case 'invalid_union': {
      translateUnion(issue, path, ctx, out);
      return;
    }
    case 'too_small':
    case 'too_big': {
      const { value } = valueAt(ctx.root, path);
      const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      if (Array.isArray(value)) {
        out.push(
          issue.code === 'too_small'
            ? make(
                ctx,
                path,
                'out-of-range',
                `needs at least ${limit} entr${limit === 1 ? 'y' : 'ies'}`,
                'add entries',
              )
            : make(
                ctx,
                path,
                'limit-exceeded',
                `has ${value.length} entries, more than the limit of ${limit}`,
                'split or shorten the list',
              ),
        );
      } else if (typeof value === 'string') {
        out.push(
          issue.code === 'too_small'
            ? make(ctx, path, 'out-of-range', 'must not be empty', 'write a value')
            : make(ctx, path, 'limit-exceeded', `is longer than ${limit} characters`, 'shorten it'),
        );
      } else {
        out.push(
          make(
            ctx,
            path,
            issue.code === 'too_small' ? 'out-of-range' : 'limit-exceeded',
            `${describeValue(value)} is ${issue.code === 'too_small' ? 'below the minimum' : 'above the maximum'} of ${limit}`,
            `use a value ${issue.code === 'too_small' ? `of at least ${limit}` : `of at most ${limit}`}`,
          ),
        );
      }
      return;
    }
    case 'invalid_format': {
      const { value } = valueAt(ctx.root, path);
      out.push(
        make(ctx, path, 'invalid-value', `${describeValue(value)} has the wrong format`, formatHint(issue)),
      );
      return;
    }
    case 'invalid_key': {
      out.push(make(ctx, path, 'invalid-value', 'a key here is not valid', 'check the keys of this mapping'));
      return;
    }
    default: {
      out.push(make(ctx, path, 'invalid-value', issue.message, 'fix the value'));
    }
  }
}

function formatHint(issue: z.core.$ZodIssueInvalidStringFormat): string {
  if (issue.format === 'regex' && 'pattern' in issue) return `match the pattern ${String(issue.pattern)}`;
  return `write a valid ${issue.format}`;
}

/**
 * A union failed. With a discriminator ("kind", "signal", "action") the discriminator is wrong or
 * missing. Otherwise report the branch that matches the value's shape: a list against a list
 * branch, a mapping against a mapping branch; with no such branch, say what shapes are allowed.
 */
function translateUnion(
  issue: z.core.$ZodIssueInvalidUnion,
  path: readonly PathSegment[],
  ctx: TranslateContext,
  out: Issue[],
): void {
  const extra = issue as z.core.$ZodIssueInvalidUnion & {
    discriminator?: string;
    options?: unknown[];
    note?: string;
  };
  const { found, value } = valueAt(ctx.root, path);
  if (extra.discriminator !== undefined || extra.note === 'No matching discriminator') {
    const options = (extra.options ?? []).map((o) => String(o));
    const key = String(path[path.length - 1] ?? 'kind');
    if (!found || value === undefined) {
      out.push(
        make(
          ctx,
          path,
          'missing-field',
          `missing required field "${key}"`,
          `add "${key}:" with one of ${listChoices(options)}`,
        ),
      );
      return;
    }
    const suggestion = typeof value === 'string' ? didYouMean(value, options) : null;
    out.push(
      make(
        ctx,
        path,
        'invalid-value',
        `${describeValue(value)} is not a known ${key}`,
        suggestion
          ? `did you mean "${suggestion}"? (use ${listChoices(options)})`
          : `use ${listChoices(options)}`,
      ),
    );
    return;
  }
  const branches = issue.errors;
  // A branch whose only complaint is the root type does not fit the value's shape at all.
  const fitting = branches.filter(
    (errs) =>
      !(
        errs.length === 1 &&
        errs[0]?.path.length === 0 &&
        (errs[0]?.code === 'invalid_type' || errs[0]?.code === 'invalid_value')
      ),
  );
  const chosen = fitting[0];
  if (fitting.length >= 1 && chosen) {
    for (const sub of chosen) translate(sub, path, ctx, out);
    return;
  }
  const shapes = new Set<string>();
  for (const errs of branches) {
    const e = errs[0];
    if (!e) continue;
    if (e.code === 'invalid_type') shapes.add(TYPE_WORDS[String(e.expected)] ?? String(e.expected));
    if (e.code === 'invalid_value') for (const v of e.values) shapes.add(JSON.stringify(v));
  }
  if (!found || value === undefined) {
    out.push(
      make(
        ctx,
        path,
        'missing-field',
        `missing required field "${String(path[path.length - 1])}"`,
        `add it: ${listChoices([...shapes])}`,
      ),
    );
    return;
  }
  out.push(
    make(
      ctx,
      path,
      'wrong-type',
      `${describeValue(value)} is not allowed here`,
      `write ${listChoices([...shapes])}`,
    ),
  );
}
