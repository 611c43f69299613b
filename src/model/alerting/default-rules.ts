/**
 * The alert rules stormglass ships: kubernetes-mixin's API-server SLO and termination alerts, the
 * CoreDNS mixin's SERVFAIL alert, Deckhouse's experimental APF-rejection alert, a node-readiness
 * alert, and a customer-availability alert. Each rule cites where it comes from and how our
 * per-cluster form differs from the original (the originals are evaluated per series/label set;
 * ours sum each metric over the cluster, see MetricSource).
 */
import type { AlertRule, SeriesSelector } from './types.js';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

/** The metric names the default rules read: what a cluster's MetricSource adapter must serve. */
export const ALERT_METRICS = {
  apiserver_request_total:
    'counter: requests the API servers answered, all replicas; labels code_class = "2xx" | "4xx" (other than 429) | "429" | "5xx" (disjoint) and verb_class = "read" (GET, LIST) | "write" (POST, PUT, PATCH, DELETE) | "other" (WATCH, CONNECT...)',
  apiserver_request_sli_slow_total:
    'counter (optional): non-streaming requests slower than the kubernetes-mixin SLI thresholds (reads 1 s resource / 5 s namespace / 30 s cluster scope, writes 1 s; APF queue wait excluded, like apiserver_request_sli_duration_seconds); label verb_class "read" | "write". Absent = the burn rate counts 5xx only',
  apiserver_request_terminations_total:
    'counter: requests the API servers dropped in self-defence (apiserver_request_terminations_total)',
  apiserver_flowcontrol_rejected_requests_total: 'counter: APF rejections, all priority levels and reasons',
  kube_node_info: 'gauge: nodes that exist (sum of kube-state-metrics kube_node_info)',
  kube_node_status_ready:
    'gauge: nodes whose Ready condition is True (sum of kube_node_status_condition{condition="Ready",status="true"})',
  coredns_servfail_fraction:
    'gauge: fraction of CoreDNS answers that were SERVFAIL since the previous sample',
  service_availability:
    "gauge: fraction of the cluster's user requests that succeeded since the previous sample",
} as const;

export type AlertMetricName = keyof typeof ALERT_METRICS;

const requests = (codeClass?: '2xx' | '4xx' | '429' | '5xx'): SeriesSelector =>
  codeClass === undefined
    ? { metric: 'apiserver_request_total' }
    : { metric: 'apiserver_request_total', labels: { code_class: codeClass } };

/**
 * kubernetes-mixin `KubeAPIErrorBudgetBurn` (alerts/kube_apiserver.libsonnet, windows from
 * config.libsonnet SLOs.apiserver: target 0.99 over 30 days): fires when the error ratio over both
 * a long and a short window exceeds factor x the 1% budget. Errors are 5xx plus requests slower
 * than the SLI, per verb class, and the read and write ratios are summed
 * (rules/kube_apiserver-burnrate.libsonnet); 429s count in the total but are not errors.
 */
const BURN_WINDOWS: readonly {
  readonly severity: 'critical' | 'warning';
  readonly for: number;
  readonly long: number;
  readonly short: number;
  readonly factor: number;
  readonly labels: { readonly long: string; readonly short: string };
}[] = [
  {
    severity: 'critical',
    for: 2 * MINUTE,
    long: HOUR,
    short: 5 * MINUTE,
    factor: 14.4,
    labels: { long: '1h', short: '5m' },
  },
  {
    severity: 'critical',
    for: 15 * MINUTE,
    long: 6 * HOUR,
    short: 30 * MINUTE,
    factor: 6,
    labels: { long: '6h', short: '30m' },
  },
  {
    severity: 'warning',
    for: HOUR,
    long: DAY,
    short: 2 * HOUR,
    factor: 3,
    labels: { long: '1d', short: '2h' },
  },
  {
    severity: 'warning',
    for: 3 * HOUR,
    long: 3 * DAY,
    short: 6 * HOUR,
    factor: 1,
    labels: { long: '3d', short: '6h' },
  },
];

const burnRules: AlertRule[] = BURN_WINDOWS.map((w) => ({
  name: 'KubeAPIErrorBudgetBurn',
  severity: w.severity,
  for: w.for,
  labels: w.labels,
  summary: 'The API server is burning too much error budget.',
  source:
    'kubernetes-monitoring/kubernetes-mixin alerts/kube_apiserver.libsonnet + config.libsonnet (SLO 0.99, windows 1h/5m x14.4 for 2m, 6h/30m x6 for 15m, 1d/2h x3 for 1h, 3d/6h x1 for 3h)',
  expr: {
    kind: 'burn-rate',
    errors: [requests('5xx'), { metric: 'apiserver_request_sli_slow_total' }],
    total: requests(),
    slo: 0.99,
    // The mixin alerts on sum(apiserver_request:burnrate<w>) over its verb="read" and "write" rules.
    classes: [{ verb_class: 'read' }, { verb_class: 'write' }],
    windows: [w.long, w.short],
    factor: w.factor,
  },
}));

