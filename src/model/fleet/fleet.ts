/**
 * A fleet: clusters with their data planes, a global traffic balancer, alerting, a rollout of a
 * change and an operator playbook. The fleet's logic runs on the partition's simulation and each
 * cluster on its own, kept in step with it (FleetPartition.run). The fleet wires the pieces together;
 * every behaviour comes from the pieces' own mechanisms.
 */
import {
  createRecorder,
  createSimulation,
  LATE,
  type Recorder,
  type Sampled,
  type Simulation,
} from '../../engine/index.js';
import { type AlertEngine, createAlertEngine, type MetricSource } from '../alerting/index.js';
import { defaultAlertRules } from '../alerting/default-rules.js';
import type { AlertRule } from '../alerting/types.js';
import type { Identity } from '../api-types.js';
import { createCluster } from '../cluster.js';
import type { ClusterHandle } from '../cluster-types.js';
import {
  createEventLog,
  type Component,
  type EventLog,
  type LoggedEvent,
  type MetricDeclaration,
  type ParameterDeclaration,
} from '../component.js';
import type { ClusterConfig, Fault, WorkloadConfig } from '../config.js';
import { createDataPlane, type DataPlane } from '../dataplane/index.js';
import type { ClusterResult, ClusterSummary, MilestoneName, SeriesDescriptor } from '../result.js';
import { createPlaybook } from '../response/playbook.js';
import type { ResponseConfig } from '../response/types.js';
import { createRolloutController, type RolloutTarget } from '../rollout/index.js';
import type { RolloutConfig } from '../rollout/types.js';
import { BALANCER_INTERVAL, BALANCER_PARAMETERS, createTrafficBalancer } from './balancer.js';
import {
  type ClusterOutcome,
  clusterOutcome,
  computeMilestones,
  firstTroubleStep,
  IMPACT_THRESHOLD,
} from './milestones.js';
import { watchFleetTimers } from './fleet-timers.js';
import { createNodeStartup, INSTANT_NODE_STARTUP, nodeStartupParameters } from './node-startup.js';
import {
  BARRIER_SECONDS,
  COMMAND_LATENCY_SECONDS,
  CallRegistry,
  ClusterProxy,
  captureCluster,
  type FleetMessage,
  MAX_WINDOW_SECONDS,
  messageOrder,
  PARTITION_PARAMETERS,
  snapshotFields,
  windowRowsLength,
} from './partition.js';

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

/**
 * Priority of a scenario's own events in a cluster (a workload's start, a fault): after the cluster's
 * events at that instant, its 10 s windows closing at LATE included; with its recorder's sample (3).
 */
const AFTER_CLUSTER = LATE + 1;

/**
 * Priority of the fleet's commands (and new inputs) in a cluster: after everything else at that
 * instant. Only commands share it, and they keep the order the fleet gave them in; a tie with a
 * cluster event would otherwise go by when the command was scheduled, which depends on how far the
 * cluster had run (its window), not on the model.
 */
const COMMAND_PRIORITY = AFTER_CLUSTER + 1;

/** The fleet's state a cluster reads, as the fleet last sent it. */
interface FleetInputs {
  /** The balancer's load on the cluster relative to its normal share. */
  readonly loadFactor: number;
  /** What its serving nodes can take, relative to its normal share. */
  readonly capacity: number;
  readonly servingNodes: number;
  /** Image bytes/s its new nodes pull. */
  readonly pullRate: number;
  readonly podsMissing: number;
}

/** Which partition simulates each cluster, and which one this is. */
export interface PartitionPlan {
  readonly index: number;
  readonly count: number;
  /** owner[i]: the partition that simulates cluster i. */
  readonly owner: readonly number[];
  /**
   * 'fixed': every window is one command latency long, even where the fleet's horizon allows longer
   * (tests compare the two; the results are the same). Default 'horizon'.
   */
  readonly windows?: 'horizon' | 'fixed';
}

/**
 * Splits the clusters into `count` partitions of about equal work: largest first, each to the
 * partition with the least so far. A cluster's work is taken as a fixed part (its control plane's
 * and data plane's own timers, the same in every cluster) plus a part per node (fitted from the
 * replay's event counts: a 200-node cluster costs about 70% of a 7,500-node one in steady state).
 */
export function planPartitions(clusters: readonly ClusterConfig[], count: number): number[] {
  const parts = Math.max(1, Math.min(count, clusters.length));
  const work = clusters.map((c) => 1 + c.nodes / 5000);
  const order = clusters.map((_, i) => i).sort((a, b) => work[b]! - work[a]! || a - b);
  const load = new Array<number>(parts).fill(0);
  const owner = new Array<number>(clusters.length).fill(0);
  for (const i of order) {
    let best = 0;
    for (let p = 1; p < parts; p++) if (load[p]! < load[best]!) best = p;
    owner[i] = best;
    load[best]! += work[i]!;
  }
  return owner;
}

