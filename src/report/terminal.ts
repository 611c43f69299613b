/**
 * `renderTerminalSummary(result, { color, width })`: what a run prints. Compact tables and a
 * timeline that read at 100 columns: fleet availability over time, the worst clusters as health
 * strips, milestones against the published ones, variants, and the first event of each kind.
 * The bar glyphs rise with badness, so the picture survives without colour (NO_COLOR, pipes).
 */
import type { ClusterResult, RunResult, VariantResult } from '../model/result.js';
import { categorize, type EventCategory, milestoneRows } from './events.js';
import { formatDeltaMinutes, formatDuration, formatOffset, formatPercent, trimNumber } from './format.js';
import { BREACH, computeClusterHealth } from './health.js';

export interface TerminalOptions {
  /** ANSI colours; the caller passes false for NO_COLOR, --no-color or a non-TTY stream. */
  readonly color: boolean;
  /** Columns to fit, 100 by default; never less than 60. */
  readonly width?: number;
  /** Clusters shown as health strips and in the table, worst first. */
  readonly maxClusters?: number;
}

type Paint = (text: string, ...codes: number[]) => string;

/** Scenario strings must not drive the terminal: control characters become U+FFFD. */
export function sanitize(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
}

function cut(text: string, width: number): string {
  const chars = [...sanitize(text)];
  if (chars.length <= width) return chars.join('');
  return width <= 1 ? chars.slice(0, width).join('') : `${chars.slice(0, width - 1).join('')}…`;
}

function padEnd(text: string, width: number): string {
  const t = cut(text, width);
  return t + ' '.repeat(Math.max(0, width - [...t].length));
}

function padStart(text: string, width: number): string {
  const t = cut(text, width);
  return ' '.repeat(Math.max(0, width - [...t].length)) + t;
}

const STRIP_GLYPHS = ['▁', '▃', '▅', '▇', '█'] as const;

/** Level 0 healthy .. 4 severe, -1 no data. */
function level(badness: number): number {
  if (Number.isNaN(badness)) return -1;
  if (badness < 0.15) return 0;
  if (badness < BREACH) return 1;
  if (badness < 0.7) return 2;
  if (badness < 0.95) return 3;
  return 4;
}

const LEVEL_CODES: readonly (readonly number[])[] = [[32], [33, 2], [33], [31], [1, 31]];

function strip(badness: Float64Array, columns: number, paint: Paint): string {
  const out: string[] = [];
  for (let x = 0; x < columns; x++) {
    const s0 = Math.floor((x * badness.length) / columns);
    const s1 = Math.max(s0 + 1, Math.floor(((x + 1) * badness.length) / columns));
    let worst = Number.NaN;
    for (let s = s0; s < s1 && s < badness.length; s++) {
      const b = badness[s]!;
      if (!Number.isNaN(b) && (Number.isNaN(worst) || b > worst)) worst = b;
    }
    const l = level(worst);
    out.push(l < 0 ? ' ' : paint(STRIP_GLYPHS[l]!, ...LEVEL_CODES[l]!));
  }
  return out.join('');
}

const AVAILABILITY_STEPS = [0.999, 0.995, 0.99, 0.98, 0.95, 0.9, 0.75, 0];

function availabilityLine(values: readonly (number | null)[], columns: number, paint: Paint): string {
  const out: string[] = [];
  const bars = ['█', '▇', '▆', '▅', '▄', '▃', '▂', '▁'];
  for (let x = 0; x < columns; x++) {
    const s0 = Math.floor((x * values.length) / columns);
    const s1 = Math.max(s0 + 1, Math.floor(((x + 1) * values.length) / columns));
    let min: number | null = null;
    for (let s = s0; s < s1 && s < values.length; s++) {
      const v = values[s];
      if (v !== null && v !== undefined && (min === null || v < min)) min = v;
    }
    if (min === null) {
      out.push(' ');
      continue;
    }
    // Bars by nines, not linearly: 99% and 100% must look different without colour.
    const glyph = bars[AVAILABILITY_STEPS.findIndex((floor) => min >= floor)] ?? '▁';
    const codes = min >= 0.999 ? [32] : min >= 0.99 ? [33] : [31];
    out.push(paint(glyph, ...codes));
  }
  return out.join('');
}

