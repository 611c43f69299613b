/**
 * Groups a cluster's series into the charts an SRE expects, by metric name. A family only appears
 * when a run recorded one of its metrics; series no family claims go to "other metrics", one chart
 * per metric name. Nothing here assumes that a series exists.
 */
import type { SeriesDescriptor } from '../model/result.js';

/** How a chart shrinks several steps into one when the report must downsample to fit its size budget. */
export type Aggregate = 'max' | 'min' | 'mean';

export interface FamilyMetric {
  readonly name: string;
  /** Appended to the series label when a family draws several metrics ("client-observed"). */
  readonly role?: string;
  readonly isDashed?: boolean;
  /** Second y axis, for a metric whose unit differs from the family's first one. */
  readonly isRightAxis?: boolean;
}

export interface Threshold {
  readonly value: number;
  readonly label: string;
}

export interface Family {
  readonly id: string;
  readonly title: string;
  readonly metrics: readonly FamilyMetric[];
  readonly isLogScale?: boolean;
  readonly aggregate: Aggregate;
  /** Draw one line, the sum over all series, instead of one per series (replicas up). */
  readonly isSummed?: boolean;
  readonly thresholds?: readonly Threshold[];
  /** Mark this cluster's restarts on the chart with emphasis (CPU, memory, replicas). */
  readonly marksRestarts?: boolean;
}

/**
 * Upstream SLOs (kubernetes-mixin `kube-apiserver-slos`, k8s-mechanics.md): 1 s for mutating and
 * single-object reads, 30 s for cluster-scope LIST.
 */
export const API_SLO_SECONDS: Readonly<Record<string, number>> = { mutating: 1, get: 1, list: 30 };

export const FAMILIES: readonly Family[] = [
  {
    id: 'api-latency',
    title: 'API server p99 latency by verb class',
    metrics: [
      { name: 'apiserver_request_duration_seconds', role: 'server' },
      { name: 'apiserver_client_request_duration_seconds', role: 'client-observed', isDashed: true },
    ],
    isLogScale: true,
    aggregate: 'max',
    thresholds: [
      { value: 1, label: 'SLO 1 s (mutating, get)' },
      { value: 30, label: 'SLO 30 s (list)' },
    ],
  },
  {
    id: 'apf-seats',
    title: 'APF seats in use by priority level',
    metrics: [{ name: 'apiserver_flowcontrol_current_executing_seats' }],
    aggregate: 'max',
  },
  {
    id: 'apf-queued',
    title: 'APF requests queued by priority level',
    metrics: [{ name: 'apiserver_flowcontrol_current_inqueue_requests' }],
    aggregate: 'max',
  },
  {
    id: 'apf-rejected',
    title: 'APF rejected requests by reason',
    metrics: [{ name: 'apiserver_flowcontrol_rejected_requests_total' }],
    aggregate: 'max',
  },
  {
    id: 'cpu',
    title: 'API server CPU per replica',
    metrics: [{ name: 'process_cpu_cores' }],
    aggregate: 'max',
    marksRestarts: true,
  },
  {
    id: 'memory',
    title: 'API server memory per replica',
    metrics: [{ name: 'process_resident_memory_bytes' }],
    aggregate: 'max',
    marksRestarts: true,
  },
  {
    id: 'replicas',
    title: 'API server replicas up',
    metrics: [{ name: 'apiserver_replica_up' }],
    aggregate: 'min',
    isSummed: true,
    marksRestarts: true,
  },
  {
    id: 'etcd',
    title: 'etcd request p99 latency',
    metrics: [{ name: 'etcd_request_duration_seconds' }],
    isLogScale: true,
    aggregate: 'max',
  },
  {
    id: 'nodes',
    title: 'Ready nodes',
    metrics: [{ name: 'kube_node_status_ready' }],
    aggregate: 'min',
  },
  {
    id: 'dns',
    title: 'DNS answers and SERVFAILs',
    metrics: [
      { name: 'coredns_dns_requests_rate', role: 'answers' },
      { name: 'coredns_servfail_fraction', role: 'SERVFAIL', isRightAxis: true },
    ],
    aggregate: 'max',
  },
  {
    id: 'availability',
    title: 'Service availability',
    metrics: [{ name: 'service_availability' }],
    aggregate: 'min',
  },
];

