/**
 * What run, replay and compare share after a simulation: the progress display, the JSON file, the
 * HTML report and the terminal summary.
 */
import type { RunResult } from '../model/result.js';
import { createProgress, renderTerminalSummary, writeReport } from '../report/index.js';
import type { CliContext } from './context.js';
import { writeJson } from './context.js';
import { displayPath } from './io.js';

export interface OutputOptions {
  readonly json?: string;
  readonly report?: string;
  readonly quiet?: boolean;
}

export interface RunProgress {
  update(p: { readonly simulated: number; readonly events: number }): void;
  finish(): void;
}

/** A progress line on a TTY for runs longer than about a second; nothing when quiet, piped or in CI. */
export function startProgress(
  ctx: CliContext,
  quiet: boolean,
  totalSimulatedSeconds: number,
  label: string,
): RunProgress {
  const progress = createProgress({
    stream: ctx.io.stderr,
    isTTY: ctx.io.stderr.isTTY === true && !quiet,
    totalSimulatedSeconds,
    label,
    env: ctx.io.env,
  });
  return { update: (p) => progress.update(p.simulated, p.events), finish: () => progress.finish() };
}

/** The stream human-readable output goes to: stderr when the JSON goes to stdout. */
export function humanStream(
  ctx: CliContext,
  options: OutputOptions,
): { stream: CliContext['io']['stdout']; color: boolean } {
  const toStderr = options.json === '-';
  return { stream: toStderr ? ctx.io.stderr : ctx.io.stdout, color: (toStderr ? ctx.err : ctx.out).enabled };
}

export async function writeOutputs(
  ctx: CliContext,
  result: RunResult,
  options: OutputOptions,
  command: string,
): Promise<string[]> {
  const notes: string[] = [];
  if (options.json !== undefined) {
    writeJson(ctx, options.json, result);
    if (options.json !== '-') notes.push(`JSON result: ${displayPath(options.json, ctx.io.cwd)}`);
  }
  if (options.report !== undefined) {
    const written = await writeReport(result, options.report, { command });
    notes.push(
      `HTML report: ${displayPath(written.path, ctx.io.cwd)} (${(written.bytes / 1e6).toFixed(1)} MB, open it in a browser)`,
    );
  }
  return notes;
}

export function printSummary(
  ctx: CliContext,
  result: RunResult,
  options: OutputOptions,
  extra: readonly string[],
): void {
  if (options.quiet === true) return;
  const { stream, color } = humanStream(ctx, options);
  const width = (stream as { columns?: number }).columns ?? 100;
  stream.write(renderTerminalSummary(result, { color, width: Math.min(width, 120) }));
  for (const line of extra) stream.write(`${line}\n`);
}
