/**
 * What every command gets, and the helpers replay/compare (and any later command) reuse: load a
 * scenario or fail as a user error, print issues, parse --seed/--until, write JSON atomically.
 * A command is a module with register(program, ctx); commands/index.ts lists them.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { sortIssues, type Issue } from '../scenario/issues.js';
import { applyVariant, loadScenario } from '../scenario/load.js';
import { serializeChunks } from '../scenario/serialize.js';
import type { ResolvedScenario } from '../scenario/types.js';
import { formatDuration, parseDuration } from '../scenario/units.js';
import { UserError } from './errors.js';
import { type CliIo, createStyle, displayPath, isColorWanted, type Style, writeFileAtomic } from './io.js';

export interface CliContext {
  readonly io: CliIo;
  /** Styles for stdout and stderr (each decides colour from its own stream). */
  readonly out: Style;
  readonly err: Style;
  readonly version: string;
  /** Set by a command that finished but wants a non-zero exit (validate with errors). */
  exitCode: number;
}

export interface CommandModule {
  register(program: Command, ctx: CliContext): void;
}

export function createContext(io: CliIo, version: string): CliContext {
  return {
    io,
    out: createStyle(isColorWanted(io.stdout, io.env)),
    err: createStyle(isColorWanted(io.stderr, io.env)),
    version,
    exitCode: 0,
  };
}

/** One issue as what / where / how to fix. */
export function formatIssue(issue: Issue, style: Style, cwd: string): string {
  const label =
    issue.severity === 'error' ? style.red(style.bold('error')) : style.yellow(style.bold('warning'));
  const where =
    issue.line > 0
      ? `${displayPath(issue.file, cwd)}:${issue.line}:${issue.column}`
      : displayPath(issue.file, cwd);
  const at = issue.path ? ` ${style.dim('at')} ${issue.path}` : '';
  return `${label}: ${issue.message} ${style.dim(`[${issue.code}]`)}\n  ${style.cyan('-->')} ${where}${at}\n  ${style.green('fix:')} ${issue.hint}\n`;
}

export function writeIssues(ctx: CliContext, issues: readonly Issue[]): void {
  for (const issue of sortIssues(issues)) ctx.io.stderr.write(formatIssue(issue, ctx.err, ctx.io.cwd));
}

export function countIssues(issues: readonly Issue[]): string {
  const errors = issues.filter((i) => i.severity === 'error').length;
  const warnings = issues.length - errors;
  const parts: string[] = [];
  if (errors > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/**
 * Loads a scenario (file or built-in name), optionally with a variant applied. Prints warnings
 * (unless quiet); throws a UserError carrying every issue when it does not validate.
 */
export function loadOrFail(
  ctx: CliContext,
  fileOrName: string,
  options: { readonly variant?: string | undefined; readonly quiet?: boolean | undefined } = {},
): ResolvedScenario {
  const loaded = loadScenario(fileOrName);
  if (!loaded.ok) throw UserError.fromIssues(loaded.issues, `${fileOrName}: ${countIssues(loaded.issues)}`);
  let scenario = loaded.scenario;
  let warnings = loaded.warnings;
  if (options.variant !== undefined) {
    const applied = applyVariant(scenario, options.variant);
    if (!applied.ok)
      throw UserError.fromIssues(applied.issues, `${fileOrName}: ${countIssues(applied.issues)}`);
    scenario = applied.scenario;
    warnings = applied.warnings;
  }
  if (!options.quiet && warnings.length > 0) writeIssues(ctx, warnings);
  return scenario;
}

/** Writes a value as deterministic JSON to a file (atomically) or to stdout for "-". */
export function writeJson(ctx: CliContext, target: string, value: unknown): void {
  if (target === '-') {
    for (const chunk of serializeChunks(value)) ctx.io.stdout.write(chunk);
    return;
  }
  writeFileAtomic(target, serializeChunks(value));
}

/** `value` as a whole number written in digits only, or null. */
function wholeNumber(value: string): number | null {
  const n = Number(value);
  return /^\d+$/.test(value.trim()) && Number.isSafeInteger(n) ? n : null;
}

/** commander argParser for --seed. */
export function parseSeedOption(value: string): number {
  const n = wholeNumber(value);
  if (n === null || n > 2 ** 32 - 1) {
    throw new InvalidArgumentError(`"${value}" is not a seed; use a whole number from 0 to 4294967295.`);
  }
  return n;
}

/** commander argParser for --jobs: how many runs at once. */
export function parseJobsOption(value: string): number {
  const n = wholeNumber(value);
  if (n === null || n < 1) {
    throw new InvalidArgumentError(
      `"${value}" is not a number of jobs; use a whole number from 1 up (1 runs one at a time, in this process).`,
    );
  }
  return n;
}

/** commander argParser for --until: a Kubernetes-style duration, in seconds. */
export function parseUntilOption(value: string): number {
  const parsed = parseDuration(value);
  if (!parsed.ok) throw new InvalidArgumentError(`${parsed.message}.`);
  if (parsed.value <= 0) throw new InvalidArgumentError(`"${value}" must be longer than 0s (e.g. 10m).`);
  return parsed.value;
}

export { formatDuration };
