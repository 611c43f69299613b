/**
 * A fleet: clusters with their data planes, a global traffic balancer, alerting, a rollout of a
 * change and an operator playbook, all on one simulation clock. The fleet wires the pieces
 * together; every behaviour comes from the pieces' own mechanisms.
 */
import { createRecorder, type Sampled, type Simulation } from '../../engine/index.js';
import { createAlertEngine, type MetricSource } from '../alerting/index.js';
import { defaultAlertRules } from '../alerting/default-rules.js';
import type { AlertRule } from '../alerting/types.js';
import type { Identity } from '../api-types.js';
import { createCluster } from '../cluster.js';
import type { ClusterHandle } from '../cluster-types.js';
import {
  createEventLog,
  type Component,
  type LoggedEvent,
  type MetricDeclaration,
  type ParameterDeclaration,
} from '../component.js';
import type { ClusterConfig, Fault, WorkloadConfig } from '../config.js';
import { createDataPlane, type DataPlane } from '../dataplane/index.js';
import type { ClusterResult, MilestoneName, SeriesDescriptor } from '../result.js';
import { createPlaybook } from '../response/playbook.js';
import type { ResponseConfig } from '../response/types.js';
import { createRolloutController, type RolloutTarget } from '../rollout/index.js';
import type { RolloutConfig } from '../rollout/types.js';
import { BALANCER_INTERVAL, BALANCER_PARAMETERS, createTrafficBalancer } from './balancer.js';
import { type ClusterOutcome, computeMilestones, IMPACT_THRESHOLD } from './milestones.js';
import { createNodeStartup, INSTANT_NODE_STARTUP, nodeStartupParameters } from './node-startup.js';

export interface FleetConfig {
  readonly clusters: readonly ClusterConfig[];
  /** Workloads with a `startAt` are created at that time in every cluster; the rollout deploys its own. */
  readonly workloads: readonly WorkloadConfig[];
  /** The change: which workload, to which clusters, how. */
  readonly rollout:
    | (RolloutConfig & { readonly workload: string; readonly clusters: readonly string[] })
    | null;
  readonly response: ResponseConfig | null;
  /** null: the default rule set (src/model/alerting/default-rules.ts). */
  readonly alerts: readonly AlertRule[] | null;
  /** Seconds between alert rule evaluations. */
  readonly evaluationInterval: number;
  readonly faults: readonly Fault[];
  readonly duration: number;
  readonly resolution: number;
  /** Clusters with at least this many nodes count as large (docs/results.md). */
  readonly largeClusterNodes: number;
  /** How far a cluster may grow over its normal traffic share when traffic moves to it (fitted). */
  readonly trafficHeadroom: number;
  /** Image registry bandwidth per region, bytes/s, shared by the nodes pulling there (default: unlimited). */
  readonly registryBytesPerSecond?: number;
  /** Metric series kept in full for clusters that stayed healthy; 'all' keeps every series everywhere. */
  readonly quietClusterSeries: 'all' | 'health';
}

export interface FleetOutcome {
  readonly clusters: readonly ClusterResult[];
  readonly fleetAvailability: readonly (number | null)[];
  readonly events: readonly LoggedEvent[];
  readonly milestones: Record<MilestoneName, number | null>;
  readonly outcomes: readonly ClusterOutcome[];
  readonly parameters: readonly (ParameterDeclaration & { readonly component: string })[];
  readonly timeToDetect: number | null;
  readonly changeStartedAt: number | null;
}

/** The pipeline's identity when it rolls back: a CD service account outside kube-system (workload-low). */
const PIPELINE_IDENTITY: Identity = {
  user: 'system:serviceaccount:argocd:argocd-application-controller',
  groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd', 'system:authenticated'],
  namespace: 'argocd',
  clientClass: 'pipeline',
};

/** Series every cluster keeps even when it stayed healthy (for the heatmap and fleet charts). */
const HEALTH_SERIES = new Set([
  'service_availability',
  'apiserver_request_duration_seconds',
  'kube_node_status_ready',
]);

const seriesKey = (m: MetricDeclaration): string => {
  const labels = m.labels ? Object.entries(m.labels).map(([k, v]) => `${k}=${v}`) : [];
  return labels.length ? `${m.name}{${labels.join(',')}}` : m.name;
};

