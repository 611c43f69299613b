/**
 * A health score per cluster per step for the fleet heatmap, derived from whichever generic signals a
 * run recorded: service availability, API latency against the upstream SLOs, APF rejections, replicas
 * up, Ready nodes, DNS SERVFAILs, etcd latency. Each signal maps to a badness in [0, 1] on a log ramp
 * through three points: "fine" (0), "objective breached" (BREACH), "as bad as it gets" (1). The
 * cluster's badness is the worst signal's, and that signal is the reason shown on hover.
 * These ramps are report heuristics for colouring, not model parameters: they change no result.
 */
import type { ClusterResult, SeriesDescriptor } from '../model/result.js';
import { API_SLO_SECONDS, counterRate } from './series-families.js';

/** Badness at which a signal has crossed its objective: the heatmap turns amber here. */
export const BREACH = 0.4;

export interface HealthSignal {
  readonly id: string;
  readonly label: string;
}

/** Reason codes index this list; 0 means healthy. */
export const HEALTH_SIGNALS: readonly HealthSignal[] = [
  { id: 'healthy', label: 'all recorded signals within objectives' },
  { id: 'availability', label: 'service availability below 99.9%' },
  { id: 'api-latency', label: 'API p99 latency against SLO (server)' },
  { id: 'client-latency', label: 'API p99 latency against SLO (client-observed)' },
  { id: 'rejections', label: 'APF rejections' },
  { id: 'replicas', label: 'API server replicas down' },
  { id: 'nodes', label: 'nodes not Ready' },
  { id: 'dns', label: 'DNS SERVFAILs' },
  { id: 'etcd', label: 'etcd p99 latency' },
];

export const NO_DATA_REASON = 255;

export interface ClusterHealth {
  /** Badness per step in [0, 1]; NaN where the cluster recorded no signal. */
  readonly badness: Float64Array;
  /** Index into HEALTH_SIGNALS per step, NO_DATA_REASON where badness is NaN. */
  readonly reason: Uint8Array;
  readonly worst: number;
  /** Steps at or above BREACH. */
  readonly breachSteps: number;
  /** First step at or above BREACH, or null. */
  readonly firstBreachStep: number | null;
}

/** Log-scale ramp: 0 at or below `fine`, BREACH at `breach`, 1 at or above `worst`. */
export function ramp(x: number, fine: number, breach: number, worst: number): number {
  if (!(x > fine)) return 0;
  if (x >= worst) return 1;
  if (x < breach) return (BREACH * Math.log(x / fine)) / Math.log(breach / fine);
  return BREACH + ((1 - BREACH) * Math.log(x / breach)) / Math.log(worst / breach);
}

interface Accumulator {
  readonly badness: Float64Array;
  readonly reason: Uint8Array;
}

function consider(acc: Accumulator, step: number, reason: number, badness: number): void {
  if (!Number.isFinite(badness)) return;
  const current = acc.badness[step]!;
  if (Number.isNaN(current) || badness > current) {
    acc.badness[step] = badness;
    acc.reason[step] = badness > 0 ? reason : 0;
  }
}

function byName(series: readonly SeriesDescriptor[], name: string): SeriesDescriptor[] {
  return series.filter((s) => s.name === name);
}

function eachStep(
  acc: Accumulator,
  steps: number,
  reason: number,
  list: readonly SeriesDescriptor[],
  combine: (values: number[], step: number) => number | null,
): void {
  if (list.length === 0) return;
  const present: number[] = [];
  for (let i = 0; i < steps; i++) {
    present.length = 0;
    for (const s of list) {
      const v = s.values[i];
      if (v !== null && v !== undefined && Number.isFinite(v)) present.push(v);
    }
    if (present.length === 0) continue;
    const b = combine(present, i);
    if (b !== null) consider(acc, i, reason, b);
  }
}

function latencyBadness(
  acc: Accumulator,
  steps: number,
  reason: number,
  list: readonly SeriesDescriptor[],
): void {
  for (const s of list) {
    const quantile = s.labels.quantile;
    if (quantile !== undefined && quantile !== '0.99') continue;
    const slo = API_SLO_SECONDS[s.labels.verb_class ?? ''] ?? 1;
    eachStep(acc, steps, reason, [s], (v) => ramp(v[0]! / slo, 0.5, 1, 8));
  }
}

export function computeClusterHealth(
  cluster: ClusterResult,
  steps: number,
  stepSeconds: number,
): ClusterHealth {
  const acc: Accumulator = {
    badness: new Float64Array(steps).fill(Number.NaN),
    reason: new Uint8Array(steps),
  };
  const series = cluster.series;
  const min = (v: number[]): number => Math.min(...v);
  const max = (v: number[]): number => Math.max(...v);

  eachStep(acc, steps, 1, byName(series, 'service_availability'), (v) => ramp(1 - min(v), 0.001, 0.01, 0.1));
  latencyBadness(acc, steps, 2, byName(series, 'apiserver_request_duration_seconds'));
  latencyBadness(acc, steps, 3, byName(series, 'apiserver_client_request_duration_seconds'));

  const rejected = byName(series, 'apiserver_flowcontrol_rejected_requests_total');
  if (rejected.length > 0) {
    const rates = rejected.map((s) => counterRate(s.values, stepSeconds));
    for (let i = 0; i < steps; i++) {
      let sum = 0;
      let hasValue = false;
      for (const r of rates) {
        const v = r[i];
        if (v !== null && v !== undefined) {
          sum += v;
          hasValue = true;
        }
      }
      // Deckhouse's KubernetesAPFRejectRequests fires at 5 rejections/s (ops-anchors.md 2.3).
      if (hasValue) consider(acc, i, 4, ramp(sum, 0.5, 5, 500));
    }
  }

  eachStep(acc, steps, 5, byName(series, 'apiserver_replica_up'), (v) => {
    const down = v.filter((x) => x < 0.5).length / v.length;
    return down > 0 ? BREACH + (1 - BREACH) * down : 0;
  });

  const ready = byName(series, 'kube_node_status_ready');
  if (ready.length > 0) {
    let peak = cluster.nodes;
    for (const s of ready) for (const v of s.values) if (v !== null && v > peak) peak = v;
    if (peak > 0)
      eachStep(acc, steps, 6, ready, (v) => ramp(1 - v.reduce((a, b) => a + b, 0) / peak, 0.01, 0.05, 0.5));
  }

  eachStep(acc, steps, 7, byName(series, 'coredns_servfail_fraction'), (v) => ramp(max(v), 0.001, 0.01, 0.2));
  eachStep(acc, steps, 8, byName(series, 'etcd_request_duration_seconds'), (v) => ramp(max(v), 0.2, 1, 10));

  let worst = 0;
  let breachSteps = 0;
  let firstBreachStep: number | null = null;
  for (let i = 0; i < steps; i++) {
    const b = acc.badness[i]!;
    if (Number.isNaN(b)) {
      acc.reason[i] = NO_DATA_REASON;
      continue;
    }
    if (b > worst) worst = b;
    if (b >= BREACH) {
      breachSteps++;
      if (firstBreachStep === null) firstBreachStep = i;
    }
  }
  return { badness: acc.badness, reason: acc.reason, worst, breachSteps, firstBreachStep };
}