export const defaultAlertRules: readonly AlertRule[] = [
  ...burnRules,
  {
    name: 'KubeAPITerminatedRequests',
    severity: 'warning',
    for: 5 * MINUTE,
    summary: 'The API server has terminated more than 20% of its incoming requests.',
    source:
      'kubernetes-mixin alerts/kube_apiserver.libsonnet: rate(terminations[10m]) / (rate(apiserver_request_total[10m]) + rate(terminations[10m])) > 0.20 for 5m',
    expr: {
      kind: 'ratio',
      numerator: { metric: 'apiserver_request_terminations_total' },
      denominator: [requests(), { metric: 'apiserver_request_terminations_total' }],
      window: 10 * MINUTE,
      op: '>',
      value: 0.2,
    },
  },
  {
    name: 'KubernetesAPFRejectRequests',
    severity: 'warning',
    for: 5 * MINUTE,
    summary: 'API Priority and Fairness is rejecting more than 5 requests/s.',
    source:
      'deckhouse/deckhouse flow-schema module prometheus rules (experimental, severity_level 9): rate(apiserver_flowcontrol_rejected_requests_total{flow_schema="d8-serviceaccounts"}[5m]) > 5 for 5m. Ours sums every flow schema and replica of the cluster, so it is more sensitive',
    expr: {
      kind: 'rate',
      counter: { metric: 'apiserver_flowcontrol_rejected_requests_total' },
      window: 5 * MINUTE,
      op: '>',
      value: 5,
    },
  },
  {
    name: 'KubeNodeNotReady',
    severity: 'warning',
    for: 15 * MINUTE,
    summary: 'Nodes have been NotReady for more than 15 minutes.',
    source:
      'kubernetes-mixin alerts/kubelet.libsonnet: kube_node_status_condition{condition="Ready",status="true"} == 0 for 15m, per node. Ours: the count of not-Ready nodes (kube_node_info - ready) > 0 for 15m, so different nodes taking turns also keep it pending',
    expr: {
      kind: 'compare',
      left: {
        kind: 'arith',
        op: '-',
        left: { kind: 'gauge', series: { metric: 'kube_node_info' } },
        right: { kind: 'gauge', series: { metric: 'kube_node_status_ready' } },
      },
      op: '>',
      right: { kind: 'number', value: 0 },
    },
  },
  {
    name: 'CoreDNSErrorsHigh',
    severity: 'critical',
    for: 10 * MINUTE,
    summary: 'CoreDNS is returning SERVFAIL for more than 3% of requests.',
    source:
      'povilasv/coredns-mixin alerts/coredns.libsonnet: rate(SERVFAIL[5m]) / rate(all responses[5m]) > 0.03 for 10m (critical). Ours averages the SERVFAIL-fraction gauge over 5m (equal at a steady query rate)',
    expr: {
      kind: 'compare',
      left: { kind: 'avg-over-time', series: { metric: 'coredns_servfail_fraction' }, window: 5 * MINUTE },
      op: '>',
      right: { kind: 'number', value: 0.03 },
    },
  },
  {
    name: 'CoreDNSErrorsHigh',
    severity: 'warning',
    for: 10 * MINUTE,
    summary: 'CoreDNS is returning SERVFAIL for more than 1% of requests.',
    source: 'povilasv/coredns-mixin alerts/coredns.libsonnet: same expression > 0.01 for 10m (warning)',
    expr: {
      kind: 'compare',
      left: { kind: 'avg-over-time', series: { metric: 'coredns_servfail_fraction' }, window: 5 * MINUTE },
      op: '>',
      right: { kind: 'number', value: 0.01 },
    },
  },
  {
    name: 'ServiceAvailabilityLow',
    severity: 'critical',
    for: 2 * MINUTE,
    summary: "Less than 99% of the cluster's user requests succeed.",
    source:
      "stormglass's own rule (no upstream mixin alerts on user-facing availability): the 99% target of kubernetes-mixin's SLO, held for 2m like its fastest burn-rate alert; 99% is also the threshold of summary.services.impactStartedAt",
    expr: { kind: 'threshold', metric: 'service_availability', op: '<', value: 0.99 },
  },
];
