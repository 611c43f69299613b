/**
 * `renderHtmlReport(result)`: one self-contained HTML file. Scripts, styles and data are inlined; a
 * Content-Security-Policy meta tag allows exactly those inline blocks (by sha256) and nothing else,
 * so the page makes no request at all and opens from disk. Every string from a scenario is escaped
 * here, or reaches the page as data that the browser script only ever sets as text.
 *
 * Charts use uPlot (a runtime dependency, read from node_modules at generation time): canvas
 * rendering that stays fast on hundreds of thousands of points, about 50 KB minified.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { RunResult, VariantResult } from '../model/result.js';
import { REPORT_SCRIPT, REPORT_STYLE } from './assets/generated.js';
import { packBytes, packFloats, packJson, packSeries, quantizeRange } from './encode.js';
import { categorize, type MilestoneRow, milestoneRows } from './events.js';
import { formatDeltaMinutes, formatDuration, formatOffset, trimNumber } from './format.js';
import {
  BREACH,
  type ClusterHealth,
  computeClusterHealth,
  HEALTH_SIGNALS,
  NO_DATA_REASON,
} from './health.js';
import {
  displayUnit,
  displayValues,
  downsampleInto,
  FAMILIES,
  findFamily,
  labelValues,
} from './series-families.js';

/** The acceptance limit for the fm-009 replay's report (issue 7), in bytes. */
export const MAX_REPORT_BYTES = 15_000_000;

/**
 * Chart data budget. The rest of a fleet report is well under 2 MB, so this keeps the file far
 * enough under MAX_REPORT_BYTES that it also opens in about a second: parsing is linear in size,
 * and a 6 h chart ~600 px wide gains nothing visible from more than ~700 points.
 */
const DEFAULT_MAX_CHART_BYTES = 9_000_000;

export interface HtmlReportOptions {
  /** The command line that produced the result, shown so a reader can reproduce the run. */
  readonly command?: string;
  /**
   * Upper bound for the per-cluster chart data (base64 bytes). Charts are downsampled by the
   * smallest whole factor that fits; the heatmap always keeps every step.
   */
  readonly maxChartBytes?: number;
}

// ---- escaping ----

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for an HTML text node or a quoted attribute value. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** JSON that is inert inside a `<script type="application/json">` block: no `<`, `>` or `&` at all. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

