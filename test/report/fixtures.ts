/**
 * Synthetic RunResults for the report tests, shaped like what the simulation records (the metric
 * names, labels and units the components declare) while the simulation itself is being built.
 * Each cluster follows a stress curve: the rollout reaches it, large clusters saturate (latency, seats,
 * queues, rejections, CPU, memory until OOM kills), DNS fails once caches expire, then operators
 * recover it. Deterministic: a seeded generator, no clock.
 */
import type { LoggedEvent } from '../../src/model/component.js';
import type {
  ClusterResult,
  ClusterSummary,
  MilestoneName,
  RunResult,
  SeriesDescriptor,
  VariantResult,
} from '../../src/model/result.js';

/** mulberry32: a tiny seeded generator, enough for fixtures. */
function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PRIORITY_LEVELS = [
  'exempt',
  'system',
  'node-high',
  'leader-election',
  'workload-high',
  'workload-low',
  'global-default',
  'catch-all',
] as const;

/** Seats each level can hold on one replica (v1.31 bootstrap shares of 600 seats, roughly). */
const LEVEL_SEATS: Record<string, number> = {
  exempt: 0,
  system: 30,
  'node-high': 73,
  'leader-election': 25,
  'workload-high': 98,
  'workload-low': 245,
  'global-default': 49,
  'catch-all': 13,
};

export interface ClusterShape {
  readonly name: string;
  readonly region: string;
  readonly nodes: number;
  readonly replicas: number;
  /** When the change reaches the cluster, seconds; null if it never does. */
  readonly hitAt: number | null;
  /** How hard the change hits, 0 (no effect) to 1 (saturates). */
  readonly severity: number;
  /** When operators have recovered it, seconds. */
  readonly recoveredAt: number;
  readonly services: readonly string[];
}

interface Options {
  readonly seed: number;
  readonly simulatedSeconds: number;
  readonly resolutionSeconds: number;
  /** Adds a few metrics no chart family knows, for the "other metrics" section. */
  readonly hasOtherMetrics: boolean;
}

const smooth = (x: number): number => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));

/** Stress in [0, 1] at time t: ramps up after the hit, a second wave during recovery, then down. */
function stressAt(shape: ClusterShape, t: number): number {
  if (shape.hitAt === null || t < shape.hitAt) return 0;
  const rise = smooth((t - shape.hitAt) / 600);
  const fall = 1 - smooth((t - shape.recoveredAt) / 900);
  const secondWave = 0.35 * Math.exp(-(((t - (shape.recoveredAt - 2400)) / 600) ** 2));
  return Math.min(1, shape.severity * (rise * fall + secondWave * fall));
}

