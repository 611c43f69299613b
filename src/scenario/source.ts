/**
 * YAML text -> plain values that remember where they came from.
 *
 * Every object and array converted from YAML is registered in a SourceIndex with its file, the
 * offsets of its keys and values, and its YAML path in that file. Later stages never carry
 * positions around: they report a path into the value tree and `locate` finds file:line:column.
 * Merging (variants) keeps the origins of both sides, so an issue inside a variant's patch points
 * at the patch and one in untouched base content points at the base.
 */
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
  parseDocument,
  type YAMLError,
} from 'yaml';
import { formatPath, type Issue, type IssueCode, type PathSegment } from './issues.js';

export interface Origin {
  readonly file: string;
  readonly lines: LineCounter;
  /** Offset of the collection itself. */
  readonly offset: number;
  /** YAML path of the collection in its file. */
  readonly path: readonly PathSegment[];
  /** Per key (maps) or index (sequences): offsets of the key and of the value. */
  readonly entries: ReadonlyMap<PathSegment, { readonly key: number; readonly value: number }>;
}

export interface Location {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Path as written in that file. */
  readonly path: readonly PathSegment[];
}

/**
 * Where every converted object came from. Origins are facts about objects, so one module-wide
 * weak map holds them all: parsed manifests can be reused across loads (see manifests.ts) and
 * still be located.
 */
const ORIGINS = new WeakMap<object, readonly Origin[]>();

/** Reads and writes origins; locates paths. */
export class SourceIndex {
  private readonly origins = ORIGINS;

  set(value: object, origins: readonly Origin[]): void {
    this.origins.set(value, origins);
  }

  get(value: object): readonly Origin[] {
    return this.origins.get(value) ?? [];
  }

  /**
   * Where the value at `path` under `root` was written. With `at: 'key'` an existing key's own
   * position is returned (unknown fields); otherwise its value's. A path that leads to a missing
   * field resolves to the closest enclosing collection.
   */
  locate(root: unknown, path: readonly PathSegment[], at: 'key' | 'value' = 'value'): Location | null {
    let container: object | null = null;
    let containerDepth = 0;
    let current: unknown = root;
    for (let i = 0; i <= path.length; i++) {
      if (current !== null && typeof current === 'object' && this.origins.has(current)) {
        container = current;
        containerDepth = i;
      }
      if (i === path.length) break;
      const seg = path[i];
      if (current === null || typeof current !== 'object' || seg === undefined) break;
      current = (current as Record<PathSegment, unknown>)[seg];
    }
    if (container === null) return null;
    const origins = this.get(container);
    const next = path[containerDepth];
    const rest = path.slice(containerDepth);
    if (next !== undefined) {
      for (const origin of origins) {
        const entry = origin.entries.get(next);
        if (entry)
          return toLocation(origin, at === 'key' ? entry.key : entry.value, [...origin.path, ...rest]);
      }
    }
    const first = origins[0];
    if (!first) return null;
    return toLocation(first, first.offset, [...first.path, ...rest]);
  }
}

function toLocation(origin: Origin, offset: number, path: readonly PathSegment[]): Location {
  const pos = origin.lines.linePos(offset);
  return { file: origin.file, line: pos.line, column: pos.col, path };
}

/** Limits that keep hostile or accidental input from exhausting memory or the stack. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_DEPTH = 64;
const MAX_NODES = 2_000_000;

export interface Converted {
  readonly value: unknown;
  readonly issues: readonly Issue[];
}

interface ConvertContext {
  readonly file: string;
  readonly lines: LineCounter;
  readonly doc: Document;
  readonly index: SourceIndex;
  readonly issues: Issue[];
  nodes: number;
  aborted: boolean;
}

const PARSE_OPTIONS = { version: '1.2', merge: true, uniqueKeys: true, prettyErrors: false } as const;

/** Parses one YAML document (a scenario file). More than one document is an error. */
export function parseYamlFile(
  text: string,
  file: string,
  index: SourceIndex,
  basePath: readonly PathSegment[] = [],
): Converted {
  const lines = new LineCounter();
  const docs = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter: lines });
  const list = Array.isArray(docs) ? docs : [];
  if (list.length > 1) {
    const second = list[1];
    const offset = second?.range[0] ?? 0;
    const pos = lines.linePos(offset);
    return {
      value: null,
      issues: [
        {
          code: 'yaml-multiple-documents',
          severity: 'error',
          path: '',
          file,
          line: pos.line,
          column: pos.col,
          message:
            'a scenario file holds one YAML document, but this one has more ("---" starts a new document)',
          hint: 'remove the "---" separator, or move Kubernetes manifests into their own file and reference it with `manifests:`',
        },
      ],
    };
  }
  const doc = list[0] ?? parseDocument(text, { ...PARSE_OPTIONS, lineCounter: lines });
  return convertDocument(doc, file, lines, index, basePath);
}