function sha256(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

// ---- uPlot, read once from the installed package ----

let uplotAssets: { script: string; style: string } | undefined;

function loadUplot(): { script: string; style: string } {
  if (uplotAssets) return uplotAssets;
  const require = createRequire(import.meta.url);
  uplotAssets = {
    script: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8'),
    style: readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8'),
  };
  return uplotAssets;
}

function assertInlineSafe(text: string, closing: string): string {
  if (text.toLowerCase().includes(closing)) throw new Error(`an inline asset contains "${closing}"`);
  return text;
}

// ---- data for the browser ----

/** What every series of one metric shares; a series is then just its kind and its label values. */
interface SeriesKind {
  /** Index into families, -1 for "other metrics". */
  readonly f: number;
  /** Index of the metric within its family. */
  readonly m: number;
  readonly name: string;
  readonly role: string | null;
  readonly unit: string;
  readonly help: string;
}

/**
 * [index into seriesKinds, label values ("" if none)]. Series with the same label values share a
 * colour within a chart (server and client-observed "list"). Kinds are shared across clusters: the
 * fm-009 fleet has 11,000 series but a few dozen kinds.
 */
type SeriesRef = readonly [number, string];

interface ClusterData {
  readonly name: string;
  readonly region: string;
  readonly nodes: number;
  readonly worst: number;
  readonly breachSteps: number;
  readonly firstBreach: number | null;
  readonly summary: unknown;
  readonly series: readonly SeriesRef[];
  readonly blob: string;
}

export interface ReportData {
  readonly simulatedSeconds: number;
  readonly resolutionSeconds: number;
  readonly steps: number;
  readonly chartStepSeconds: number;
  readonly chartPoints: number;
  readonly breach: number;
  readonly reasons: readonly string[];
  readonly families: readonly unknown[];
  readonly seriesKinds: readonly SeriesKind[];
  readonly clusters: readonly ClusterData[];
  readonly defaultCluster: number;
  readonly heat: { readonly badness: string; readonly reason: string };
  readonly fleet: { readonly availability: string | null };
  readonly scopes: readonly string[];
  readonly kinds: readonly { readonly name: string; readonly category: string }[];
  readonly severities: readonly string[];
  readonly events: { readonly blob: string | null; readonly count: number };
  readonly milestones: readonly MilestoneRow[];
}

function stepCount(result: RunResult): number {
  let steps = Math.floor(result.simulatedSeconds / result.resolutionSeconds) + 1;
  for (const c of result.clusters) for (const s of c.series) steps = Math.max(steps, s.values.length);
  if (result.fleet) steps = Math.max(steps, result.fleet.availability.length);
  return steps;
}

/** `values` at exactly `length` steps, copied only when it must change. */
function fitLength(values: readonly (number | null)[], length: number): readonly (number | null)[] {
  return values.length === length ? values : padTo(values, length);
}

function padTo<T>(values: readonly (T | null)[], length: number): (T | null)[] {
  const out = values.slice(0, length);
  while (out.length < length) out.push(null);
  return out;
}

interface PreparedSeries {
  readonly kind: SeriesKind;
  readonly labels: string;
  readonly values: readonly (number | null)[];
  readonly aggregate: 'max' | 'min' | 'mean';
}

function prepareCluster(
  cluster: RunResult['clusters'][number],
  steps: number,
  stepSeconds: number,
): PreparedSeries[] {
  return cluster.series.map((s) => {
    const found = findFamily(s.name);
    return {
      kind: {
        f: found ? FAMILIES.indexOf(found.family) : -1,
        m: found ? found.family.metrics.indexOf(found.metric) : 0,
        name: s.name,
        role: found?.metric.role ?? null,
        unit: displayUnit(s),
        help: s.help,
      },
      labels: labelValues(s),
      values: fitLength(displayValues(s, stepSeconds), steps),
      aggregate: found?.family.aggregate ?? 'mean',
    };
  });
}

/** Interns series kinds in first-seen order (deterministic for a given result). */
function createKindTable(): { readonly kinds: SeriesKind[]; indexOf(kind: SeriesKind): number } {
  const kinds: SeriesKind[] = [];
  const index = new Map<string, number>();
  return {
    kinds,
    indexOf(kind) {
      const key = JSON.stringify([kind.f, kind.m, kind.name, kind.role, kind.unit, kind.help]);
      let i = index.get(key);
      if (i === undefined) {
        i = kinds.push(kind) - 1;
        index.set(key, i);
      }
      return i;
    },
  };
}

function packCluster(prepared: readonly PreparedSeries[], steps: number, factor: number): string {
  const points = Math.ceil(steps / factor);
  const all = new Float32Array(points * prepared.length);
  prepared.forEach((p, k) => {
    downsampleInto(p.values, factor, p.aggregate, all, k * points);
    quantizeRange(all, k * points, points);
  });
  return packFloats(all);
}

/**
 * The smallest downsampling factor whose chart data fits `budget`, estimated from a sample of
 * clusters (gzip cost is roughly linear in values), then confirmed on the whole fleet.
 */
function packAllClusters(
  prepared: readonly PreparedSeries[][],
  steps: number,
  budget: number,
): { blobs: string[]; factor: number } {
  const totalValues = prepared.reduce((n, c) => n + c.length * steps, 0);
  let factor = 1;
  if (totalValues > 2_000_000) {
    const sampleEvery = Math.max(1, Math.floor(prepared.length / 12));
    let sampleBytes = 0;
    let sampleValues = 0;
    for (let i = 0; i < prepared.length; i += sampleEvery) {
      const cluster = prepared[i]!;
      sampleBytes += packCluster(cluster, steps, 1).length;
      sampleValues += cluster.length * steps;
    }
    const estimate = (sampleBytes / Math.max(1, sampleValues)) * totalValues;
    factor = Math.max(1, Math.ceil((estimate * 1.05) / budget));
  }
  for (;;) {
    const blobs = prepared.map((c) => packCluster(c, steps, factor));
    const bytes = blobs.reduce((n, b) => n + b.length, 0);
    if (bytes <= budget || factor >= steps) return { blobs, factor };
    factor = Math.max(factor + 1, Math.ceil((factor * bytes) / budget));
  }
}

function healthBytes(
  health: readonly ClusterHealth[],
  steps: number,
): { badness: Uint8Array; reason: Uint8Array } {
  const badness = new Uint8Array(health.length * steps);
  const reason = new Uint8Array(health.length * steps);
  health.forEach((h, c) => {
    for (let i = 0; i < steps; i++) {
      const b = h.badness[i]!;
      badness[c * steps + i] = Number.isNaN(b) ? NO_DATA_REASON : Math.round(b * 250);
      reason[c * steps + i] = h.reason[i]!;
    }
  });
  return { badness, reason };
}

function buildData(result: RunResult, maxChartBytes: number): ReportData {
  const steps = stepCount(result);
  const res = result.resolutionSeconds;
  const health = result.clusters.map((c) => computeClusterHealth(c, steps, res));
  const prepared = result.clusters.map((c) => prepareCluster(c, steps, res));
  const { blobs, factor } = packAllClusters(prepared, steps, maxChartBytes);
  const kindTable = createKindTable();
  const clusters: ClusterData[] = result.clusters.map((c, i) => ({
    name: c.name,
    region: c.region,
    nodes: c.nodes,
    worst: health[i]!.worst,
    breachSteps: health[i]!.breachSteps,
    firstBreach: health[i]!.firstBreachStep,
    summary: c.summary,
    series: prepared[i]!.map((p): SeriesRef => [kindTable.indexOf(p.kind), p.labels]),
    blob: blobs[i]!,
  }));
  let defaultCluster = 0;
  clusters.forEach((c, i) => {
    const best = clusters[defaultCluster]!;
    if (c.worst > best.worst || (c.worst === best.worst && c.breachSteps > best.breachSteps))
      defaultCluster = i;
  });
  const { badness, reason } = healthBytes(health, steps);

  const scopes = result.clusters.map((c) => c.name);
  const scopeIndex = new Map<string, number>();
  scopes.forEach((name, i) => {
    if (!scopeIndex.has(name)) scopeIndex.set(name, i);
  });
  const kinds: { name: string; category: string }[] = [];
  const kindIndex = new Map<string, number>();
  const severities = ['info', 'warning', 'critical'];
  const rows = [...result.events]
    .sort((a, b) => a.t - b.t)
    .map((e) => {
      let scope = scopeIndex.get(e.cluster);
      if (scope === undefined) {
        scope = scopes.length;
        scopes.push(e.cluster);
        scopeIndex.set(e.cluster, scope);
      }
      let kind = kindIndex.get(e.kind);
      if (kind === undefined) {
        kind = kinds.length;
        kinds.push({ name: e.kind, category: categorize(e.kind) });
        kindIndex.set(e.kind, kind);
      }
      let severity = severities.indexOf(e.severity);
      if (severity < 0) severity = severities.push(e.severity) - 1;
      return [e.t, scope, kind, severity, e.message];
    });

  return {
    simulatedSeconds: result.simulatedSeconds,
    resolutionSeconds: res,
    steps,
    chartStepSeconds: res * factor,
    chartPoints: Math.ceil(steps / factor),
    breach: BREACH,
    reasons: HEALTH_SIGNALS.map((s) => s.label),
    families: FAMILIES.map((f) => ({
      id: f.id,
      title: f.title,
      log: f.isLogScale === true,
      summed: f.isSummed === true,
      marksRestarts: f.marksRestarts === true,
      thresholds: f.thresholds ?? [],
      metrics: f.metrics.map((m) => ({ name: m.name, role: m.role ?? null, dashed: m.isDashed === true })),
    })),
    seriesKinds: kindTable.kinds,
    clusters,
    defaultCluster,
    heat: { badness: packBytes(badness), reason: packBytes(reason) },
    fleet: { availability: result.fleet ? packSeries([padTo(result.fleet.availability, steps)]) : null },
    scopes,
    kinds,
    severities,
    events: { blob: rows.length > 0 ? packJson(rows) : null, count: rows.length },
    milestones: milestoneRows(result.milestones, result.published),
  };
}

// ---- server-rendered sections ----

function niceTimeStep(span: number): number {
  const candidates = [300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  return candidates.find((c) => span / c <= 8) ?? 86400;
}

function clockLabel(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.round((seconds % 3600) / 60);
  return `${h}:${String(m).padStart(2, '0')}`;
}

function milestonesSection(rows: readonly MilestoneRow[], simulatedSeconds: number): string {
  if (rows.length === 0) return '';
  const hasPublished = rows.some((r) => r.published !== null);
  let span = simulatedSeconds;
  for (const r of rows) span = Math.max(span, r.simulated ?? 0, r.published ?? 0);
  const tickStep = niceTimeStep(span);
  span = Math.ceil(span / tickStep) * tickStep;
  const width = 640;
  const left = 170;
  const right = 86;
  const rowH = 24;
  const top = 8;
  const height = top + rows.length * rowH + 24;
  const x = (t: number): number => left + (t / span) * (width - left - right);
  const parts: string[] = [];
  for (let t = 0; t <= span; t += tickStep) {
    parts.push(
      `<line class="axis" x1="${x(t).toFixed(1)}" x2="${x(t).toFixed(1)}" y1="${top}" y2="${top + rows.length * rowH}"/>`,
      `<text class="muted" x="${x(t).toFixed(1)}" y="${height - 8}" text-anchor="middle">${clockLabel(t)}</text>`,
    );
  }
  rows.forEach((r, i) => {
    const cy = top + i * rowH + rowH / 2;
    parts.push(`<text x="4" y="${cy + 4}">${escapeHtml(r.label)}</text>`);
    if (r.simulated !== null && r.published !== null) {
      parts.push(
        `<line class="link" x1="${x(r.published).toFixed(1)}" x2="${x(r.simulated).toFixed(1)}" y1="${cy}" y2="${cy}" stroke-width="3"/>`,
      );
    }
    if (r.published !== null)
      parts.push(`<circle class="pub" cx="${x(r.published).toFixed(1)}" cy="${cy}" r="5"/>`);
    if (r.simulated !== null)
      parts.push(`<circle class="sim" cx="${x(r.simulated).toFixed(1)}" cy="${cy}" r="4.5"/>`);
    const delta =
      r.simulated === null
        ? 'not reached'
        : r.published === null
          ? ''
          : formatDeltaMinutes(r.simulated - r.published);
    parts.push(`<text class="muted" x="${width - right + 8}" y="${cy + 4}">${escapeHtml(delta)}</text>`);
  });
  const svg = `<svg role="img" aria-label="Simulated and published milestones" viewBox="0 0 ${width} ${height}" width="100%">${parts.join('')}</svg>`;
  const tableRows = rows
    .map((r) => {
      const delta = r.simulated !== null && r.published !== null ? r.simulated - r.published : null;
      const cls = delta === null ? '' : delta > 60 ? 'delta-late' : delta < -60 ? 'delta-early' : '';
      return `<tr><td>${escapeHtml(r.label)}</td><td class="num mono">${formatOffset(r.simulated)}</td>${
        hasPublished ? `<td class="num mono">${formatOffset(r.published)}</td>` : ''
      }${hasPublished ? `<td class="num ${cls}">${delta === null ? '—' : escapeHtml(formatDeltaMinutes(delta))}</td>` : ''}</tr>`;
    })
    .join('');
  return `<section id="milestones"><h2>Milestones${hasPublished ? ': simulated vs published' : ''}</h2>
<p class="hint">Seconds since scenario start. The simulation never takes a published time as input: ${
    hasPublished
      ? 'the published timeline is drawn beside the simulated one only to compare.'
      : 'these are outputs.'
  }</p>
<div class="legend"><span class="item"><svg width="14" height="12"><circle class="sim" cx="7" cy="6" r="4.5"/></svg>simulated</span>${
    hasPublished
      ? '<span class="item"><svg width="14" height="12"><circle class="pub" cx="7" cy="6" r="5"/></svg>published</span>'
      : ''
  }</div>
<div class="split"><div>${svg}</div><table><thead><tr><th>Milestone</th><th class="num">Simulated</th>${
    hasPublished ? '<th class="num">Published</th><th class="num">Δ</th>' : ''
  }</tr></thead><tbody>${tableRows}</tbody></table></div></section>`;
}

type VariantMetric = keyof Pick<
  VariantResult,
  | 'customerImpactMinutes'
  | 'clustersAffected'
  | 'timeToDetectMinutes'
  | 'timeToMitigateMinutes'
  | 'timeToFullRecoveryMinutes'
>;

const VARIANT_METRICS: readonly { key: VariantMetric; label: string; unit: string }[] = [
  { key: 'customerImpactMinutes', label: 'Customer impact', unit: 'min' },
  { key: 'clustersAffected', label: 'Clusters affected', unit: '' },
  { key: 'timeToDetectMinutes', label: 'Time to detect', unit: 'min' },
  { key: 'timeToMitigateMinutes', label: 'Time to mitigate', unit: 'min' },
  { key: 'timeToFullRecoveryMinutes', label: 'Time to full recovery', unit: 'min' },
];

function truncate(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function variantBars(variants: readonly VariantResult[], metric: (typeof VARIANT_METRICS)[number]): string {
  const values = variants.map((v) => v[metric.key]);
  const present = values.filter((v): v is number => v !== null);
  const max = Math.max(1, ...present);
  const best = present.length > 0 ? Math.min(...present) : null;
  const width = 360;
  const left = 150;
  const right = 70;
  const rowH = 20;
  const parts = variants.map((v, i) => {
    const value = values[i] ?? null;
    const y = i * rowH;
    const barW = value === null ? 0 : Math.max(1, (value / max) * (width - left - right));
    const text = value === null ? 'n/a' : `${trimNumber(value)}${metric.unit ? ` ${metric.unit}` : ''}`;
    return `<g><title>${escapeHtml(v.name)}</title><text x="0" y="${y + 14}">${escapeHtml(truncate(v.name, 22))}</text>${
      value === null
        ? ''
        : `<rect class="bar${value === best ? ' best' : ''}" x="${left}" y="${y + 4}" width="${barW.toFixed(1)}" height="${rowH - 8}" rx="2"/>`
    }<text class="muted" x="${(left + barW + 6).toFixed(1)}" y="${y + 14}">${escapeHtml(text)}</text></g>`;
  });
  const height = variants.length * rowH + 4;
  return `<div><h4>${escapeHtml(metric.label)}${metric.unit ? ` (${metric.unit})` : ''}</h4><svg role="img" aria-label="${escapeHtml(metric.label)} by variant" viewBox="0 0 ${width} ${height}" width="100%">${parts.join('')}</svg></div>`;
}

function variantsSection(variants: readonly VariantResult[]): string {
  if (variants.length === 0) return '';
  const best = new Map<VariantMetric, number>();
  for (const m of VARIANT_METRICS) {
    const present = variants.map((v) => v[m.key]).filter((v): v is number => v !== null);
    if (present.length > 0) best.set(m.key, Math.min(...present));
  }
  const cell = (v: VariantResult, m: (typeof VARIANT_METRICS)[number]): string => {
    const value = v[m.key];
    const isBest = value !== null && value === best.get(m.key);
    return `<td class="num${isBest ? ' best-cell' : ''}">${value === null ? 'n/a' : escapeHtml(trimNumber(value))}${isBest ? ' ★' : ''}</td>`;
  };
  const rows = variants
    .map(
      (v) =>
        `<tr><td><b>${escapeHtml(v.name)}</b></td><td>${escapeHtml(v.description)}</td>${VARIANT_METRICS.map((m) => cell(v, m)).join('')}</tr>`,
    )
    .join('');
  return `<section id="variants"><h2>Variants side by side</h2>
<p class="hint">Each variant is the same scenario and seed with one change. Minutes; lower is better (★ best). n/a: nothing to detect, mitigate or recover.</p>
<table><thead><tr><th>Variant</th><th>What changes</th>${VARIANT_METRICS.map(
    (m) => `<th class="num">${escapeHtml(m.label)}${m.unit ? ` (${m.unit})` : ''}</th>`,
  ).join('')}</tr></thead><tbody>${rows}</tbody></table>
<div class="bars">${VARIANT_METRICS.map((m) => variantBars(variants, m)).join('')}</div></section>`;
}

function parametersSection(result: RunResult): string {
  const params = result.parameters;
  const fitted = params.filter((p) => p.fitted !== undefined).length;
  const rows = params
    .map(
      (p) =>
        `<tr><td class="mono">${escapeHtml(p.component)}</td><td class="mono">${escapeHtml(p.name)}</td><td class="num mono">${escapeHtml(
          String(p.value),
        )}</td><td>${escapeHtml(p.unit)}</td><td class="mono">${escapeHtml(p.source)}</td><td>${
          p.fitted === undefined ? '' : `<span class="fitted">fitted:</span> ${escapeHtml(p.fitted)}`
        }</td></tr>`,
    )
    .join('');
  return `<section id="parameters"><h2>Scenario parameters</h2>
<p class="hint">${params.length} parameters in force, ${fitted} fitted (not from a source; the reason is given). With the seed and version above they reproduce this run.</p>
<div class="row"><label>filter <input id="param-filter" type="search" placeholder="name, component, source…"></label></div>
<table><thead><tr><th>Component</th><th>Parameter</th><th class="num">Value</th><th>Unit</th><th>Source</th><th>Fitted</th></tr></thead><tbody id="parameter-rows">${rows}</tbody></table></section>`;
}

function headerSection(result: RunResult, data: ReportData, options: HtmlReportOptions): string {
  const totalNodes = result.clusters.reduce((n, c) => n + c.nodes, 0);
  const facts: [string, string][] = [
    ['scenario', result.scenario.name],
    ['source', result.scenario.source],
    ['seed', String(result.seed)],
    ['stormglass', result.stormglassVersion],
    ['result schema', String(result.schemaVersion)],
    ['simulated', formatDuration(result.simulatedSeconds)],
    ['resolution', `${trimNumber(result.resolutionSeconds)} s`],
    ['clusters', result.clusters.length.toLocaleString('en-US')],
    ['nodes', totalNodes.toLocaleString('en-US')],
    ['events', result.events.length.toLocaleString('en-US')],
  ];
  const command = options.command
    ? `<div class="row"><span class="hint">reproduce:</span> <code>${escapeHtml(options.command)}</code></div>`
    : '';
  const note =
    data.chartStepSeconds > data.resolutionSeconds
      ? `<p class="note">Per-cluster charts show one point per ${trimNumber(data.chartStepSeconds)} s (the worst value in each interval: max for latency, queues and load, min for availability and Ready nodes) so this file stays under 15 MB. The heatmap and the JSON result keep every ${trimNumber(data.resolutionSeconds)} s step.</p>`
      : '';
  return `<header class="top"><div class="brand"><b>stormglass</b> report</div>
<h1>${escapeHtml(result.scenario.name)}</h1>
<p class="desc">${escapeHtml(result.scenario.description)}</p>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>${command}${note}</header>`;
}

const MARKER_LEGEND = `<div class="legend">
<span class="item"><input type="checkbox" id="mark-rollout" checked><span class="swatch line rollout"></span><label for="mark-rollout">rollout reached the cluster</label></span>
<span class="item"><input type="checkbox" id="mark-response" checked><span class="swatch line dashed response"></span><label for="mark-response">operator action</label></span>
<span class="item"><input type="checkbox" id="mark-alert" checked><span class="swatch line alert"></span><label for="mark-alert">alert firing</label></span>
<span class="item"><input type="checkbox" id="mark-restart" checked><span class="swatch line restart"></span><label for="mark-restart">API server restart (OOM kill)</label></span>
</div>`;

function fleetSection(result: RunResult, data: ReportData): string {
  const milestoneLegend =
    data.milestones.length > 0
      ? '<span class="item"><span class="swatch line sim"></span>simulated milestone</span><span class="item"><span class="swatch line dashed pub"></span>published milestone</span>'
      : '';
  return `<section id="fleet"><h2>Fleet health</h2>
<p class="hint">Fleet-wide availability and how many clusters breach an objective, then one row per cluster over time, coloured by its worst signal (service availability, API p99 against the 1 s / 30 s SLOs, APF rejections, replicas down, Ready nodes, DNS SERVFAILs, etcd latency). Hover for the reason; click a row for that cluster’s charts.</p>
<div class="row"><label>order rows by <select id="heat-order"><option value="first-breach">first breach (cascade)</option><option value="worst">worst first</option><option value="region">region</option><option value="name">name</option><option value="listed">as in the scenario</option></select></label>
<div class="legend"><span class="item"><span class="swatch ok"></span>healthy</span><span class="item"><span class="swatch watch"></span>watch</span><span class="item"><span class="swatch breach"></span>objective breached</span><span class="item"><span class="swatch bad"></span>bad</span><span class="item"><span class="swatch severe"></span>severe</span><span class="item"><span class="swatch nodata"></span>no data</span>${milestoneLegend}</div></div>
${MARKER_LEGEND}
<div id="fleet-chart" class="fleet-chart"></div>
<div class="heat-wrap"><canvas id="heatmap" aria-label="Fleet health heatmap: ${escapeHtml(String(result.clusters.length))} clusters by time"></canvas><div id="heat-cursor" class="heat-cursor" hidden></div><div id="heat-tip" class="tip" hidden></div></div>
<div class="heat-wrap"><canvas id="event-strip" aria-label="Events over time"></canvas><div id="strip-tip" class="tip" hidden></div></div>
</section>`;
}

function clusterSection(): string {
  return `<section id="cluster"><h2>Cluster</h2>
<div class="row"><label>cluster <select id="cluster-select"></select></label><span class="hint">drag across a chart to zoom every chart; double-click to reset</span></div>
<div class="cluster-head"><h3 id="cluster-name"></h3><span id="cluster-meta" class="hint"></span><span id="cluster-health" class="pill"></span></div>
<div id="cluster-summary" class="summary"></div>
<p id="no-charts" class="hint" hidden>This cluster recorded no series.</p>
<div id="charts" class="charts"></div>
<div id="other-section" hidden><h3>Other metrics</h3><div id="other-charts" class="charts"></div></div>
</section>`;
}

function eventsSection(): string {
  return `<section id="events"><h2>Event timeline</h2>
<div class="row"><label>category <select id="event-category"><option value="all">all</option><option value="rollout">rollout</option><option value="alert">alerts</option><option value="response">operator actions</option><option value="restart">restarts</option><option value="other">other</option></select></label>
<label>severity <select id="event-severity"><option value="all">all</option><option value="critical">critical</option><option value="warning">warning</option><option value="info">info</option></select></label>
<label><input id="event-selected" type="checkbox"> selected cluster only</label>
<label>search <input id="event-search" type="search" placeholder="text in cluster, kind or message"></label>
<span id="event-count" class="hint"></span></div>
<table><thead><tr><th class="num">Time</th><th>Where</th><th>Kind</th><th>Severity</th><th>What happened</th></tr></thead><tbody id="event-rows"></tbody></table>
<div class="row"><button id="event-more" type="button" hidden>show more</button></div></section>`;
}

/** Renders the whole report. Pure: the same result and options give the same bytes. */
export function renderHtmlReport(result: RunResult, options: HtmlReportOptions = {}): string {
  const data = buildData(result, options.maxChartBytes ?? DEFAULT_MAX_CHART_BYTES);
  const uplot = loadUplot();
  const style = assertInlineSafe(`${uplot.style}\n${REPORT_STYLE}`, '</style');
  const scripts = [assertInlineSafe(uplot.script, '</script'), assertInlineSafe(REPORT_SCRIPT, '</script')];
  const csp = [
    "default-src 'none'",
    `script-src ${scripts.map(sha256).join(' ')}`,
    `style-src ${sha256(style)}`,
    "img-src 'none'",
    "connect-src 'none'",
    "font-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const nav = [
    ['milestones', 'Milestones', data.milestones.length > 0],
    ['variants', 'Variants', result.variants.length > 0],
    ['fleet', 'Fleet', true],
    ['cluster', 'Cluster', true],
    ['events', 'Events', true],
    ['parameters', 'Parameters', true],
  ]
    .filter(([, , shown]) => shown)
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join('');
  const title = `${result.scenario.name} · stormglass report`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="stormglass ${escapeHtml(result.stormglassVersion)}">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
${headerSection(result, data, options)}
<nav class="toc">${nav}</nav>
<main>
<div id="report-error" class="error" hidden></div>
${milestonesSection(data.milestones, result.simulatedSeconds)}
${variantsSection(result.variants)}
${fleetSection(result, data)}
${clusterSection()}
${eventsSection()}
${parametersSection(result)}
</main>
<footer>Generated by stormglass ${escapeHtml(result.stormglassVersion)} from result schema ${escapeHtml(
    String(result.schemaVersion),
  )}. Self-contained: no network access. Exact values are in the JSON result.</footer>
<script type="application/json" id="report-data">${jsonForScript(data)}</script>
<script>${scripts[0]}</script>
<script>${scripts[1]}</script>
</body>
</html>
`;
}