function buildCluster(
  shape: ClusterShape,
  options: Options,
  random: () => number,
  events: LoggedEvent[],
): ClusterResult {
  const step = options.resolutionSeconds;
  const steps = Math.floor(options.simulatedSeconds / step) + 1;
  const noise = (amplitude: number): number => 1 + amplitude * (random() * 2 - 1);
  const series: SeriesDescriptor[] = [];
  const add = (
    name: string,
    labels: Record<string, string>,
    unit: string,
    help: string,
    values: (number | null)[],
  ): void => {
    series.push({ name, labels, unit, help, values });
  };
  const stress = Array.from({ length: steps }, (_, i) => stressAt(shape, i * step));
  const sizeFactor = Math.max(0.05, shape.nodes / 7500);
  // Replicas go down while memory exceeds the limit; each stays down 90 s, then restarts empty.
  const upByReplica = Array.from({ length: shape.replicas }, () => new Array<number>(steps).fill(1));
  const memoryLimit = 64 * 2 ** 30;
  const memory = Array.from({ length: shape.replicas }, () => new Array<number | null>(steps).fill(null));
  const cpu = Array.from({ length: shape.replicas }, () => new Array<number | null>(steps).fill(null));
  for (let r = 0; r < shape.replicas; r++) {
    let downUntil = -1;
    let mem = (4 + 8 * sizeFactor) * 2 ** 30;
    for (let i = 0; i < steps; i++) {
      const t = i * step;
      const s = stress[i]!;
      if (i < downUntil) {
        upByReplica[r]![i] = 0;
        continue;
      }
      const target = (4 + 8 * sizeFactor + 62 * s * sizeFactor) * 2 ** 30;
      mem += (target - mem) * (0.01 + 0.02 * random());
      if (mem > memoryLimit) {
        events.push({
          t,
          cluster: shape.name,
          kind: 'apiserver-oom-killed',
          severity: 'critical',
          message: `kube-apiserver-${r} exceeded its 64 GiB memory limit and was OOM-killed`,
        });
        downUntil = i + Math.round(90 / step);
        events.push({
          t: downUntil * step,
          cluster: shape.name,
          kind: 'apiserver-restarted',
          severity: 'warning',
          message: `kube-apiserver-${r} restarted with an empty watch cache`,
        });
        mem = 3 * 2 ** 30;
        upByReplica[r]![i] = 0;
        continue;
      }
      memory[r]![i] = mem * noise(0.01);
      cpu[r]![i] = Math.min(32, (1.5 + 3 * sizeFactor + 40 * s * sizeFactor) * noise(0.06));
    }
  }
  const upCounts = Array.from({ length: steps }, (_, i) => upByReplica.reduce((n, up) => n + up[i]!, 0));

  for (const verb of ['mutating', 'get', 'list'] as const) {
    const base = verb === 'list' ? 0.6 * sizeFactor + 0.05 : verb === 'get' ? 0.02 : 0.04;
    const server = stress.map((s) => Math.min(60, base * (1 + 80 * s * s) * noise(0.15)));
    add(
      'apiserver_request_duration_seconds',
      { verb_class: verb, quantile: '0.99' },
      'seconds',
      'p99 of request latency measured by the API server (SLO semantics: excludes APF queue wait)',
      server,
    );
    add(
      'apiserver_client_request_duration_seconds',
      { verb_class: verb, quantile: '0.99' },
      'seconds',
      'p99 of request latency as clients observe it (queue wait, retries and timeouts included)',
      server.map((v, i) => Math.min(60, v * (1 + 25 * stress[i]! ** 1.5) * noise(0.1))),
    );
  }
  for (const level of PRIORITY_LEVELS) {
    const limit = LEVEL_SEATS[level]! * shape.replicas;
    const isHit = level === 'workload-low' || level === 'global-default';
    add(
      'apiserver_flowcontrol_current_executing_seats',
      { priority_level: level },
      'seats',
      'Seats in use by requests executing in this priority level, summed over replicas',
      stress.map((s, i) => {
        const base = limit * 0.08 * noise(0.3);
        const load = isHit ? limit * s * 1.2 : limit * 0.2 * s;
        return Math.round(Math.min(limit * (upCounts[i]! / shape.replicas), base + load));
      }),
    );
    add(
      'apiserver_flowcontrol_current_inqueue_requests',
      { priority_level: level },
      'requests',
      'Requests waiting in this priority level’s queues, summed over replicas',
      stress.map((s) =>
        isHit && s > 0.3 ? Math.round(50 * 8 * (s - 0.3) * noise(0.2) * shape.replicas) : 0,
      ),
    );
    for (const reason of ['queue-full', 'time-out'] as const) {
      let total = 0;
      const values: number[] = [];
      for (let i = 0; i < steps; i++) {
        const s = stress[i]!;
        const rate = isHit && s > 0.5 ? (reason === 'queue-full' ? 400 : 60) * (s - 0.5) * sizeFactor : 0;
        total += Math.round(rate * step * noise(0.2));
        values.push(total);
      }
      add(
        'apiserver_flowcontrol_rejected_requests_total',
        { priority_level: level, reason },
        'requests',
        'Requests rejected by API Priority and Fairness, cumulative',
        values,
      );
    }
  }
  for (let r = 0; r < shape.replicas; r++) {
    const replica = `kube-apiserver-${r}`;
    add('process_cpu_cores', { replica }, 'cores', 'CPU cores in use by the API server replica', cpu[r]!);
    add(
      'process_resident_memory_bytes',
      { replica },
      'bytes',
      'Resident memory of the API server replica',
      memory[r]!,
    );
    add(
      'apiserver_replica_up',
      { replica },
      '1',
      '1 while the replica serves, 0 while it is down',
      upByReplica[r]!.slice(),
    );
  }
  add(
    'etcd_request_duration_seconds',
    { quantile: '0.99' },
    'seconds',
    'p99 of etcd request latency',
    stress.map((s) => 0.008 * (1 + 300 * s * s * s) * noise(0.2)),
  );
  // Nodes go NotReady once leases cannot be renewed for the 40 s grace period.
  add(
    'kube_node_status_ready',
    {},
    'nodes',
    'Nodes with condition Ready=True',
    stress.map((s) => Math.round(shape.nodes * (1 - 0.6 * smooth((s - 0.6) / 0.4)))),
  );
  // DNS breaks only after stress has lasted past the cache TTL: delay the SERVFAIL rise by 30 min.
  const delay = Math.round(1800 / step);
  add(
    'coredns_dns_requests_rate',
    {},
    'requests/s',
    'DNS queries answered per second',
    stress.map((_, i) => 40 * shape.nodes * noise(0.05) * (1 - 0.2 * (stress[i - delay] ?? 0))),
  );
  add(
    'coredns_servfail_fraction',
    {},
    'fraction',
    'Fraction of DNS answers that were SERVFAIL',
    stress.map((_, i) =>
      Math.min(1, 0.0002 * noise(0.5) + 0.9 * smooth(((stress[i - delay] ?? 0) - 0.4) / 0.5)),
    ),
  );
  for (const service of shape.services) {
    add(
      'service_availability',
      { service },
      'fraction',
      'Fraction of user requests served successfully',
      stress.map((_, i) => {
        const dns = smooth(((stress[i - delay] ?? 0) - 0.4) / 0.5);
        return Math.max(0, Math.min(1, 1 - 0.0002 * random() - 0.85 * dns * noise(0.05)));
      }),
    );
  }
  if (options.hasOtherMetrics) {
    add(
      'apiserver_watch_cache_ready',
      { resource: 'pods' },
      '1',
      '1 once the watch cache for the resource has synced',
      upByReplica[0]!.map((up) => up),
    );
    add(
      'apiserver_longrunning_requests',
      { verb: 'WATCH' },
      'requests',
      'Open long-running requests (watches)',
      stress.map((s) => Math.round(shape.nodes * 4 * (1 - 0.5 * s) * noise(0.02))),
    );
  }
  return {
    name: shape.name,
    region: shape.region,
    nodes: shape.nodes,
    summary: summarize(shape, series),
    series,
  };
}