const familyByMetric = new Map<string, { family: Family; metric: FamilyMetric }>();
for (const family of FAMILIES) {
  for (const metric of family.metrics) familyByMetric.set(metric.name, { family, metric });
}

export function findFamily(metricName: string): { family: Family; metric: FamilyMetric } | undefined {
  return familyByMetric.get(metricName);
}

/** Prometheus convention: a `_total` metric is a cumulative counter, shown as a per-second rate. */
export function isCounter(series: Pick<SeriesDescriptor, 'name'>): boolean {
  return series.name.endsWith('_total');
}

/** The unit a chart shows for a series: counters become rates. */
export function displayUnit(series: Pick<SeriesDescriptor, 'name' | 'unit'>): string {
  if (!isCounter(series)) return series.unit;
  return series.unit.endsWith('/s') ? series.unit : `${series.unit}/s`;
}

/**
 * A counter's per-second rate per step. A drop is a reset (a restarted process starts from 0), so
 * the rate over that step is the new value itself, as Prometheus' rate() treats it.
 */
export function counterRate(values: readonly (number | null)[], stepSeconds: number): (number | null)[] {
  const out: (number | null)[] = new Array(values.length).fill(null);
  let previous: number | null = null;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? null;
    if (v !== null && previous !== null) {
      const delta = v >= previous ? v - previous : v;
      out[i] = delta / stepSeconds;
    }
    if (v !== null) previous = v;
  }
  return out;
}

/** Values as a chart shows them: rates for counters, the raw value otherwise. */
export function displayValues(series: SeriesDescriptor, stepSeconds: number): readonly (number | null)[] {
  return isCounter(series) ? counterRate(series.values, stepSeconds) : series.values;
}

/**
 * Writes `values` shrunk by `factor` (steps per point) into `out` from `offset`, NaN where a bucket
 * has no value; `ceil(values.length / factor)` points. Nulls are skipped within a bucket.
 */
export function downsampleInto(
  values: readonly (number | null)[],
  factor: number,
  aggregate: Aggregate,
  out: Float32Array | Float64Array,
  offset: number,
): void {
  const points = Math.ceil(values.length / factor);
  for (let p = 0; p < points; p++) {
    const start = p * factor;
    const end = Math.min(values.length, start + factor);
    let acc = Number.NaN;
    let count = 0;
    for (let i = start; i < end; i++) {
      const v = values[i];
      if (v === null || v === undefined || Number.isNaN(v)) continue;
      if (count === 0) acc = v;
      else if (aggregate === 'max') acc = Math.max(v, acc);
      else if (aggregate === 'min') acc = Math.min(v, acc);
      else acc += v;
      count++;
    }
    out[offset + p] = aggregate === 'mean' && count > 0 ? acc / count : acc;
  }
}

/** `downsampleInto` as an array, null where a bucket has no value. */
export function downsample(
  values: readonly (number | null)[],
  factor: number,
  aggregate: Aggregate,
): (number | null)[] {
  const out = new Float64Array(Math.ceil(values.length / factor));
  downsampleInto(values, factor, aggregate, out, 0);
  return Array.from(out, (v) => (Number.isNaN(v) ? null : v));
}

/**
 * A series' label values joined by " · ", without the p99 quantile every latency chart shares; ""
 * if none. The browser shows this plus the metric's role ("list · client-observed"), or the metric
 * name when both are empty.
 */
export function labelValues(series: Pick<SeriesDescriptor, 'labels'>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(series.labels)) {
    // Every latency series in these charts is a p99: the quantile would only repeat the title.
    if (key === 'quantile' && value === '0.99') continue;
    parts.push(value);
  }
  return parts.join(' · ');
}