/** Parses a multi-document YAML file (Kubernetes manifests); each document converted separately. */
export function parseYamlStream(
  text: string,
  file: string,
  index: SourceIndex,
): { values: unknown[]; issues: Issue[] } {
  const lines = new LineCounter();
  const parsed = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter: lines });
  const docs = Array.isArray(parsed) ? parsed : [];
  const values: unknown[] = [];
  const issues: Issue[] = [];
  docs.forEach((doc, i) => {
    const converted = convertDocument(
      doc,
      file,
      lines,
      index,
      docs.length > 1 ? [`[document ${i + 1}]`] : [],
    );
    issues.push(...converted.issues);
    if (converted.value !== null && converted.value !== undefined) values.push(converted.value);
  });
  return { values, issues };
}

function convertDocument(
  doc: Document,
  file: string,
  lines: LineCounter,
  index: SourceIndex,
  basePath: readonly PathSegment[],
): Converted {
  const issues: Issue[] = [];
  for (const error of doc.errors) issues.push(yamlIssue(error, file, lines));
  if (issues.length > 0) return { value: null, issues };
  const ctx: ConvertContext = { file, lines, doc, index, issues, nodes: 0, aborted: false };
  const value = convertNode(doc.contents as Node | null, ctx, basePath, 0);
  return { value: ctx.aborted ? null : value, issues };
}

function yamlIssue(error: YAMLError, file: string, lines: LineCounter): Issue {
  const pos = lines.linePos(error.pos[0]);
  const code: IssueCode = error.code === 'DUPLICATE_KEY' ? 'yaml-duplicate-key' : 'yaml-syntax';
  const message = error.message.split('\n')[0] ?? error.message;
  return {
    code,
    severity: 'error',
    path: '',
    file,
    line: pos.line,
    column: pos.col,
    message: `YAML: ${message}`,
    hint:
      YAML_HINTS[error.code] ??
      'check the indentation (spaces only) and the quoting on this line and the one before it',
  };
}

const YAML_HINTS: Readonly<Record<string, string>> = {
  DUPLICATE_KEY: 'each key may appear once in a mapping: remove or rename one of them',
  TAB_AS_INDENT: 'YAML indentation must use spaces, not tabs',
  BAD_INDENT: 'check the indentation here, and that every [ and { above is closed',
  MISSING_CHAR: 'a closing quote or bracket is missing',
  BLOCK_AS_IMPLICIT_KEY: 'put a space after the colon ("key: value") and check the indentation',
  MULTILINE_IMPLICIT_KEY: 'a key must fit on one line: check for a missing colon or an unclosed quote above',
  UNEXPECTED_TOKEN: 'check for a stray character, a missing colon, or an unclosed quote or bracket',
  ALIAS_PROPS: 'an alias (*name) cannot carry an anchor or tag',
  BAD_ALIAS: 'define the anchor (&name) before using the alias (*name)',
};