function seriesMax(series: readonly SeriesDescriptor[], name: string, label?: [string, string]): number {
  let max = 0;
  for (const s of series) {
    if (s.name !== name || (label && s.labels[label[0]] !== label[1])) continue;
    for (const v of s.values) if (v !== null && v > max) max = v;
  }
  return max;
}

function seriesMin(series: readonly SeriesDescriptor[], name: string): number {
  let min = Number.POSITIVE_INFINITY;
  for (const s of series) {
    if (s.name !== name) continue;
    for (const v of s.values) if (v !== null && v < min) min = v;
  }
  return min;
}

function summarize(shape: ClusterShape, series: readonly SeriesDescriptor[]): ClusterSummary {
  const p99 = (name: string, verb: string): number => seriesMax(series, name, ['verb_class', verb]);
  let availabilityMin = 1;
  for (const s of series) {
    if (s.name !== 'service_availability') continue;
    for (const v of s.values) if (v !== null && v < availabilityMin) availabilityMin = v;
  }
  const restarts = series
    .filter((s) => s.name === 'apiserver_replica_up')
    .reduce((n, s) => n + s.values.filter((v, i) => v === 1 && s.values[i - 1] === 0).length, 0);
  return {
    apiserver: {
      worstP99Seconds: {
        mutating: p99('apiserver_request_duration_seconds', 'mutating'),
        get: p99('apiserver_request_duration_seconds', 'get'),
        list: p99('apiserver_request_duration_seconds', 'list'),
      },
      worstClientP99Seconds: {
        mutating: p99('apiserver_client_request_duration_seconds', 'mutating'),
        get: p99('apiserver_client_request_duration_seconds', 'get'),
        list: p99('apiserver_client_request_duration_seconds', 'list'),
      },
      saturatedAt: shape.severity > 0.5 && shape.hitAt !== null ? shape.hitAt + 300 : null,
      rejectedFraction: shape.severity > 0.5 ? 0.31 * shape.severity : 0,
      restarts,
    },
    nodes: {
      count: shape.nodes,
      notReadyMax: shape.nodes - seriesMin(series, 'kube_node_status_ready'),
    },
    dns: { servfailFractionMax: seriesMax(series, 'coredns_servfail_fraction') },
    services: {
      availabilityMin,
      impactStartedAt: availabilityMin < 0.99 && shape.hitAt !== null ? shape.hitAt + 1800 : null,
    },
  };
}