/** What one partition hands back after its run (structured-cloneable: it crosses threads). */
export interface PartitionClusterResult {
  readonly index: number;
  readonly summary: ClusterSummary;
  /** Every declared series; only the health series of a cluster that stayed healthy, with quietClusterSeries 'health'. */
  readonly series: readonly {
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly unit: string;
    readonly help: string;
    readonly values: Float64Array;
  }[];
  readonly availability: Float64Array;
  readonly unhealthy: Float64Array;
  readonly parameters: readonly (ParameterDeclaration & { readonly component: string })[];
  readonly events: readonly LoggedEvent[];
}

export interface PartitionResult {
  readonly clusters: readonly PartitionClusterResult[];
  readonly fleetAvailability: Float64Array;
  readonly fleetEvents: readonly LoggedEvent[];
  /** The earliest alert firing at or after the change in this partition's clusters, seconds. */
  readonly firstFiring: number | null;
  readonly firstRollbackFailure: number | null;
}

/** One partition of a fleet run: its clusters, a replica of the fleet's logic, its own clock. */
export interface FleetPartition {
  /** Numbers in one exchange's rows: every cluster's row at each barrier of a window. */
  readonly rowsLength: number;
  /**
   * Runs the fleet's logic through the window the last exchange brought, then the owned clusters
   * through the next window; false once everything has reached the end (no exchange is due).
   */
  run(): boolean;
  /** Events run so far by the fleet's simulation and its clusters'. */
  readonly eventsProcessed: number;
  /** Windows run so far. */
  readonly windowsRun: number;
  /** Windows an owned cluster had already run when they began (it ran ahead; summed over clusters). */
  readonly windowsAhead: number;
  /** Numbers of the rows that the last capture wrote (a prefix of `rowsLength`). */
  readonly rowsInUse: number;
  /**
   * Writes the owned clusters' rows of the window they last ran into `rows` (slot-major: barrier, then
   * cluster) and hands over the messages they gave in it.
   */
  capture(rows: Float64Array): FleetMessage[];
  /** Takes every partition's rows and messages (in messageOrder) for the fleet's logic to read at its barriers. */
  apply(rows: Float64Array, messages: readonly FleetMessage[]): void;
  finish(): PartitionResult;
}

