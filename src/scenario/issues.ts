/**
 * Validation issues: what is wrong, where (file, line, column, YAML path) and how to fix it.
 * Every stage of the pipeline returns issues as values; only the CLI decides what to print.
 */

export type Severity = 'error' | 'warning';

/** Stable machine-readable codes (docs/scenario.md lists them). */
export type IssueCode =
  | 'file-not-found'
  | 'file-unreadable'
  | 'file-too-large'
  | 'yaml-syntax'
  | 'yaml-duplicate-key'
  | 'yaml-too-deep'
  | 'yaml-too-large'
  | 'yaml-complex-key'
  | 'yaml-multiple-documents'
  | 'not-a-scenario'
  | 'unknown-field'
  | 'missing-field'
  | 'wrong-type'
  | 'invalid-value'
  | 'out-of-range'
  | 'bad-duration'
  | 'bad-quantity'
  | 'bad-fraction'
  | 'bad-name'
  | 'bad-version'
  | 'bad-selector'
  | 'bad-expression'
  | 'duplicate-name'
  | 'unknown-reference'
  | 'limit-exceeded'
  | 'manifest-not-found'
  | 'manifest-unknown-kind'
  | 'manifest-invalid'
  | 'manifest-misplaced'
  | 'manifest-no-workload'
  | 'manifest-ambiguous-workload'
  | 'flowschema-missing-priority-level'
  | 'apf-mandatory-object'
  | 'rbac-forbids-access'
  | 'service-dependency-cycle'
  | 'feature-gate-unavailable'
  | 'rollout-conflict'
  | 'conflicting-fields'
  | 'unreached-clusters'
  | 'unknown-variant';

export interface Issue {
  readonly code: IssueCode;
  readonly severity: Severity;
  /** YAML path, e.g. "clusters[0].apiServer.replicas"; "" for the whole file. */
  readonly path: string;
  readonly file: string;
  /** 1-based; 0 when the issue concerns the whole file. */
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** How to fix it, as an instruction. */
  readonly hint: string;
}

export type PathSegment = string | number;

/** Formats a path like the YAML reads: clusters[0].apiServer.flags.max-requests-inflight. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

export function hasErrors(issues: readonly Issue[]): boolean {
  return issues.some((i) => i.severity === 'error');
}

/** Orders issues by file, then position, then path, so output is stable and reads top to bottom. */
export function sortIssues(issues: readonly Issue[]): Issue[] {
  return [...issues].sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      a.line - b.line ||
      a.column - b.column ||
      cmp(a.path, b.path) ||
      cmp(a.code, b.code) ||
      cmp(a.message, b.message),
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Levenshtein distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let curr = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      curr[j] = Math.min((prev[j] ?? 0) + 1, (curr[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length] ?? 0;
}

/**
 * The closest candidate, if it is close enough to be a plausible typo: distance at most a third
 * of the word (at least 1, at most 3), compared case-insensitively.
 */
export function didYouMean(word: string, candidates: Iterable<string>): string | null {
  const w = word.toLowerCase();
  let best: string | null = null;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  return best !== null && bestDistance <= allowed ? best : null;
}

/** "one of a, b or c" for hints. */
export function listChoices(choices: readonly string[]): string {
  const quoted = choices.map((c) => (c === '' ? '""' : c));
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}