const SERVICES = ['chat-frontend', 'inference-router', 'auth', 'billing'];

function fleetAvailability(clusters: readonly ClusterResult[], steps: number): (number | null)[] {
  const weighted = new Float64Array(steps);
  const weight = new Float64Array(steps);
  for (const c of clusters) {
    for (const s of c.series) {
      if (s.name !== 'service_availability') continue;
      for (let i = 0; i < steps; i++) {
        const v = s.values[i];
        if (v === null || v === undefined) continue;
        weighted[i]! += v * c.nodes;
        weight[i]! += c.nodes;
      }
    }
  }
  return Array.from(weighted, (w, i) => (weight[i]! > 0 ? w / weight[i]! : null));
}

function rolloutEvents(shapes: readonly ClusterShape[], start: number): LoggedEvent[] {
  const events: LoggedEvent[] = [
    {
      t: start,
      cluster: 'fleet',
      kind: 'rollout-started',
      severity: 'info',
      message: 'telemetry-agent DaemonSet rollout started: all clusters over 30 min',
    },
  ];
  for (const shape of shapes) {
    if (shape.hitAt === null) continue;
    events.push({
      t: shape.hitAt,
      cluster: shape.name,
      kind: 'rollout-applied',
      severity: 'info',
      message: `telemetry-agent DaemonSet applied to ${shape.name} (${shape.nodes} nodes)`,
    });
  }
  return events;
}

function responseEvents(first: number): LoggedEvent[] {
  const actions: [number, string, string][] = [
    [first + 600, 'response-incident-declared', 'Incident declared; engineers paged'],
    [first + 1500, 'response-traffic-shifted', 'Traffic moved away from impacted clusters'],
    [
      first + 2400,
      'response-rollback-failed',
      'kubectl rollback of telemetry-agent timed out: API server saturated',
    ],
    [first + 3000, 'response-clusters-scaled-down', 'Node pools scaled down to shed API load'],
    [
      first + 3600,
      'response-admin-api-blocked',
      'Network access to the admin API blocked for non-critical clients',
    ],
    [
      first + 4500,
      'response-apiservers-scaled-up',
      'API servers scaled up (new replicas start with empty caches)',
    ],
    [first + 6000, 'response-service-removed', 'telemetry-agent removed; load back to baseline'],
  ];
  return actions.map(([t, kind, message]) => ({ t, cluster: 'fleet', kind, severity: 'warning', message }));
}