export function createFleetPartition(
  sim: Simulation,
  config: FleetConfig,
  plan: PartitionPlan,
): FleetPartition {
  const fleetLog = createEventLog();
  const until = config.duration;
  const n = config.clusters.length;
  const isOwned = (i: number): boolean => plan.owner[i] === plan.index;
  const followed = config.workloads.map((w) => w.name);
  const fields = snapshotFields(followed.length);
  const calls = new CallRegistry();
  const outbox: FleetMessage[] = [];
  const now = (): number => sim.now;
  // Every fleet component that can give a command schedules through this view: its earliest pending
  // timer bounds when the fleet can next act on its own (the horizon, in run()).
  const timers = watchFleetTimers(sim);
  // Node start-up's pull steps change only the inputs of clusters whose nodes are being restored: its
  // timers bound those clusters' windows, not the others' (run()).
  const startupTimers = watchFleetTimers(sim);

  // Each owned cluster logs to its own log (merged by time after the run, partition-independent).
  const clusterLogs = new Map<string, ReturnType<typeof createEventLog>>();
  const clusterLog = (name: string): EventLog => {
    let log = clusterLogs.get(name);
    if (log === undefined) {
      log = createEventLog();
      clusterLogs.set(name, log);
    }
    return log;
  };
  const routedLog: EventLog = { record: (e) => clusterLog(e.cluster).record(e) };

  // The real clusters this partition simulates (null where another partition does), each on its own
  // simulation (same seed: random streams are named per cluster), run a window at a time (run()).
  const real: (ClusterHandle | null)[] = new Array(n).fill(null);
  const clusterSims: (Simulation | null)[] = new Array(n).fill(null);
  const dataPlanes: (DataPlane | null)[] = new Array(n).fill(null);
  const alertEngines: (AlertEngine | null)[] = new Array(n).fill(null);
  const recorders: (Recorder | null)[] = new Array(n).fill(null);
  /** What each owned cluster was last told of the fleet's state (traffic, capacity, node start-up), */
  const inputs: (FleetInputs | null)[] = new Array(n).fill(null);
  /** and what the fleet last sent it (which reaches it a command latency later). */
  const sent: (FleetInputs | null)[] = new Array(n).fill(null);

  const registryBytesPerSecond = config.registryBytesPerSecond ?? Number.POSITIVE_INFINITY;
  const startupConfigs = config.clusters.map((cc) => cc.nodeStartup ?? INSTANT_NODE_STARTUP);
  const nodeStartup = createNodeStartup(startupTimers, {
    clusters: config.clusters.map((cc, i) => ({
      name: cc.name,
      region: cc.region,
      nodes: cc.nodes,
      // Without a nodeStartup, added nodes serve at once, pods and all.
      podsPerNode: cc.nodeStartup ? cc.podsPerNode : 0,
      startup: startupConfigs[i]!,
      isApiUp: () => proxies[i]!.health().replicasUp > 0,
    })),
    registryBytesPerSecond,
    log: fleetLog,
  });
  // What a cluster's serving nodes can take, relative to its normal share: its headroom while every
  // node serves, less while nodes are scaled down or still pulling their images.
  const capacity = (i: number): number => (1 + config.trafficHeadroom) * nodeStartup.servingFraction(i);
  const balancer = createTrafficBalancer(
    config.clusters.map((c) => c.trafficWeight),
    capacity,
  );

  const fleetInputs = (i: number): FleetInputs => {
    const missing = nodeStartup.missingPods(i);
    return {
      loadFactor: balancer.loadFactor(i),
      capacity: capacity(i),
      servingNodes: nodeStartup.servingNodes(i),
      pullRate: nodeStartup.pullRate(i),
      podsMissing: missing.toCreate + missing.pending,
    };
  };

  config.clusters.forEach((cc, i) => {
    if (!isOwned(i)) return;
    const clusterSim = createSimulation({ seed: sim.seed });
    const cluster = createCluster(clusterSim, cc, {
      log: clusterLog(cc.name),
      until,
      resolution: config.resolution,
      coreDnsWatchers: false,
    });
    inputs[i] = fleetInputs(i);
    sent[i] = inputs[i];
    const dataPlane = createDataPlane(clusterSim, cluster, cc.dataPlane, {
      until,
      userTrafficScale: () => inputs[i]!.loadFactor,
      servingCapacity: () => inputs[i]!.capacity,
    });
    cluster.addComponent(dataPlane);
    real[i] = cluster;
    dataPlanes[i] = dataPlane;
    clusterSims[i] = clusterSim;
  });
  const owned = clusterSims.flatMap((s, i) => (s === null ? [] : [i]));
  /** Runs `command` in owned cluster i a command latency after the fleet's now (commands and inputs). */
  const sendToCluster = (i: number, command: () => void): void => {
    clusterSims[i]!.scheduleAt(sim.now + COMMAND_LATENCY_SECONDS, runCommand, command, COMMAND_PRIORITY);
  };
  // (Node start-up reads the proxies only from its events, after this line.)
  const proxies = config.clusters.map((cc, i) => {
    // An owned cluster hears the fleet's commands a command latency after they are given, and
    // answers on its own clock.
    const clusterSim = clusterSims[i];
    const deliver = (command: () => void): void => sendToCluster(i, command);
    const answeredAt = clusterSim ? () => clusterSim.now : now;
    return new ClusterProxy(cc, i, real[i] ?? null, deliver, calls, outbox, answeredAt, followed, fleetLog);
  });
  for (const p of proxies) p.onNodesScaled((from, to) => nodeStartup.resized(p.index, from, to));
  real.forEach((c, i) => {
    if (c === null) return;
    const parameters = [
      ...nodeStartupParameters(startupConfigs[i]!, registryBytesPerSecond),
      ...BALANCER_PARAMETERS,
      ...PARTITION_PARAMETERS,
    ];
    c.addComponent({
      id: `${c.config.name}/node-startup`,
      metrics: () => [
        {
          name: 'stormglass_serving_nodes',
          unit: 'nodes',
          help: 'Nodes whose pods serve users (fractional while restored nodes pull their images).',
          read: () => inputs[i]!.servingNodes,
        },
        {
          name: 'stormglass_node_image_pull_bytes_per_second',
          unit: 'bytes/s',
          help: "Image bytes the cluster's new nodes pull per second from their region's registry.",
          read: () => inputs[i]!.pullRate,
        },
        {
          name: 'stormglass_pods_missing',
          unit: 'pods',
          help: 'Pods lost with removed nodes that are not running on a node yet (to create, or Pending).',
          read: () => inputs[i]!.podsMissing,
        },
      ],
      parameters: () => parameters,
    });
  });
  // While traffic is moved, the balancer follows the receivers' capacity at its health-check interval,
  // on the clock its first move started. With no traffic moved a refresh has nothing to do, so no
  // timer is kept then (a pending timer would hold the fleet's horizon to the next one).
  // (The refresh times are those a timer re-armed at every refresh would have: next = last + interval.)
  let nextRefreshAt: number | null = null;
  let isRefreshPending = false;
  const scheduleRefresh = (): void => {
    if (isRefreshPending || nextRefreshAt === null || !balancer.hasTrafficAway()) return;
    while (nextRefreshAt <= sim.now) nextRefreshAt += BALANCER_INTERVAL;
    if (nextRefreshAt > until) return;
    isRefreshPending = true;
    timers.scheduleAt(nextRefreshAt, refreshBalancer, undefined);
  };
  const refreshBalancer = (): void => {
    isRefreshPending = false;
    balancer.refresh();
    nextRefreshAt = sim.now + BALANCER_INTERVAL;
    scheduleRefresh();
  };
  const shiftTraffic = (i: number, away: boolean): void => {
    balancer.setAway(i, away);
    nextRefreshAt ??= sim.now + BALANCER_INTERVAL;
    scheduleRefresh();
  };

  // Workloads with a start time are created directly in each cluster (scenarios without a rollout),
  // and faults injected there: they are part of the scenario, not fleet decisions. At their instant
  // they come after the cluster's own events, as the fleet's events do.
  for (const w of config.workloads) {
    if (w.startAt === null) continue;
    for (const i of owned)
      clusterSims[i]!.scheduleAt(w.startAt, runCommand, () => real[i]!.deployWorkload(w), AFTER_CLUSTER);
  }

  for (const f of config.faults) {
    const i = config.clusters.findIndex((c) => c.name === f.cluster);
    const cluster = real[i];
    const clusterSim = clusterSims[i];
    if (!cluster || !clusterSim) continue;
    if (f.kind === 'apiserver-unreachable')
      clusterSim.scheduleAt(f.at, runCommand, () => cluster.injectApiOutage(f.duration), AFTER_CLUSTER);
    else if (f.kind === 'coredns-restart')
      clusterSim.scheduleAt(f.at, runCommand, () => dataPlanes[i]!.restartCoreDns(), AFTER_CLUSTER);
  }

  // Detection: each cluster evaluates its rules on its own clock; firings reach the fleet at a barrier.
  const playbookHolder: {
    notifyDetection(): void;
    notifyCustomerImpact(): void;
    readonly firstRollbackFailure: number | null;
    readonly reactionDelay: number;
  }[] = [];
  const changeStartedAt = config.rollout?.startAt ?? firstStart(config.workloads);
  for (const i of owned) {
    const c = real[i]!;
    const alerts = createAlertEngine(clusterSims[i]!, {
      rules: config.alerts ?? defaultAlertRules,
      evaluationInterval: config.evaluationInterval,
      until,
      history: {
        kind: 'steady',
        baselineFrom: 0,
        baselineTo: Math.max(60, Math.min(changeStartedAt ?? 600, 600)),
      },
      log: routedLog,
      onFiring: (t) => {
        if (changeStartedAt !== null && t.t >= changeStartedAt)
          outbox.push({ kind: 'firing', id: -1, t: t.t });
      },
    });
    alerts.addCluster(
      c.config.name,
      createMetricSource(() => c.components()),
    );
    alertEngines[i] = alerts;
  }

  // The change's rollout.
  const rollout = config.rollout;
  const change = rollout ? config.workloads.filter((w) => w.name === rollout.workload) : [];
  if (rollout && change.length > 0) {
    const inScope = new Set(rollout.clusters);
    const targets: RolloutTarget[] = [];
    proxies.forEach((c) => {
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
        serviceAvailability: () => c.availability(),
        servfailFraction: () => c.servfailFraction(),
      });
    });
    createRolloutController(timers, targets, rollout, { log: fleetLog });
  }

  const isImpacted = (c: ClusterProxy): boolean => c.availability() < IMPACT_THRESHOLD;
  const isAffected = (c: ClusterProxy): boolean => {
    const h = c.health();
    return c.isAlertFiring() || h.isSaturated || h.errorFraction > 0.05 || isImpacted(c);
  };
  const proxyOf = (c: ClusterHandle): ClusterProxy => c as ClusterProxy;

  if (config.response) {
    playbookHolder.push(
      createPlaybook(
        timers,
        config.response,
        {
          clusters: proxies,
          isAffected: (c) => isAffected(proxyOf(c)),
          isImpacted: (c) => isImpacted(proxyOf(c)),
          shiftTraffic: (c, away) => shiftTraffic(proxyOf(c).index, away),
        },
        fleetLog,
      ),
    );
  }

  // Recording: every declared metric of every owned cluster and the health timeline milestones need,
  // each on its cluster's clock; the fleet's availability as the fleet sees it (every partition
  // computes the same) on the fleet's.
  const recorder = createRecorder(sim, config.resolution, until);
  const clusterSeries: { key: string; cluster: number; decl: MetricDeclaration }[] = [];
  const availabilityKey = '@availability';
  const unhealthyKey = '@api-unhealthy';
  const fleetKey = '@fleet-availability';
  let impactNotified = false;
  recorder.add([
    {
      key: fleetKey,
      read: () => {
        let a = 0;
        for (let i = 0; i < n; i++) a += balancer.share(i) * proxies[i]!.availability();
        if (
          !impactNotified &&
          changeStartedAt !== null &&
          sim.now >= changeStartedAt &&
          a < IMPACT_THRESHOLD
        ) {
          impactNotified = true;
          for (const p of playbookHolder) p.notifyCustomerImpact();
        }
        return a;
      },
    },
  ]);
  for (const i of owned) {
    const c = real[i]!;
    const dataPlane = dataPlanes[i]!;
    const sampled: Sampled[] = [
      { key: availabilityKey, read: () => dataPlane.availability() },
      {
        key: unhealthyKey,
        read: () => {
          const h = c.health();
          return h.isSaturated || h.errorFraction > 0.05 || h.replicasUp === 0 ? 1 : 0;
        },
      },
    ];
    for (const comp of c.components())
      for (const m of comp.metrics()) {
        const key = seriesKey(m);
        clusterSeries.push({ key, cluster: i, decl: m });
        sampled.push({ key, read: () => m.read() });
      }
    const clusterRecorder = createRecorder(clusterSims[i]!, config.resolution, until);
    clusterRecorder.add(sampled);
    recorders[i] = clusterRecorder;
  }

  // Windows and barriers. The clusters run a window at a time, each on its own, and write their
  // snapshot row at every barrier in it; the partitions exchange rows and messages once per window;
  // then the fleet's logic runs through the same window, taking each barrier's rows at that barrier.
  // Whatever it decides there reaches a cluster a command latency later, in a window the clusters
  // have not run yet: a window is a command latency long, or longer while the fleet cannot act
  // (horizon).
  const rowLength = n * fields;
  /** The owned clusters' rows at each barrier of the window they last ran (slot-major). */
  const captured = new Float64Array(windowRowsLength(n, followed.length));
  let capturedSlots = 0;
  /** The whole fleet's rows for the window the fleet's logic runs next, and their messages. */
  let rows: Float64Array = new Float64Array(0);
  let nextSlot = 0;
  let inbox: readonly FleetMessage[] = [];
  let nextMessage = 0;
  /** How far the clusters have run. */
  let clusterTime = 0;
  let windowsRun = 0;
  let windowsAhead = 0;
  /** The fleet timers run when the last barrier was done (a later one may have changed the inputs). */
  let timersRunAtBarrier = 0;
  let startupTimersRunAtBarrier = 0;

  const captureRow = (i: number, into: Float64Array, at: number): void => {
    const c = real[i]!;
    const firing = alertEngines[i]!.isFiring(c.config.name, { minSeverity: 'warning' });
    captureCluster(into, at, c, dataPlanes[i]!, firing, followed);
  };
  /**
   * A cluster node start-up cannot reach runs to its own, later window end: its rows for the
   * barriers past the common window wait here (slot k is the barrier at aheadFrom + k + 1) and go
   * into the exchanges of the windows they belong to.
   */
  const ahead = clusterSims.map((s) => (s === null ? null : new Float64Array(MAX_WINDOW_SECONDS * fields)));
  const aheadFrom = new Array<number>(n).fill(0);
  const aheadTo = new Array<number>(n).fill(0);
  /**
   * The rows the fleet reads until the next barrier: a copy, because the exchange buffer is
   * overwritten by the next window's rows before the fleet's timers in between have run.
   */
  const current = new Float64Array(rowLength);
  const useRow = (slot: number): void => {
    current.set(rows.subarray(slot * rowLength, (slot + 1) * rowLength));
    for (const p of proxies) p.update(current, fields);
  };
  // What a cluster reads of the fleet's state goes to it like a command: sampled at each barrier,
  // sent when it changed.
  const sendInputs = (): void => {
    for (const i of owned) {
      const next = fleetInputs(i);
      const last = sent[i]!;
      if (
        next.loadFactor === last.loadFactor &&
        next.capacity === last.capacity &&
        next.servingNodes === last.servingNodes &&
        next.pullRate === last.pullRate &&
        next.podsMissing === last.podsMissing
      )
        continue;
      sent[i] = next;
      sendToCluster(i, () => {
        inputs[i] = next;
      });
    }
  };
  const barrier = (): void => {
    useRow(nextSlot++);
    // Answers and firings given since the last barrier, in messageOrder.
    while (nextMessage < inbox.length && inbox[nextMessage]!.t <= sim.now) {
      const m = inbox[nextMessage++]!;
      if (m.kind === 'outcome') calls.deliver(m.id, m.outcome);
      // (The playbook acts on the first detection only.)
      else for (const p of playbookHolder) p.notifyDetection();
    }
    sendInputs();
    timersRunAtBarrier = timers.timersRun;
    startupTimersRunAtBarrier = startupTimers.timersRun;
    if (sim.now + BARRIER_SECONDS <= until) sim.schedule(BARRIER_SECONDS, barrier, undefined, LATE);
  };

  /**
   * The earliest instant after `start` (the fleet's clock) at which its logic may give a command or
   * send a cluster new inputs, whatever the clusters report meanwhile. The logic acts only
   * - from its own timers (watched: timers.nextTimerAt());
   * - on the answer to an API call it made, at the barrier that brings it;
   * - on detection or customer impact, after the decision delay of the actions they trigger (neither
   *   reaches the fleet before the change starts);
   * - at a barrier, sending the inputs a timer changed since the last one.
   * Everything else it does with the clusters' rows (gates, selections, start-up) runs in its timers.
   * Without `withStartup`, node start-up's timers do not count: they change the inputs of restoring
   * clusters only (nodeStartup.isRestoring), so this is the horizon of every other cluster.
   */
  const horizon = (start: number, withStartup: boolean): number => {
    const soon = start + BARRIER_SECONDS;
    if (plan.windows === 'fixed' || calls.pendingCount > 0 || timers.timersRun !== timersRunAtBarrier)
      return soon;
    let earliest = timers.nextTimerAt();
    if (withStartup) {
      if (startupTimers.timersRun !== startupTimersRunAtBarrier) return soon;
      earliest = Math.min(earliest, startupTimers.nextTimerAt());
    }
    if (changeStartedAt !== null)
      for (const p of playbookHolder)
        earliest = Math.min(earliest, Math.max(soon, changeStartedAt) + p.reactionDelay);
    return Math.max(earliest, soon);
  };
  if (BARRIER_SECONDS <= until) sim.schedule(BARRIER_SECONDS, barrier, undefined, LATE);
  // The first exchange carries the clusters as built.
  for (const i of owned) captureRow(i, captured, i * fields);
  capturedSlots = 1;
  /** The end of a window that starts at `start`, for a fleet whose horizon is `reachesAt`. */
  const windowEnd = (start: number, reachesAt: number): number => {
    // A command the fleet gives at its horizon or later acts a command latency later: the window ends
    // at the last barrier before that (never sooner than a command latency from its start).
    const reach = Math.ceil((reachesAt + COMMAND_LATENCY_SECONDS - start) / BARRIER_SECONDS) - 1;
    return Math.min(
      start + Math.max(COMMAND_LATENCY_SECONDS, Math.min(reach * BARRIER_SECONDS, MAX_WINDOW_SECONDS)),
      until,
    );
  };

  return {
    rowsLength: captured.length,
    run() {
      // The fleet's logic through the window the last exchange brought.
      sim.advance(clusterTime);
      if (clusterTime >= until) return false;
      // Then each cluster through the next window, on its own, writing its row at every barrier. The
      // window ends where the fleet's horizon says; a cluster whose nodes are not being restored may
      // run on to the horizon of every timer but node start-up's (it is never later than that).
      const start = clusterTime;
      const end = windowEnd(start, horizon(start, true));
      const slots = Math.floor((end - start) / BARRIER_SECONDS);
      let quietEnd = -1;
      for (const i of owned) {
        const clusterSim = clusterSims[i]!;
        const rows = ahead[i]!;
        if (aheadTo[i]! >= end) windowsAhead++;
        else {
          if (quietEnd < 0) quietEnd = windowEnd(start, horizon(start, false));
          const to = nodeStartup.isRestoring(i) ? end : quietEnd;
          // It may have run part of this window already: keep those rows, moved to the front.
          const done = Math.max(0, Math.round((aheadTo[i]! - start) / BARRIER_SECONDS));
          if (done > 0) {
            const from = Math.round((start - aheadFrom[i]!) / BARRIER_SECONDS);
            rows.copyWithin(0, from * fields, (from + done) * fields);
          }
          const count = Math.floor((to - start) / BARRIER_SECONDS);
          for (let slot = done; slot < count; slot++) {
            clusterSim.advance(start + (slot + 1) * BARRIER_SECONDS);
            captureRow(i, rows, slot * fields);
          }
          clusterSim.advance(to);
          aheadFrom[i] = start;
          aheadTo[i] = to;
        }
        const first = Math.round((start - aheadFrom[i]!) / BARRIER_SECONDS);
        for (let slot = 0; slot < slots; slot++) {
          const from = (first + slot) * fields;
          const into = slot * rowLength + i * fields;
          for (let f = 0; f < fields; f++) captured[into + f] = rows[from + f]!;
        }
      }
      capturedSlots = slots;
      clusterTime = end;
      windowsRun++;
      return true;
    },
    get eventsProcessed() {
      let events = sim.eventsProcessed;
      for (const i of owned) events += clusterSims[i]!.eventsProcessed;
      return events;
    },
    get windowsRun() {
      return windowsRun;
    },
    get windowsAhead() {
      return windowsAhead;
    },
    get rowsInUse() {
      return capturedSlots * rowLength;
    },
    capture(out) {
      for (let slot = 0; slot < capturedSlots; slot++)
        for (const i of owned) {
          const at = slot * rowLength + i * fields;
          out.set(captured.subarray(at, at + fields), at);
        }
      return outbox.splice(0, outbox.length);
    },
    apply(all, messages) {
      rows = all;
      nextSlot = 0;
      inbox = messages;
      nextMessage = 0;
      // The clusters as built: the fleet reads them from its first event on.
      if (clusterTime === 0) useRow(nextSlot++);
    },
    finish() {
      const series = recorder.series();
      const troubleFromStep = firstTroubleStep(changeStartedAt ?? 0, config.resolution);
      const clusters: PartitionClusterResult[] = [];
      for (const i of owned) {
        const c = real[i]!;
        // A cluster that stayed healthy keeps only its health series: the others are not even
        // transposed. (The test is computeMilestones', on the same timeline: the same clusters.)
        const timeline = recorders[i]!.series((key) => key === availabilityKey || key === unhealthyKey);
        const isQuiet =
          config.quietClusterSeries === 'health' &&
          clusterOutcome(
            {
              name: c.config.name,
              nodes: c.config.nodes,
              availability: timeline.get(availabilityKey) ?? new Float64Array(0),
              apiUnhealthy: timeline.get(unhealthyKey) ?? new Float64Array(0),
            },
            config.resolution,
            troubleFromStep,
          ).troubleStartedAt === null;
        const kept = (s: { cluster: number; decl: MetricDeclaration }): boolean =>
          s.cluster === i && (!isQuiet || HEALTH_SERIES.has(s.decl.name));
        const keys = new Set(clusterSeries.filter(kept).map((s) => s.key));
        const own = recorders[i]!.series((key) => keys.has(key));
        const parameters: (ParameterDeclaration & { component: string })[] = [];
        for (const comp of c.components()) {
          const kind = comp.id.replace(/^[^/]*\//, '');
          for (const p of comp.parameters?.() ?? []) parameters.push({ ...p, component: kind });
        }
        clusters.push({
          index: i,
          summary: { ...c.summary(), ...dataPlanes[i]!.summary() },
          series: clusterSeries.filter(kept).map((s) => ({
            name: s.decl.name,
            labels: s.decl.labels ?? {},
            unit: s.decl.unit,
            help: s.decl.help,
            values: own.get(s.key)!,
          })),
          availability: timeline.get(availabilityKey)!,
          unhealthy: timeline.get(unhealthyKey)!,
          parameters,
          events: clusterLogs.get(c.config.name)?.events ?? [],
        });
      }
      let first: number | null = null;
      if (changeStartedAt !== null)
        for (const i of owned) {
          const t = alertEngines[i]!.firstFiring({ since: changeStartedAt })?.t;
          if (t !== undefined && (first === null || t < first)) first = t;
        }
      return {
        clusters,
        fleetAvailability: series.get(fleetKey) ?? new Float64Array(0),
        fleetEvents: fleetLog.events,
        firstFiring: first,
        firstRollbackFailure: playbookHolder[0]?.firstRollbackFailure ?? null,
      };
    },
  };
}

