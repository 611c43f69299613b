/**
 * loadScenario: file (or built-in name) -> ResolvedScenario, through the validation pipeline:
 * YAML -> schema -> defaults -> cross-field rules, then the same for every variant. Returns
 * values; never throws for anything a user can get wrong.
 */
import fs from 'node:fs';
import path from 'node:path';
import { API_VERSION, scenarioSchema } from './schema.js';
import { didYouMean, type Issue, sortIssues } from './issues.js';
import type { ReadResult } from './manifests.js';
import { type LoadHost, type ResolveContext, resolveScenario } from './resolve.js';
import { MAX_FILE_BYTES, mergePatch, parseYamlFile, SourceIndex, stripNulls } from './source.js';
import type { LoadResult, ResolvedScenario } from './types.js';
import { builtInNames, builtInPath } from './builtins.js';
import { errorMap, translateZodIssues } from './zod-issues.js';

/** Reads files from disk, refusing anything larger than MAX_FILE_BYTES. */
export const nodeHost: LoadHost = {
  readFile(file: string): ReadResult {
    try {
      const stat = fs.statSync(file);
      if (stat.isDirectory()) return { kind: 'error', message: 'it is a directory' };
      if (stat.size > MAX_FILE_BYTES) {
        return {
          kind: 'error',
          message: `it is ${stat.size} bytes, more than the ${MAX_FILE_BYTES}-byte limit`,
        };
      }
      return { kind: 'ok', text: fs.readFileSync(file, 'utf8') };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
      return { kind: 'error', message: code ?? String(e) };
    }
  },
};

export interface LoadOptions {
  readonly host?: LoadHost;
  /** Portable name for results (default: the file path). */
  readonly source?: string;
}

const variantResults = new WeakMap<ResolvedScenario, ReadonlyMap<string, LoadResult>>();

/**
 * Loads a scenario from a file path, or a built-in by name ("agent-5k"). A path that exists wins
 * over a built-in of the same name.
 */
export function loadScenario(fileOrName: string, options: LoadOptions = {}): LoadResult {
  const host = options.host ?? nodeHost;
  let file = fileOrName;
  let read = host.readFile(file);
  if (read.kind === 'missing' && !fileOrName.includes('/') && !fileOrName.includes(path.sep)) {
    const builtIn = builtInPath(fileOrName);
    if (builtIn !== null) {
      file = builtIn;
      read = host.readFile(file);
    }
  }
  if (read.kind !== 'ok') {
    const suggestion = didYouMean(fileOrName.replace(/\.ya?ml$/, ''), builtInNames());
    return fail({
      code: read.kind === 'missing' ? 'file-not-found' : 'file-unreadable',
      severity: 'error',
      path: '',
      file: fileOrName,
      line: 0,
      column: 0,
      message:
        read.kind === 'missing'
          ? `no scenario file "${fileOrName}" and no built-in scenario of that name`
          : `cannot read "${fileOrName}": ${read.message}`,
      hint: suggestion
        ? `did you mean the built-in "${suggestion}"? (stormglass list shows them all)`
        : 'give a path to a scenario YAML file, or a built-in name from `stormglass list`',
    });
  }
  return loadScenarioText(read.text, file, {
    host,
    source: file === fileOrName ? fileOrName : `built-in:${fileOrName}`,
  });
}

/** Loads a scenario from text; `file` names it in issues and anchors relative manifest paths. */
export function loadScenarioText(text: string, file: string, options: LoadOptions = {}): LoadResult {
  const index = new SourceIndex();
  const parsed = parseYamlFile(text, file, index);
  if (parsed.issues.length > 0) return fail(...parsed.issues);
  return loadParsed(parsed.value, file, index, options);
}

/**
 * Loads a scenario given as a plain value (built in code, or parsed elsewhere) instead of YAML
 * text. Issues carry the path but no line (there is no text to point into); manifests are still
 * read relative to `file`.
 */
export function loadScenarioDocument(value: unknown, file: string, options: LoadOptions = {}): LoadResult {
  return loadParsed(value, file, new SourceIndex(), options);
}