function timeRuler(simulatedSeconds: number, columns: number): string {
  const line = new Array<string>(columns).fill('─');
  const marks: [number, string][] = [];
  const step =
    [600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400].find(
      (s) => (s / simulatedSeconds) * columns >= 9,
    ) ?? 86400;
  for (let t = 0; t <= simulatedSeconds; t += step)
    marks.push([Math.round((t / simulatedSeconds) * (columns - 1)), clock(t)]);
  for (const [x, label] of marks) {
    const start = Math.min(Math.max(0, x), columns - label.length);
    if (line.slice(start, start + label.length).some((c) => c !== '─')) continue;
    for (let i = 0; i < label.length; i++) line[start + i] = label[i]!;
  }
  return line.join('');
}

function clock(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}`;
}

/** "42m", "1h42m": short enough for a table cell. */
function shortDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

const CLUSTER_COLUMNS: readonly [string, number][] = [
  ['nodes', 6],
  ['p99 mut', 8],
  ['p99 list', 8],
  ['rejected', 8],
  ['restarts', 8],
  ['notReady', 8],
  ['SERVFAIL', 8],
  ['avail', 7],
  ['breached', 8],
];

/** Which columns to drop first when the terminal is narrow: the least telling ones. */
const DROP_ORDER = ['nodes', 'notReady', 'restarts', 'rejected', 'p99 mut', 'SERVFAIL'];

function clusterColumns(width: number, minName: number): boolean[] {
  const keep = CLUSTER_COLUMNS.map(() => true);
  const used = (): number => CLUSTER_COLUMNS.reduce((n, [, w], i) => n + (keep[i] ? w + 1 : 0), 0);
  for (const name of DROP_ORDER) {
    if (width - 2 - used() >= minName) break;
    keep[CLUSTER_COLUMNS.findIndex(([l]) => l === name)] = false;
  }
  return keep;
}

function clusterRow(
  cluster: ClusterResult,
  breachSeconds: number,
  nameWidth: number,
  keep: readonly boolean[],
): string {
  const api = cluster.summary.apiserver;
  const p99 = (v: number | undefined): string =>
    v === undefined ? '—' : v < 1 ? `${trimNumber(v * 1000)}ms` : `${trimNumber(v)}s`;
  const cells = [
    cluster.nodes.toLocaleString('en-US'),
    p99(api?.worstP99Seconds.mutating),
    p99(api?.worstP99Seconds.list),
    api ? formatPercent(api.rejectedFraction) : '—',
    api ? String(api.restarts) : '—',
    cluster.summary.nodes ? String(cluster.summary.nodes.notReadyMax) : '—',
    cluster.summary.dns ? formatPercent(cluster.summary.dns.servfailFractionMax) : '—',
    cluster.summary.services ? formatPercent(cluster.summary.services.availabilityMin) : '—',
    breachSeconds > 0 ? shortDuration(breachSeconds) : '—',
  ];
  return [
    padEnd(cluster.name, nameWidth),
    ...cells.flatMap((c, i) => (keep[i] ? [padStart(c, CLUSTER_COLUMNS[i]![1])] : [])),
  ].join(' ');
}

const CATEGORY_CODES: Readonly<Record<EventCategory, readonly number[]>> = {
  rollout: [35],
  response: [36],
  alert: [33],
  restart: [31],
  other: [2],
};

function variantTable(variants: readonly VariantResult[], width: number, paint: Paint): string[] {
  const cols: [keyof VariantResult, string][] = [
    ['customerImpactMinutes', 'impact min'],
    ['clustersAffected', 'clusters'],
    ['timeToDetectMinutes', 'detect min'],
    ['timeToMitigateMinutes', 'mitigate min'],
    ['timeToFullRecoveryMinutes', 'recover min'],
  ];
  const nameWidth = Math.max(12, Math.min(28, width - cols.length * 13 - 2));
  const best = new Map<string, number>();
  for (const [key] of cols) {
    const present = variants.map((v) => v[key]).filter((v): v is number => typeof v === 'number');
    if (present.length > 0) best.set(key, Math.min(...present));
  }
  const lines = [
    paint(`  ${padEnd('variant', nameWidth)}${cols.map(([, l]) => padStart(l, 13)).join('')}`, 2),
  ];
  for (const v of variants) {
    const cells = cols.map(([key]) => {
      const value = v[key];
      const text = padStart(typeof value === 'number' ? trimNumber(value) : 'n/a', 13);
      return typeof value === 'number' && value === best.get(key) ? paint(text, 1, 32) : text;
    });
    lines.push(`  ${padEnd(v.name, nameWidth)}${cells.join('')}`);
  }
  return lines;
}

export function renderTerminalSummary(result: RunResult, options: TerminalOptions): string {
  const width = Math.max(60, options.width ?? 100);
  const paint: Paint = options.color
    ? (text, ...codes) => `\u001b[${codes.join(';')}m${text}\u001b[0m`
    : (text) => text;
  const lines: string[] = [];
  const steps = Math.floor(result.simulatedSeconds / result.resolutionSeconds) + 1;
  const totalNodes = result.clusters.reduce((n, c) => n + c.nodes, 0);

  lines.push(`${paint('stormglass', 1, 36)} ${paint(cut(result.scenario.name, width - 11), 1)}`);
  lines.push(
    paint(
      cut(
        `seed ${result.seed} · stormglass ${result.stormglassVersion} · ${formatDuration(result.simulatedSeconds)} simulated at ${trimNumber(result.resolutionSeconds)} s · ${result.clusters.length} clusters · ${totalNodes.toLocaleString('en-US')} nodes · ${result.events.length} events`,
        width,
      ),
      2,
    ),
  );
  if (result.scenario.description) lines.push(paint(cut(result.scenario.description, width), 2));

  const label = 22;
  const columns = width - label - 1;
  const health = result.clusters.map((c) => computeClusterHealth(c, steps, result.resolutionSeconds));
  if (result.clusters.length > 0 || result.fleet) {
    lines.push('', `${padEnd('', label)} ${paint(timeRuler(result.simulatedSeconds, columns), 2)}`);
  }
  if (result.fleet) {
    let min = 1;
    let minAt = 0;
    result.fleet.availability.forEach((v, i) => {
      if (v !== null && v < min) {
        min = v;
        minAt = i * result.resolutionSeconds;
      }
    });
    lines.push(
      `${padEnd('fleet availability', label)} ${availabilityLine(result.fleet.availability, columns, paint)}`,
    );
    lines.push(
      `${padEnd('', label)} ${paint(
        cut(
          `lowest ${formatPercent(min)} at ${formatOffset(minAt)} · █ ≥99.9% ▇ ≥99.5% ▆ ≥99% ▄ ≥95% ▂ ≥75%`,
          columns,
        ),
        2,
      )}`,
    );
  }
  const order = result.clusters
    .map((_, i) => i)
    .sort((a, b) => health[b]!.worst - health[a]!.worst || health[b]!.breachSteps - health[a]!.breachSteps);
  const maxClusters = options.maxClusters ?? 8;
  // Strips for the clusters that breached an objective; a few healthy ones when none or few did.
  const breachedOrder = order.filter((i) => health[i]!.worst >= BREACH);
  const shown = breachedOrder.slice(0, maxClusters);
  for (const i of order) if (shown.length < Math.min(3, maxClusters) && !shown.includes(i)) shown.push(i);
  for (const i of shown) {
    lines.push(`${padEnd(result.clusters[i]!.name, label)} ${strip(health[i]!.badness, columns, paint)}`);
  }
  if (result.clusters.length > 0) {
    const rest = result.clusters.length - shown.length;
    lines.push(
      `${padEnd('', label)} ${paint(
        cut(
          `${breachedOrder.length} of ${result.clusters.length} clusters breached an objective${rest > 0 ? `; ${rest} more not shown` : ''}`,
          columns,
        ),
        2,
      )}`,
      `${padEnd('', label)} ${paint(cut('▁ healthy  ▃ watch  ▅ objective breached  ▇ bad  █ severe', columns), 2)}`,
    );
  }

  const milestones = milestoneRows(result.milestones, result.published);
  if (milestones.length > 0) {
    const hasPublished = milestones.some((m) => m.published !== null);
    const labelWidth = Math.max(12, Math.min(34, width - 2 - 11 - (hasPublished ? 24 : 0)));
    lines.push('', paint('Milestones', 1));
    lines.push(
      paint(
        `  ${padEnd('', labelWidth)}${padStart('simulated', 11)}${hasPublished ? `${padStart('published', 11)}${padStart('Δ', 13)}` : ''}`,
        2,
      ),
    );
    for (const m of milestones) {
      const delta = m.simulated !== null && m.published !== null ? m.simulated - m.published : null;
      const deltaText =
        delta === null ? (m.simulated === null ? 'not reached' : '') : formatDeltaMinutes(delta);
      const painted =
        delta !== null && Math.abs(delta) > 600
          ? paint(padStart(deltaText, 13), 33)
          : padStart(deltaText, 13);
      lines.push(
        `  ${padEnd(m.label, labelWidth)}${padStart(formatOffset(m.simulated), 11)}${
          hasPublished ? `${padStart(formatOffset(m.published), 11)}${painted}` : ''
        }`,
      );
    }
  }

  if (result.variants.length > 0) {
    lines.push('', paint('Variants', 1), ...variantTable(result.variants, width, paint));
  }

  if (result.clusters.length > 0) {
    const keep = clusterColumns(width, 16);
    const fixed = CLUSTER_COLUMNS.reduce((n, [, w], i) => n + (keep[i] ? w + 1 : 0), 0);
    const nameWidth = Math.max(12, width - 2 - fixed);
    const head = [
      padEnd('cluster', nameWidth),
      ...CLUSTER_COLUMNS.flatMap(([l, w], i) => (keep[i] ? [padStart(l, w)] : [])),
    ];
    lines.push('', paint('Clusters, worst first', 1), paint(`  ${head.join(' ')}`, 2));
    for (const i of order.slice(0, Math.max(maxClusters, 5))) {
      const c = result.clusters[i]!;
      const row = clusterRow(c, health[i]!.breachSteps * result.resolutionSeconds, nameWidth, keep);
      lines.push(`  ${health[i]!.worst >= BREACH ? paint(row, 31) : row}`);
    }
    if (result.clusters.length > Math.max(maxClusters, 5)) {
      lines.push(
        paint(`  … ${result.clusters.length - Math.max(maxClusters, 5)} more clusters in the report`, 2),
      );
    }
  }

  if (result.events.length > 0) {
    // One line per kind at its first occurrence, with how often and how widely it happened.
    const kinds = new Map<
      string,
      { first: (typeof result.events)[number]; count: number; scopes: Set<string> }
    >();
    for (const e of result.events) {
      const k = kinds.get(e.kind);
      if (k) {
        k.count++;
        k.scopes.add(e.cluster);
        if (e.t < k.first.t) k.first = e;
      } else kinds.set(e.kind, { first: e, count: 1, scopes: new Set([e.cluster]) });
    }
    const rows = [...kinds.values()].sort((a, b) => a.first.t - b.first.t).slice(0, 16);
    lines.push('', paint('Timeline (first of each kind)', 1));
    for (const { first, count, scopes } of rows) {
      const where =
        count === 1 ? first.cluster : `×${count} · ${scopes.size} ${scopes.size === 1 ? 'place' : 'places'}`;
      const prefix = `  ${formatOffset(first.t)}  `;
      const room = width - [...prefix].length;
      const kindWidth = Math.max(12, Math.min(26, Math.floor(room * 0.3)));
      const whereWidth = Math.max(8, Math.min(16, Math.floor(room * 0.18)));
      const messageWidth = room - kindWidth - whereWidth - 2;
      lines.push(
        `${prefix}${paint(padEnd(first.kind, kindWidth), ...CATEGORY_CODES[categorize(first.kind)])} ${paint(
          padEnd(where, whereWidth),
          2,
        )}${messageWidth >= 8 ? ` ${cut(first.message, messageWidth)}` : ''}`,
      );
    }
    if (kinds.size > rows.length)
      lines.push(paint(`  … ${kinds.size - rows.length} more kinds in the report`, 2));
  }
  return `${lines.join('\n')}\n`;
}