/** A command's body, run as an event on the cluster's clock. */
function runCommand(command: () => void): void {
  command();
}

/**
 * Runs partitions window by window, `exchange` between them (and once before the start), until
 * they reach the end. All partitions stop at the same windows.
 */
export function runBetweenBarriers(partitions: readonly FleetPartition[], exchange: () => void): void {
  exchange();
  for (;;) {
    let isMore = false;
    for (const p of partitions) isMore = p.run() || isMore;
    if (!isMore) return;
    exchange();
  }
}

/**
 * Runs partitions in this thread, one after another between exchanges (the worker threads of
 * simulate-parallel.ts run one partition each, at once, exchanging through shared memory).
 */
export function runPartitions(partitions: readonly FleetPartition[]): void {
  const snapshot = new Float64Array(partitions[0]!.rowsLength);
  runBetweenBarriers(partitions, () => {
    const messages: FleetMessage[] = [];
    for (const p of partitions) messages.push(...p.capture(snapshot));
    messages.sort(messageOrder);
    for (const p of partitions) p.apply(snapshot, messages);
  });
}

export function runFleet(
  sim: Simulation,
  config: FleetConfig,
  /** Called once the partition exists, before it runs (progress reporting reads its event count). */
  beforeRun?: (partition: FleetPartition) => void,
): FleetOutcome {
  const owner = new Array<number>(config.clusters.length).fill(0);
  const partition = createFleetPartition(sim, config, { index: 0, count: 1, owner });
  beforeRun?.(partition);
  runPartitions([partition]);
  return finishFleet(config, [partition.finish()]);
}