function alertEvents(shapes: readonly ClusterShape[]): LoggedEvent[] {
  return shapes
    .filter((s) => s.hitAt !== null && s.severity > 0.5)
    .map((s) => ({
      t: (s.hitAt ?? 0) + 420,
      cluster: s.name,
      kind: 'alert-firing',
      severity: 'critical' as const,
      message: `KubeAPIErrorBudgetBurn (critical): 1h and 5m burn rate above 14.4x on ${s.name}`,
    }));
}

function buildRun(
  shapes: readonly ClusterShape[],
  options: Options,
  extra: {
    readonly name: string;
    readonly description: string;
    readonly rolloutStart: number;
    readonly milestones?: RunResult['milestones'];
    readonly published?: Partial<Record<MilestoneName, number>>;
    readonly variants?: readonly VariantResult[];
  },
): RunResult {
  const random = createRandom(options.seed);
  const events: LoggedEvent[] = [];
  const clusters = shapes.map((shape) => buildCluster(shape, options, random, events));
  const steps = Math.floor(options.simulatedSeconds / options.resolutionSeconds) + 1;
  const firstHit = Math.min(...shapes.map((s) => s.hitAt ?? Number.POSITIVE_INFINITY));
  events.push(
    ...rolloutEvents(shapes, extra.rolloutStart),
    ...alertEvents(shapes),
    ...responseEvents(firstHit),
  );
  events.sort((a, b) => a.t - b.t);
  return {
    schemaVersion: 1,
    stormglassVersion: '0.1.0',
    scenario: { name: extra.name, description: extra.description, source: `builtin:${extra.name}` },
    seed: options.seed,
    simulatedSeconds: options.simulatedSeconds,
    resolutionSeconds: options.resolutionSeconds,
    clusters,
    fleet: { availability: fleetAvailability(clusters, steps) },
    events,
    milestones: extra.milestones ?? {},
    ...(extra.published ? { published: extra.published } : {}),
    variants: extra.variants ?? [],
    parameters: PARAMETERS,
  };
}

const PARAMETERS: RunResult['parameters'] = [
  {
    component: 'apiserver',
    name: 'maxRequestsInflight',
    value: 400,
    unit: 'requests',
    source: 'staging/src/k8s.io/apiserver/pkg/server/options/server_run_options.go',
  },
  {
    component: 'apiserver',
    name: 'maxMutatingRequestsInflight',
    value: 200,
    unit: 'requests',
    source: 'staging/src/k8s.io/apiserver/pkg/server/options/server_run_options.go',
  },
  {
    component: 'apiserver',
    name: 'memoryLimit',
    value: 64,
    unit: 'GiB',
    source: 'fm-009.md',
    fitted: 'not disclosed by the postmortem; sized for 7,500-node clusters',
  },
  {
    component: 'apf',
    name: 'queueWaitLimit',
    value: 15,
    unit: 'seconds',
    source: 'staging/src/k8s.io/apiserver/pkg/util/flowcontrol/apf_controller.go',
  },
  {
    component: 'client-go',
    name: 'relistBackoffMax',
    value: 30,
    unit: 'seconds',
    source: 'staging/src/k8s.io/client-go/tools/cache/reflector.go',
  },
  {
    component: 'coredns',
    name: 'cacheTtl',
    value: 30,
    unit: 'seconds',
    source: 'plugin/cache/setup.go',
  },
  {
    component: 'telemetry-agent',
    name: 'listPeriod',
    value: 60,
    unit: 'seconds',
    source: 'fm-009.md',
    fitted: 'the agent’s poll period was not published; chosen so per-node LIST cost matches the report',
  },
  {
    component: 'kubelet',
    name: 'nodeLeaseDuration',
    value: 40,
    unit: 'seconds',
    source: 'pkg/kubelet/kubelet.go',
  },
];

