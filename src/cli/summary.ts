/**
 * The compact terminal summary of a run. Deliberately plain: src/report will provide the richer
 * rendering (tables, timeline, colour); this stays as the fallback and is easy to replace.
 */
import type { RunResult } from '../model/result.js';
import { formatOffset, formatPercent } from '../report/format.js';
import { formatDuration } from '../scenario/units.js';
import type { Style } from './io.js';

const fmt = (n: number | null | undefined, digits = 3): string =>
  n === null || n === undefined || !Number.isFinite(n) ? '-' : String(Number(n.toPrecision(digits)));
/** A time in the run, "T+0:11:10", to the second (event times carry the kernel's full precision). */
const at = (t: number | null | undefined): string => (t === null || t === undefined ? '-' : formatOffset(t));

export function renderRunSummary(
  result: RunResult,
  options: { readonly style: Style; readonly wallSeconds: number; readonly jsonTarget: string | null },
): string {
  const s = options.style;
  const lines: string[] = [];
  lines.push(
    `${s.bold(result.scenario.name)} seed ${result.seed}: simulated ${formatDuration(result.simulatedSeconds)} in ${options.wallSeconds.toFixed(1)} s`,
  );
  const header = [
    'cluster',
    'nodes',
    'p99 mut/get/list (s)',
    'saturated',
    'rejected',
    'restarts',
    'notReady',
    'avail min',
  ];
  const rows = result.clusters.map((c) => {
    const api = c.summary.apiserver;
    return [
      c.name,
      String(c.nodes),
      api
        ? `${fmt(api.worstP99Seconds.mutating)}/${fmt(api.worstP99Seconds.get)}/${fmt(api.worstP99Seconds.list)}`
        : '-',
      api ? at(api.saturatedAt) : '-',
      api ? `${fmt(api.rejectedFraction * 100)}%` : '-',
      api ? String(api.restarts) : '-',
      c.summary.nodes ? String(c.summary.nodes.notReadyMax) : '-',
      c.summary.services ? formatPercent(c.summary.services.availabilityMin) : '-',
    ];
  });
  const shown = rows.slice(0, 20);
  const widths = header.map((h, i) => Math.max(h.length, ...shown.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  lines.push(s.dim(line(header)));
  for (const r of shown) lines.push(line(r));
  if (rows.length > shown.length)
    lines.push(s.dim(`  ... and ${rows.length - shown.length} more clusters (see the JSON)`));
  if (result.clusters.every((c) => Object.keys(c.summary).length === 0 && c.series.length === 0)) {
    lines.push(s.yellow('  no metrics recorded: no model components produced data for this run'));
  }
  const milestones = Object.entries(result.milestones);
  if (milestones.length > 0) {
    lines.push('milestones:');
    for (const [name, t] of milestones) lines.push(`  ${name.padEnd(26)} ${at(t)}`);
  }
  lines.push(`events: ${result.events.length}`);
  for (const e of result.events.slice(0, 8))
    lines.push(s.dim(`  ${at(e.t).padStart(10)}  ${e.cluster}  ${e.kind}: ${e.message}`));
  if (result.events.length > 8) lines.push(s.dim(`  ... ${result.events.length - 8} more in the JSON`));
  if (options.jsonTarget === null) lines.push(s.dim('full result (time series, events): add --json FILE'));
  else if (options.jsonTarget !== '-') lines.push(`full result written to ${s.bold(options.jsonTarget)}`);
  return `${lines.join('\n')}\n`;
}