function loadParsed(raw: unknown, file: string, index: SourceIndex, options: LoadOptions): LoadResult {
  const host = options.host ?? nodeHost;
  const shapeIssue = checkShape(raw, file, index);
  if (shapeIssue) return fail(shapeIssue);
  const manifests: ResolveContext['manifests'] = new Map();
  const source = options.source ?? file;
  const base = validate(raw, { file, index, host, manifests, prefix: '', source });
  if (!base.scenario) return fail(...base.issues);
  const warnings = base.issues.filter((i) => i.severity === 'warning');

  // Variants: each patch is merged into the scenario and the whole pipeline runs again, so a
  // variant that breaks the scenario fails at load time, with positions inside the patch.
  const results = new Map<string, LoadResult>();
  const variantIssues: Issue[] = [];
  const rawVariants = (raw as Record<string, unknown>).variants as Record<string, unknown> | undefined;
  for (const name of Object.keys(base.scenario.variants)) {
    const prefix = `variant "${name}": `;
    const at = ['variants', name];
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) || name.length > 63) {
      variantIssues.push(
        issueAt(
          raw,
          at,
          index,
          file,
          'bad-name',
          `variant name "${name}" is not valid`,
          "use lowercase letters, digits and '-' (RFC 1123 label)",
          'key',
        ),
      );
      continue;
    }
    const patch = ((rawVariants?.[name] as Record<string, unknown> | undefined)?.patch ?? {}) as Record<
      string,
      unknown
    >;
    const forbidden = Object.keys(patch).filter((k) =>
      ['apiVersion', 'kind', 'metadata', 'variants'].includes(k),
    );
    if (forbidden.length > 0) {
      for (const k of forbidden) {
        variantIssues.push(
          issueAt(
            raw,
            [...at, 'patch', k],
            index,
            file,
            'invalid-value',
            `${prefix}a variant cannot patch ${k}`,
            `remove ${k} from the patch`,
            'key',
          ),
        );
      }
      continue;
    }
    const merged = mergePatch(withoutKey(raw, 'variants', index), patch, index);
    const result = validate(merged, { file, index, host, manifests, prefix, source });
    if (!result.scenario) {
      variantIssues.push(...result.issues);
      continue;
    }
    const scenario: ResolvedScenario = { ...result.scenario, variant: name, variants: {} };
    results.set(name, {
      ok: true,
      scenario,
      warnings: result.issues.filter((i) => i.severity === 'warning'),
    });
  }
  if (variantIssues.some((i) => i.severity === 'error')) return fail(...variantIssues, ...warnings);
  variantResults.set(base.scenario, results);
  return { ok: true, scenario: base.scenario, warnings: sortIssues(warnings) };
}

/**
 * The scenario with a variant applied (validated when the scenario was loaded), or an
 * unknown-variant issue with a did-you-mean.
 */
export function applyVariant(scenario: ResolvedScenario, name: string): LoadResult {
  const found = variantResults.get(scenario)?.get(name);
  if (found) return found;
  const names = Object.keys(scenario.variants);
  const suggestion = didYouMean(name, names);
  return fail({
    code: 'unknown-variant',
    severity: 'error',
    path: 'variants',
    file: scenario.sourcePath,
    line: 0,
    column: 0,
    message: `scenario "${scenario.name}" has no variant "${name}"`,
    hint: suggestion
      ? `did you mean "${suggestion}"?`
      : names.length > 0
        ? `its variants: ${names.join(', ')}`
        : 'this scenario defines no variants',
  });
}

function fail(...issues: Issue[]): LoadResult {
  return { ok: false, issues: sortIssues(issues) };
}

function validate(
  doc: unknown,
  ctx: Omit<ResolveContext, 'root'>,
): { scenario: ResolvedScenario | null; issues: Issue[] } {
  const clean = stripNulls(doc, ctx.index);
  const parsed = scenarioSchema.safeParse(clean, { error: errorMap, reportInput: true });
  if (!parsed.success) {
    return {
      scenario: null,
      issues: translateZodIssues(parsed.error.issues, {
        root: clean,
        index: ctx.index,
        file: ctx.file,
        prefix: ctx.prefix,
      }),
    };
  }
  return resolveScenario(parsed.data, { ...ctx, root: clean });
}

function withoutKey(raw: unknown, key: string, index: SourceIndex): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k !== key)
      Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  }
  index.set(out, index.get(raw));
  return out;
}

function issueAt(
  root: unknown,
  at: readonly (string | number)[],
  index: SourceIndex,
  file: string,
  code: Issue['code'],
  message: string,
  hint: string,
  where: 'key' | 'value' = 'value',
): Issue {
  const loc = index.locate(root, at, where);
  return {
    code,
    severity: 'error',
    path: at
      .map((s) => (typeof s === 'number' ? `[${s}]` : s))
      .join('.')
      .replace(/\.\[/g, '['),
    file: loc?.file ?? file,
    line: loc?.line ?? 0,
    column: loc?.column ?? 0,
    message,
    hint,
  };
}

/** Catches files that are not scenarios at all before the schema buries it in field errors. */
function checkShape(raw: unknown, file: string, index: SourceIndex): Issue | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      code: 'not-a-scenario',
      severity: 'error',
      path: '',
      file,
      line: raw === null ? 0 : 1,
      column: raw === null ? 0 : 1,
      message:
        raw === null
          ? 'the file is empty'
          : 'a scenario is a YAML mapping, but this file holds a list or a single value',
      hint: `start the file with "apiVersion: ${API_VERSION}" and "kind: Scenario" (see stormglass validate --help)`,
    };
  }
  const doc = raw as Record<string, unknown>;
  if (doc.apiVersion !== API_VERSION && typeof doc.kind === 'string' && doc.kind !== 'Scenario') {
    return issueAt(
      raw,
      ['kind'],
      index,
      file,
      'not-a-scenario',
      `this is a Kubernetes ${doc.kind} manifest, not a stormglass scenario`,
      `reference it from a scenario instead: workloads: [{manifests: ${path.basename(file)}}]`,
    );
  }
  return null;
}