const MILESTONES: RunResult['milestones'] = {
  changeReachedLargeCluster: 900,
  alertFired: 1320,
  firstCustomerImpact: 1260,
  peakCustomerImpact: 3000,
  rollbackAttemptFailed: 3300,
  firstClusterRecovered: 6900,
  fullRecovery: null,
};

const PUBLISHED: Partial<Record<MilestoneName, number>> = {
  changeReachedLargeCluster: 900,
  alertFired: 1380,
  firstCustomerImpact: 1200,
  peakCustomerImpact: 2700,
  rollbackAttemptFailed: 3000,
  firstClusterRecovered: 7200,
  fullRecovery: 15600,
};

export const VARIANTS: readonly VariantResult[] = [
  {
    name: 'as-published',
    description: 'The rollout and response as published',
    customerImpactMinutes: 252,
    clustersAffected: 38,
    timeToDetectMinutes: 7,
    timeToMitigateMinutes: 95,
    timeToFullRecoveryMinutes: 256,
  },
  {
    name: 'canary-gate',
    description: 'One large cluster first, gated on control-plane health',
    customerImpactMinutes: 0,
    clustersAffected: 1,
    timeToDetectMinutes: 6,
    timeToMitigateMinutes: 14,
    timeToFullRecoveryMinutes: 41,
  },
  {
    name: 'apf-quarantine',
    description: 'A FlowSchema caps the agent’s identity',
    customerImpactMinutes: 0,
    clustersAffected: 0,
    timeToDetectMinutes: null,
    timeToMitigateMinutes: null,
    timeToFullRecoveryMinutes: null,
  },
  {
    name: 'serve-stale-dns',
    description: 'CoreDNS serve_stale keeps answers past TTL',
    customerImpactMinutes: 31,
    clustersAffected: 38,
    timeToDetectMinutes: 7,
    timeToMitigateMinutes: 95,
    timeToFullRecoveryMinutes: 250,
  },
  {
    name: 'break-glass-kill-switch',
    description: 'A rehearsed node-local removal of the agent',
    customerImpactMinutes: 22,
    clustersAffected: 38,
    timeToDetectMinutes: 7,
    timeToMitigateMinutes: 18,
    timeToFullRecoveryMinutes: 39,
  },
];

/** Three clusters over 2 h: one large that saturates, one medium that wobbles, one small untouched. */
export function createSmallRun(options: { readonly hasVariants?: boolean } = {}): RunResult {
  const shapes: ClusterShape[] = [
    {
      name: 'prod-us-east-1a',
      region: 'us-east-1',
      nodes: 7500,
      replicas: 3,
      hitAt: 900,
      severity: 1,
      recoveredAt: 5400,
      services: SERVICES,
    },
    {
      name: 'prod-eu-west-1b',
      region: 'eu-west-1',
      nodes: 1800,
      replicas: 3,
      hitAt: 1200,
      severity: 0.55,
      recoveredAt: 4800,
      services: SERVICES.slice(0, 2),
    },
    {
      name: 'staging-us-west-2',
      region: 'us-west-2',
      nodes: 60,
      replicas: 3,
      hitAt: 1500,
      severity: 0.02,
      recoveredAt: 4800,
      services: SERVICES.slice(0, 1),
    },
  ];
  return buildRun(
    shapes,
    { seed: 42, simulatedSeconds: 7200, resolutionSeconds: 10, hasOtherMetrics: true },
    {
      name: 'fm-009',
      description: 'Replay of the 11 Dec 2024 outage: a telemetry DaemonSet overloads large API servers',
      rolloutStart: 600,
      milestones: MILESTONES,
      published: PUBLISHED,
      ...(options.hasVariants ? { variants: VARIANTS } : {}),
    },
  );
}