/** Puts the partitions' results together: clusters in order, events by time, milestones. */
export function finishFleet(config: FleetConfig, parts: readonly PartitionResult[]): FleetOutcome {
  const n = config.clusters.length;
  const byIndex: PartitionClusterResult[] = new Array(n);
  for (const p of parts) for (const c of p.clusters) byIndex[c.index] = c;
  const fleet = parts[0]!;

  // Events: by time; at equal times the fleet's first, then each cluster's in cluster order, each
  // source's own order kept (so the order does not depend on the partitioning).
  const tagged: { e: LoggedEvent; source: number; seq: number }[] = [];
  const add = (list: readonly LoggedEvent[], source: number): void => {
    for (let seq = 0; seq < list.length; seq++) tagged.push({ e: list[seq]!, source, seq });
  };
  add(fleet.fleetEvents, -1);
  for (let i = 0; i < n; i++) add(byIndex[i]!.events, i);
  tagged.sort((a, b) => a.e.t - b.e.t || a.source - b.source || a.seq - b.seq);
  const events = tagged.map((x) => x.e);

  const changeStartedAt = config.rollout?.startAt ?? firstStart(config.workloads);
  const { milestones, outcomes } = computeMilestones({
    resolution: config.resolution,
    fleetAvailability: fleet.fleetAvailability,
    clusters: config.clusters.map((cc, i) => ({
      name: cc.name,
      nodes: cc.nodes,
      availability: byIndex[i]!.availability,
      apiUnhealthy: byIndex[i]!.unhealthy,
    })),
    events,
    largeClusterNodes: config.largeClusterNodes,
    changeStartedAt: changeStartedAt ?? 0,
  });

  // (A partition sends only the health series of a cluster that stayed healthy: finish().)
  const results: ClusterResult[] = config.clusters.map((cc, i) => {
    const descriptors: SeriesDescriptor[] = byIndex[i]!.series.map((s) => ({
      name: s.name,
      labels: s.labels,
      unit: s.unit,
      help: s.help,
      values: finiteOrNull(s.values),
    }));
    return {
      name: cc.name,
      region: cc.region,
      nodes: cc.nodes,
      summary: byIndex[i]!.summary,
      series: descriptors,
    };
  });

  const parameters: (ParameterDeclaration & { component: string })[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++)
    for (const p of byIndex[i]!.parameters) {
      const key = `${p.component}\u0000${p.name}\u0000${String(p.value)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      parameters.push(p);
    }

  let firstFiring: number | null = null;
  for (const p of parts)
    if (p.firstFiring !== null && (firstFiring === null || p.firstFiring < firstFiring))
      firstFiring = p.firstFiring;
  return {
    clusters: results,
    fleetAvailability: finiteOrNull(fleet.fleetAvailability),
    events,
    milestones: {
      ...milestones,
      rollbackAttemptFailed: milestones.rollbackAttemptFailed ?? fleet.firstRollbackFailure,
    },
    outcomes,
    parameters,
    timeToDetect: firstFiring === null || changeStartedAt === null ? null : firstFiring - changeStartedAt,
    changeStartedAt,
  };
}

/** A series as JSON carries it: a gap (NaN, before a series existed) is null. */
function finiteOrNull(values: Float64Array): (number | null)[] {
  const out = new Array<number | null>(values.length);
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    out[k] = Number.isFinite(v) ? v : null;
  }
  return out;
}

function firstStart(workloads: readonly WorkloadConfig[]): number | null {
  let first: number | null = null;
  for (const w of workloads)
    if (w.startAt !== null && (first === null || w.startAt < first)) first = w.startAt;
  return first;
}