function convertNode(
  node: Node | null,
  ctx: ConvertContext,
  path: readonly PathSegment[],
  depth: number,
): unknown {
  if (ctx.aborted) return null;
  if (node === null || node === undefined) return null;
  if (++ctx.nodes > MAX_NODES) {
    abort(
      ctx,
      node,
      path,
      'yaml-too-large',
      `the document expands to more than ${MAX_NODES} values (aliases included)`,
    );
    return null;
  }
  if (depth > MAX_DEPTH) {
    abort(
      ctx,
      node,
      path,
      'yaml-too-deep',
      `the document nests deeper than ${MAX_DEPTH} levels (or an alias refers to itself)`,
    );
    return null;
  }
  if (isAlias(node)) {
    const target = node.resolve(ctx.doc);
    return convertNode((target ?? null) as Node | null, ctx, path, depth + 1);
  }
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'bigint') return Number(v);
    if (v instanceof Uint8Array) return '<binary>';
    return v ?? null;
  }
  if (isSeq(node)) {
    const out: unknown[] = [];
    const entries = new Map<PathSegment, { key: number; value: number }>();
    node.items.forEach((item, i) => {
      const itemNode = item as Node | null;
      const offset = itemNode?.range?.[0] ?? node.range?.[0] ?? 0;
      entries.set(i, { key: offset, value: offset });
      out.push(convertNode(itemNode, ctx, [...path, i], depth + 1));
    });
    ctx.index.set(out, [makeOrigin(ctx, node, path, entries)]);
    return out;
  }
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    const entries = new Map<PathSegment, { key: number; value: number }>();
    const merges: Node[] = [];
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as Node | null;
      const valueNode = pair.value as Node | null;
      if (isScalar(keyNode) && typeof keyNode.value === 'symbol' && keyNode.value.description === '<<') {
        if (valueNode) merges.push(valueNode);
        continue;
      }
      const key = scalarKey(keyNode);
      if (key === null) {
        abort(
          ctx,
          keyNode ?? node,
          path,
          'yaml-complex-key',
          'a mapping key must be a plain value, not a list or mapping',
        );
        return null;
      }
      const keyOffset = keyNode?.range?.[0] ?? node.range?.[0] ?? 0;
      const valueOffset = valueNode?.range?.[0] ?? keyOffset;
      entries.set(key, { key: keyOffset, value: valueOffset });
      // Own-property define: keys like "__proto__" must stay data, never touch the prototype.
      Object.defineProperty(out, key, {
        value: convertNode(valueNode, ctx, [...path, key], depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    // YAML merge keys (<<: *base): merged entries never override explicit ones.
    for (const m of merges) {
      const sources = isSeq(m) ? (m.items as Node[]) : [m];
      for (const src of sources) {
        const merged = convertNode(src, ctx, path, depth + 1);
        if (merged === null || typeof merged !== 'object' || Array.isArray(merged)) continue;
        const mergedOrigin = ctx.index.get(merged)[0];
        for (const [k, v] of Object.entries(merged)) {
          if (Object.hasOwn(out, k)) continue;
          Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
          const e = mergedOrigin?.entries.get(k);
          if (e) entries.set(k, e);
        }
      }
    }
    ctx.index.set(out, [makeOrigin(ctx, node, path, entries)]);
    return out;
  }
  return null;
}

function scalarKey(node: Node | null): string | null {
  if (node === null || node === undefined) return '';
  if (!isScalar(node)) return null;
  const v = node.value;
  if (v === null || v === undefined) return '';
  if (typeof v === 'symbol') return null;
  return String(v);
}

function makeOrigin(
  ctx: ConvertContext,
  node: Node,
  path: readonly PathSegment[],
  entries: Map<PathSegment, { key: number; value: number }>,
): Origin {
  return { file: ctx.file, lines: ctx.lines, offset: node.range?.[0] ?? 0, path, entries };
}

function abort(
  ctx: ConvertContext,
  node: Node,
  path: readonly PathSegment[],
  code: IssueCode,
  message: string,
): void {
  if (ctx.aborted) return;
  ctx.aborted = true;
  const pos = ctx.lines.linePos(node.range?.[0] ?? 0);
  ctx.issues.push({
    code,
    severity: 'error',
    path: formatPath(path.length > 12 ? [...path.slice(0, 12), '…'] : path),
    file: ctx.file,
    line: pos.line,
    column: pos.col,
    message,
    hint:
      code === 'yaml-complex-key'
        ? 'write the key as a plain string'
        : 'simplify the document: fewer nested levels, or aliases that do not refer to themselves',
  });
}

/**
 * RFC 7386 JSON merge patch, extended for lists of named items: when every item of both lists is
 * a mapping with a string `name`, items merge by name (new names are appended); other lists are
 * replaced. `null` in the patch deletes. Origins of both sides are kept (patch first).
 */
export function mergePatch(base: unknown, patch: unknown, index: SourceIndex): unknown {
  if (patch === null || typeof patch !== 'object') return patch;
  if (Array.isArray(patch)) {
    if (Array.isArray(base) && isNamedList(base) && isNamedList(patch)) {
      const out: unknown[] = base.map((item) => item);
      for (const p of patch) {
        const name = (p as { name: string }).name;
        const at = out.findIndex((b) => (b as { name: string }).name === name);
        if (at >= 0) out[at] = mergePatch(out[at], p, index);
        else out.push(stripNulls(p, index));
      }
      index.set(out, [...index.get(patch), ...index.get(base)]);
      return out;
    }
    return stripNulls(patch, index);
  }
  const baseObj =
    base !== null && typeof base === 'object' && !Array.isArray(base)
      ? (base as Record<string, unknown>)
      : {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(baseObj)) {
    Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete out[k];
      continue;
    }
    const merged = mergePatch(Object.hasOwn(out, k) ? out[k] : undefined, v, index);
    Object.defineProperty(out, k, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  index.set(out, [
    ...index.get(patch),
    ...(base !== null && typeof base === 'object' ? index.get(base) : []),
  ]);
  return out;
}

function isNamedList(list: readonly unknown[]): boolean {
  return (
    list.length > 0 &&
    list.every(
      (x) =>
        x !== null &&
        typeof x === 'object' &&
        !Array.isArray(x) &&
        typeof (x as { name?: unknown }).name === 'string',
    )
  );
}

/**
 * Drops mapping entries whose value is null (`key:` with nothing after it means "not set"; in a
 * patch it means "delete"). Origins are kept.
 */
export function stripNulls(value: unknown, index: SourceIndex): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = value.map((v) => stripNulls(v, index));
    index.set(out, index.get(value));
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    Object.defineProperty(out, k, {
      value: stripNulls(v, index),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  index.set(out, index.get(value));
  return out;
}