/**
 * The size of the fm-009 replay: `clusters` clusters over 6 h at 10 s, every one recording ~60 series
 * (large clusters 5 replicas). A tenth are large and saturate; the rest barely notice.
 */
export function createFleetRun(clusterCount = 200, hours = 6): RunResult {
  const random = createRandom(7);
  const regions = ['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'];
  const shapes: ClusterShape[] = [];
  for (let i = 0; i < clusterCount; i++) {
    const isLarge = i % 10 === 0;
    const region = regions[i % regions.length]!;
    const nodes = isLarge ? 2500 + Math.round(random() * 5000) : 20 + Math.round(random() * 600);
    shapes.push({
      name: `${isLarge ? 'prod' : i % 3 === 0 ? 'batch' : 'svc'}-${region}-${String(i).padStart(3, '0')}`,
      region,
      nodes,
      replicas: isLarge ? 5 : 3,
      hitAt: 900 + Math.round((1800 * i) / clusterCount),
      severity: isLarge ? 0.8 + 0.2 * random() : 0.05 * random(),
      recoveredAt: 6000 + Math.round(random() * 9000),
      services: SERVICES,
    });
  }
  return buildRun(
    shapes,
    { seed: 2024, simulatedSeconds: hours * 3600, resolutionSeconds: 10, hasOtherMetrics: false },
    {
      name: 'fm-009',
      description: 'Replay of the 11 Dec 2024 outage across the fleet',
      rolloutStart: 900,
      milestones: MILESTONES,
      published: PUBLISHED,
    },
  );
}

/** Strings that would execute or inject markup if a report ever treated them as HTML. */
export const HOSTILE = {
  cluster: '<img src=x onerror="alert(1)"><b class="injected">cluster</b>',
  region: '</script><script>alert("region")</script>',
  message: '<script>alert("event")</script><iframe src="https://example.com"></iframe>',
  scenario: '<svg onload=alert(2)>fm"009\'&amp;',
  label: '"><img src=x onerror=alert(3)>',
  metric: 'evil_metric<script>alert(4)</script>',
  parameter: '<a href="javascript:alert(5)">param</a>',
  variant: '<b class="injected" onmouseover=alert(6)>variant</b>',
} as const;

/** A small run whose every scenario-supplied string carries markup or script. */
export function createHostileRun(): RunResult {
  const base = createSmallRun({ hasVariants: true });
  const [first, ...rest] = base.clusters;
  const clusters: ClusterResult[] = [
    {
      ...first!,
      name: HOSTILE.cluster,
      region: HOSTILE.region,
      series: [
        ...first!.series,
        {
          name: HOSTILE.metric,
          labels: { [HOSTILE.label]: HOSTILE.label },
          unit: '<i>unit</i>',
          help: HOSTILE.message,
          values: first!.series[0]!.values,
        },
      ],
    },
    ...rest,
  ];
  return {
    ...base,
    scenario: { name: HOSTILE.scenario, description: HOSTILE.message, source: HOSTILE.region },
    clusters,
    events: [
      ...base.events.map((e) => (e.cluster === first!.name ? { ...e, cluster: HOSTILE.cluster } : e)),
      {
        t: 100,
        cluster: HOSTILE.cluster,
        kind: 'alert-firing',
        severity: 'critical',
        message: HOSTILE.message,
      } as const,
      { t: 200, cluster: 'fleet', kind: HOSTILE.label, severity: 'info', message: HOSTILE.message } as const,
    ].sort((a, b) => a.t - b.t),
    variants: [
      { ...VARIANTS[0]!, name: HOSTILE.variant, description: HOSTILE.message },
      ...VARIANTS.slice(1),
    ],
    parameters: [
      ...base.parameters,
      {
        component: HOSTILE.parameter,
        name: HOSTILE.parameter,
        value: HOSTILE.message,
        unit: HOSTILE.label,
        source: HOSTILE.region,
        fitted: HOSTILE.message,
      },
    ],
  };
}