function createMetricSource(components: () => readonly Component[]): MetricSource {
  let index: Map<string, MetricDeclaration[]> | null = null;
  let indexedCount = -1;
  const build = (): Map<string, MetricDeclaration[]> => {
    const list = components();
    if (index !== null && indexedCount === list.length) return index;
    index = new Map();
    for (const c of list)
      for (const m of c.metrics()) {
        const bucket = index.get(m.name);
        if (bucket) bucket.push(m);
        else index.set(m.name, [m]);
      }
    indexedCount = list.length;
    return index;
  };
  return {
    sample(name, labels) {
      const bucket = build().get(name);
      if (!bucket) return undefined;
      let sum = 0;
      let found = false;
      for (const m of bucket) {
        if (labels) {
          let match = true;
          for (const k in labels) if (m.labels?.[k] !== labels[k]) match = false;
          if (!match) continue;
        }
        const v = m.read();
        if (Number.isFinite(v)) sum += v;
        found = true;
      }
      return found ? sum : undefined;
    },
  };
}

export function runFleet(sim: Simulation, config: FleetConfig): FleetOutcome {
  const log = createEventLog();
  const until = config.duration;
  const clusters: ClusterHandle[] = [];
  const dataPlanes: DataPlane[] = [];
  const registryBytesPerSecond = config.registryBytesPerSecond ?? Number.POSITIVE_INFINITY;
  const startupConfigs = config.clusters.map((cc) => cc.nodeStartup ?? INSTANT_NODE_STARTUP);
  const nodeStartup = createNodeStartup(sim, {
    clusters: config.clusters.map((cc, i) => ({
      name: cc.name,
      region: cc.region,
      nodes: cc.nodes,
      // Without a nodeStartup, added nodes serve at once, pods and all.
      podsPerNode: cc.nodeStartup ? cc.podsPerNode : 0,
      startup: startupConfigs[i]!,
      isApiUp: () => clusters[i]!.health().replicasUp > 0,
    })),
    registryBytesPerSecond,
    log,
  });
  // What a cluster's serving nodes can take, relative to its normal share: its headroom while every
  // node serves, less while nodes are scaled down or still pulling their images.
  const capacity = (i: number): number => (1 + config.trafficHeadroom) * nodeStartup.servingFraction(i);
  const balancer = createTrafficBalancer(
    config.clusters.map((c) => c.trafficWeight),
    capacity,
  );

  config.clusters.forEach((cc, i) => {
    const cluster = createCluster(sim, cc, {
      log,
      until,
      resolution: config.resolution,
      coreDnsWatchers: false,
    });
    const dataPlane = createDataPlane(sim, cluster, cc.dataPlane, {
      until,
      userTrafficScale: () => balancer.loadFactor(i),
      servingCapacity: () => capacity(i),
    });
    cluster.addComponent(dataPlane);
    clusters.push(cluster);
    dataPlanes.push(dataPlane);
  });
  clusters.forEach((c, i) => {
    c.onNodesScaled((from, to) => nodeStartup.resized(i, from, to));
    const parameters = [
      ...nodeStartupParameters(startupConfigs[i]!, registryBytesPerSecond),
      ...BALANCER_PARAMETERS,
    ];
    c.addComponent({
      id: `${c.config.name}/node-startup`,
      metrics: () => [
        {
          name: 'stormglass_serving_nodes',
          unit: 'nodes',
          help: 'Nodes whose pods serve users (fractional while restored nodes pull their images).',
          read: () => nodeStartup.servingNodes(i),
        },
        {
          name: 'stormglass_node_image_pull_bytes_per_second',
          unit: 'bytes/s',
          help: "Image bytes the cluster's new nodes pull per second from their region's registry.",
          read: () => nodeStartup.pullRate(i),
        },
        {
          name: 'stormglass_pods_missing',
          unit: 'pods',
          help: 'Pods lost with removed nodes that are not running on a node yet (to create, or Pending).',
          read: () => {
            const m = nodeStartup.missingPods(i);
            return m.toCreate + m.pending;
          },
        },
      ],
      parameters: () => parameters,
    });
  });
  // While traffic is moved, the balancer follows the receivers' capacity at its health-check interval.
  let isRefreshing = false;
  const refreshBalancer = (): void => {
    balancer.refresh();
    if (sim.now + BALANCER_INTERVAL <= until) sim.schedule(BALANCER_INTERVAL, refreshBalancer, undefined);
  };
  const shiftTraffic = (i: number, away: boolean): void => {
    balancer.setAway(i, away);
    if (isRefreshing) return;
    isRefreshing = true;
    sim.schedule(BALANCER_INTERVAL, refreshBalancer, undefined);
  };

  // Workloads with a start time are created directly (scenarios without a rollout).
  for (const w of config.workloads) {
    if (w.startAt === null) continue;
    sim.scheduleAt(
      w.startAt,
      () => {
        for (const c of clusters) c.deployWorkload(w);
      },
      undefined,
    );
  }

  for (const f of config.faults) {
    const i = clusters.findIndex((c) => c.config.name === f.cluster);
    const cluster = clusters[i];
    if (!cluster) continue;
    if (f.kind === 'apiserver-unreachable')
      sim.scheduleAt(f.at, () => cluster.injectApiOutage(f.duration), undefined);
    else if (f.kind === 'coredns-restart')
      sim.scheduleAt(f.at, () => dataPlanes[i]!.restartCoreDns(), undefined);
  }

  // Detection.
  const playbookHolder: {
    notifyDetection(): void;
    notifyCustomerImpact(): void;
    firstRollbackFailure: number | null;
  }[] = [];
  const changeStartedAt = config.rollout?.startAt ?? firstStart(config.workloads);
  const alerts = createAlertEngine(sim, {
    rules: config.alerts ?? defaultAlertRules,
    evaluationInterval: config.evaluationInterval,
    until,
    history: {
      kind: 'steady',
      baselineFrom: 0,
      baselineTo: Math.max(60, Math.min(changeStartedAt ?? 600, 600)),
    },
    log,
    onFiring: (t) => {
      if (changeStartedAt !== null && t.t >= changeStartedAt)
        for (const p of playbookHolder) p.notifyDetection();
    },
  });
  for (const c of clusters)
    alerts.addCluster(
      c.config.name,
      createMetricSource(() => c.components()),
    );

  // The change's rollout.
  const rollout = config.rollout;
  const change = rollout ? config.workloads.filter((w) => w.name === rollout.workload) : [];
  if (rollout && change.length > 0) {
    const inScope = new Set(rollout.clusters);
    const targets: RolloutTarget[] = [];
    clusters.forEach((c, i) => {
      if (!inScope.has(c.config.name)) return;
      targets.push({
        name: c.config.name,
        labels: {
          region: c.config.region,
          size: c.config.nodes >= config.largeClusterNodes ? 'large' : 'small',
        },
        nodes: c.config.nodes,
        deploy: () => {
          for (const w of change) c.deployWorkload(w);
        },
        rollback: (done) => {
          let pending = change.length;
          let ok = true;
          for (const w of change)
            c.removeWorkloadViaApi(w.name, PIPELINE_IDENTITY, (outcome) => {
              ok &&= outcome.kind === 'ok';
              if (--pending === 0) done(ok);
            });
        },
        health: () => c.health(),
        serviceAvailability: () => dataPlanes[i]!.availability(),
        servfailFraction: () => dataPlanes[i]!.servfailFraction(),
      });
    });
    createRolloutController(sim, targets, rollout, { log });
  }

  const isImpacted = (i: number): boolean => dataPlanes[i]!.availability() < IMPACT_THRESHOLD;
  const isAffected = (i: number): boolean => {
    const c = clusters[i]!;
    const h = c.health();
    return (
      alerts.isFiring(c.config.name, { minSeverity: 'warning' }) ||
      h.isSaturated ||
      h.errorFraction > 0.05 ||
      isImpacted(i)
    );
  };

  if (config.response) {
    playbookHolder.push(
      createPlaybook(
        sim,
        config.response,
        {
          clusters,
          isAffected: (c) => isAffected(clusters.indexOf(c)),
          isImpacted: (c) => isImpacted(clusters.indexOf(c)),
          shiftTraffic: (c, away) => shiftTraffic(clusters.indexOf(c), away),
        },
        log,
      ),
    );
  }

  // Recording: every declared metric of every cluster, plus the health timeline milestones need.
  const recorder = createRecorder(sim, config.resolution, until);
  const clusterSeries: { key: string; cluster: number; decl: MetricDeclaration | null }[] = [];
  const availabilityKey = (i: number) => `${i}\u0000@availability`;
  const unhealthyKey = (i: number) => `${i}\u0000@api-unhealthy`;
  const fleetKey = '@fleet-availability';
  let impactNotified = false;
  const fleetAvailability: Sampled = {
    key: fleetKey,
    read: () => {
      let a = 0;
      for (let i = 0; i < clusters.length; i++) a += balancer.share(i) * dataPlanes[i]!.availability();
      if (!impactNotified && changeStartedAt !== null && sim.now >= changeStartedAt && a < IMPACT_THRESHOLD) {
        impactNotified = true;
        for (const p of playbookHolder) p.notifyCustomerImpact();
      }
      return a;
    },
  };
  const sampled: Sampled[] = [fleetAvailability];
  clusters.forEach((c, i) => {
    sampled.push({ key: availabilityKey(i), read: () => dataPlanes[i]!.availability() });
    sampled.push({
      key: unhealthyKey(i),
      read: () => {
        const h = c.health();
        return h.isSaturated || h.errorFraction > 0.05 || h.replicasUp === 0 ? 1 : 0;
      },
    });
    for (const comp of c.components())
      for (const m of comp.metrics()) {
        const key = `${i}\u0000${seriesKey(m)}`;
        clusterSeries.push({ key, cluster: i, decl: m });
        sampled.push({ key, read: () => m.read() });
      }
  });
  recorder.add(sampled);

  sim.run({ until });

  const series = recorder.series();
  const get = (key: string): Float64Array => series.get(key) ?? new Float64Array(0);
  const { milestones, outcomes } = computeMilestones({
    resolution: config.resolution,
    fleetAvailability: get(fleetKey),
    clusters: clusters.map((c, i) => ({
      name: c.config.name,
      nodes: c.config.nodes,
      availability: get(availabilityKey(i)),
      apiUnhealthy: get(unhealthyKey(i)),
    })),
    events: (log as unknown as { events: LoggedEvent[] }).events,
    largeClusterNodes: config.largeClusterNodes,
    changeStartedAt: changeStartedAt ?? 0,
  });

  const results: ClusterResult[] = clusters.map((c, i) => {
    const troubled = outcomes[i]!.troubleStartedAt !== null;
    const descriptors: SeriesDescriptor[] = [];
    for (const s of clusterSeries) {
      if (s.cluster !== i || !s.decl) continue;
      if (!troubled && config.quietClusterSeries === 'health' && !HEALTH_SERIES.has(s.decl.name)) continue;
      descriptors.push({
        name: s.decl.name,
        labels: s.decl.labels ?? {},
        unit: s.decl.unit,
        help: s.decl.help,
        values: Array.from(get(s.key), (v) => (Number.isFinite(v) ? v : null)),
      });
    }
    return {
      name: c.config.name,
      region: c.config.region,
      nodes: c.config.nodes,
      summary: { ...c.summary(), ...dataPlanes[i]!.summary() },
      series: descriptors,
    };
  });

  const parameters: (ParameterDeclaration & { component: string })[] = [];
  const seen = new Set<string>();
  for (const c of clusters)
    for (const comp of c.components()) {
      const kind = comp.id.replace(/^[^/]*\//, '');
      for (const p of comp.parameters?.() ?? []) {
        const key = `${kind}\u0000${p.name}\u0000${String(p.value)}`;
        if (seen.has(key)) continue;
        seen.add(key);
        parameters.push({ ...p, component: kind });
      }
    }

  const firstFiring = changeStartedAt === null ? null : alerts.timeToDetect(changeStartedAt);
  return {
    clusters: results,
    fleetAvailability: Array.from(get(fleetKey), (v) => (Number.isFinite(v) ? v : null)),
    events: (log as unknown as { events: LoggedEvent[] }).events,
    milestones: {
      ...milestones,
      rollbackAttemptFailed:
        milestones.rollbackAttemptFailed ?? playbookHolder[0]?.firstRollbackFailure ?? null,
    },
    outcomes,
    parameters,
    timeToDetect: firstFiring,
    changeStartedAt,
  };
}

function firstStart(workloads: readonly WorkloadConfig[]): number | null {
  let first: number | null = null;
  for (const w of workloads)
    if (w.startAt !== null && (first === null || w.startAt < first)) first = w.startAt;
  return first;
}
