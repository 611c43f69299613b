/**
 * One simulated cluster: control plane (API servers with APF, CPU and memory, etcd, watch caches),
 * the clients that load it (kubelets, kube-proxies, KCM with the node-lifecycle controller,
 * scheduler, CoreDNS informers, ordinary churn) and the workloads deployed into it.
 *
 * Fidelity: 'exact' simulates every client; 'aggregate' groups nodes into blocks whose identical
 * clients travel as one request of count = block size (ApiRequest.count). Both paths run the same
 * code with a different block size; test/model/cluster/differential.test.ts compares them.
 */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import type { Simulation } from '../engine/index.js';
import type { ApiCallback, ApiOutcome, Identity } from './api-types.js';
import { createApiClient } from './client/api-client.js';
import {
  CLIENT_PARAMETERS,
  KCM_IDENTITY,
  KCM_RATE,
  SCHEDULER_IDENTITY,
  SCHEDULER_RATE,
  serviceAccountIdentity,
  userIdentity,
} from './client/identities.js';
import type { Reflector } from './client/reflector.js';
import type { ClusterHandle, ControlPlaneHealth, NodeView } from './cluster-types.js';
import type { Component, EventLog, MetricDeclaration, ParameterDeclaration } from './component.js';
import type { ClusterConfig, WorkloadConfig } from './config.js';
import { type ControlPlane, createControlPlane } from './controlplane/control-plane.js';
import { OBJECT_STORE_PARAMETERS } from './controlplane/object-store.js';
import {
  CONTROL_PLANE_PARAMETERS,
  SATURATION_CPU,
  SATURATION_HOLD,
  SATURATION_REJECTED,
} from './controlplane/parameters.js';
import { VERB_CLASSES } from './controlplane/request-stats.js';
import { makeRequest } from './controlplane/serving.js';
import { HeartbeatLog } from './nodes/heartbeat-log.js';
import { NODE_PARAMETERS, NodeAgents } from './nodes/node-agents.js';
import { NODE_LIFECYCLE_PARAMETERS, NodeLifecycle } from './nodes/node-lifecycle.js';
import type { ClusterSummary } from './result.js';
import { AGENT_PARAMETERS } from './workloads/agent.js';
import { CHURN_PARAMETERS, PodChurn } from './workloads/churn.js';
import { coreDnsReplicas, createCoreDnsWatchers } from './workloads/coredns-watchers.js';
import { WORKLOAD_PARAMETERS, WorkloadRuntime } from './workloads/daemonset.js';
import { LEADER_ELECTION_PARAMETERS, LeaderElectedProcess } from './workloads/leader-elected.js';

/** A failed workload creation is re-applied by the delivery pipeline after this long, seconds. */
const DEPLOY_RETRY = 30;
/** Blocks a cluster is split into in aggregate fidelity (fewer, larger cohorts = faster, coarser). */
export const AGGREGATE_BLOCKS = 20;
/**
 * Aggregate fidelity: the fewest nodes a block holds, so a small cluster has fewer blocks than
 * AGGREGATE_BLOCKS. A cohort's members are timed as spread arrivals (apiserver.ts runCpu), so block
 * size no longer moves single-request latencies; the differential test runs at this size.
 */
export const AGGREGATE_MIN_BLOCK = 50;

/** Nodes per block in aggregate fidelity: AGGREGATE_BLOCKS blocks, none under AGGREGATE_MIN_BLOCK nodes. */
export function aggregateBlockSize(nodes: number): number {
  return Math.min(Math.max(nodes, 1), Math.max(AGGREGATE_MIN_BLOCK, Math.ceil(nodes / AGGREGATE_BLOCKS)));
}
/** Aggregate fidelity: ordinary churn travels in cohorts about this often, seconds. */
export const AGGREGATE_COHORT_INTERVAL = 10;
/** Period of the fluid updates (watch-cache work, CPU capacity), seconds: exact and aggregate. */
const TICK_EXACT = 1;
const TICK_AGGREGATE = 5;

export interface ClusterOptions {
  readonly log: EventLog;
  readonly until: number;
  /** Sampling window of the series, seconds (the result resolution, 10 s by default). */
  readonly resolution?: number;
  /** Run the baseline CoreDNS informers (off when a data-plane model runs its own). Default true. */
  readonly coreDnsWatchers?: boolean;
  /** Nodes per block; default 1 for exact fidelity and aggregateBlockSize(nodes) for aggregate. */
  readonly blockSize?: number;
}

/** Every parameter this model declares (APF's come from the APF filter), for docs/model.md. */
export const CLUSTER_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'aggregate.blocks',
    value: AGGREGATE_BLOCKS,
    unit: 'blocks per cluster',
    source: 'stormglass aggregate fidelity (differential-tested); ClusterOptions.blockSize overrides',
  },
  {
    name: 'aggregate.minBlockNodes',
    value: AGGREGATE_MIN_BLOCK,
    unit: 'nodes per block',
    source:
      'stormglass aggregate fidelity: the differential test against exact fidelity runs at this size (test/model/cluster/differential.test.ts)',
  },
  {
    name: 'cluster.deployRetry',
    value: DEPLOY_RETRY,
    unit: 'seconds',
    source: 'fitted',
    fitted:
      'A delivery pipeline (kubectl apply, a GitOps controller) re-applies a workload whose creation failed; 30 s stands for its retry loop.',
  },
  {
    name: 'cluster.fluidTick',
    value: `${TICK_EXACT} (exact) / ${TICK_AGGREGATE} (aggregate)`,
    unit: 'seconds',
    source:
      'stormglass: period of the fluid updates (watch-cache work, background CPU, slow-watcher terminations)',
  },
  {
    name: 'aggregate.churnCohortInterval',
    value: AGGREGATE_COHORT_INTERVAL,
    unit: 'seconds',
    source: 'stormglass aggregate fidelity: ordinary churn travels in cohorts about this often',
  },
  ...CONTROL_PLANE_PARAMETERS,
  ...OBJECT_STORE_PARAMETERS,
  ...CLIENT_PARAMETERS,
  ...NODE_PARAMETERS,
  ...NODE_LIFECYCLE_PARAMETERS,
  ...LEADER_ELECTION_PARAMETERS,
  ...CHURN_PARAMETERS,
  ...WORKLOAD_PARAMETERS,
  ...AGENT_PARAMETERS,
];

export interface SimulatedCluster extends ClusterHandle {
  readonly controlPlane: ControlPlane;
  readonly nodeAgents: NodeAgents;
  readonly kcm: LeaderElectedProcess;
  readonly scheduler: LeaderElectedProcess;
  readonly blockSize: number;
  workload(name: string): WorkloadRuntime | undefined;
  /** Whether the saturation condition held in the last sampling window. */
  readonly isSaturatedNow: boolean;
}

const OPERATOR: Identity = userIdentity('cluster-admin', ['system:masters'], 'operator');
const DEPLOYER: Identity = userIdentity('deploy-pipeline', [], 'operator');

function onSecond(c: ClusterImpl): void {
  c.second();
}
function onWindow(c: ClusterImpl): void {
  c.window();
}

class ClusterImpl implements SimulatedCluster {
  readonly controlPlane: ControlPlane;
  readonly nodeAgents: NodeAgents;
  readonly kcm: LeaderElectedProcess;
  readonly scheduler: LeaderElectedProcess;
  readonly blockSize: number;
  private readonly lifecycle: NodeLifecycle;
  private readonly heartbeats = new HeartbeatLog();
  private readonly coreDns: Reflector[];
  private readonly extra: Component[] = [];
  private readonly scaleListeners: ((from: number, to: number) => void)[] = [];
  private readonly workloads = new Map<string, WorkloadRuntime>();
  /** Workloads whose node-local kill switch was flipped before they were deployed here. */
  private readonly switchedOff = new Set<string>();
  private readonly resolution: number;
  private readonly tick: number;
  private nodeCount: number;
  private readonly saturationWindows: {
    readonly start: number;
    readonly responses: number;
    readonly failures: number;
    readonly isCpu: boolean;
    readonly isAlone: boolean;
  }[] = [];
  saturatedAt: number | null = null;
  isSaturatedNow = false;
  private agentRestarts = 0;
  private lastAgentRestarts = 0;
  private agentRestartRate = 0;
  private lastLeaseFailures = 0;
  private leaseFailureRate = 0;
  private minuteCounts = { rejected: 0, timeout: 0, relists: 0, unreachable: 0, arrived: 0 };
  private windows = 0;
  private readonly ownMetrics: MetricDeclaration[];
  private readonly self: Component;

  constructor(
    private readonly sim: Simulation,
    readonly config: ClusterConfig,
    private readonly options: ClusterOptions,
  ) {
    this.resolution = options.resolution ?? 10;
    this.nodeCount = config.nodes;
    this.blockSize =
      options.blockSize ?? (config.fidelity === 'aggregate' ? aggregateBlockSize(config.nodes) : 1);
    const log = options.log;
    const cp = createControlPlane(sim, config, {
      log,
      windowSeconds: this.resolution,
      nodes: () => this.nodeCount,
    });
    this.controlPlane = cp;
    const api = cp.api;
    const store = cp.store;

    this.kcm = new LeaderElectedProcess(sim, {
      name: 'kube-controller-manager',
      cluster: config.name,
      identity: KCM_IDENTITY,
      rate: KCM_RATE,
      informers: [
        { resource: 'pods', apiGroup: '' },
        { resource: 'nodes', apiGroup: '' },
        { resource: 'leases', apiGroup: 'coordination.k8s.io' },
        { resource: 'endpointslices', apiGroup: 'discovery.k8s.io' },
        { resource: 'services', apiGroup: '' },
        { resource: 'namespaces', apiGroup: '' },
        { resource: 'replicasets', apiGroup: 'apps' },
        { resource: 'deployments', apiGroup: 'apps' },
        { resource: 'daemonsets', apiGroup: 'apps' },
      ],
      api,
      store,
      log,
    });
    this.scheduler = new LeaderElectedProcess(sim, {
      name: 'kube-scheduler',
      cluster: config.name,
      identity: SCHEDULER_IDENTITY,
      rate: SCHEDULER_RATE,
      informers: [
        { resource: 'pods', apiGroup: '' },
        { resource: 'nodes', apiGroup: '' },
        { resource: 'namespaces', apiGroup: '' },
      ],
      api,
      store,
      log,
    });
    this.kcm.startWarm();
    this.scheduler.startWarm();

    this.nodeAgents = new NodeAgents(sim, {
      cluster: config.name,
      api,
      store,
      log,
      heartbeats: this.heartbeats,
      podsPerNode: config.podsPerNode,
      blockSize: this.blockSize,
    });
    this.nodeAgents.resize(config.nodes, true);

    const nodeController = serviceAccountIdentity('kube-system', 'node-controller', 'controller-manager');
    this.lifecycle = new NodeLifecycle(sim, {
      cluster: config.name,
      log,
      heartbeats: this.heartbeats,
      blockSize: this.blockSize,
      zones: Math.max(1, config.zones),
      podsPerNode: config.podsPerNode,
      gracePeriod: cp.rules.nodeMonitorGracePeriod,
      host: this.kcm,
      client: createApiClient(sim, api, { name: `${config.name}/node-controller`, rate: KCM_RATE }),
      identity: nodeController,
      nodes: () => this.nodeCount,
    });

    const withCoreDns = options.coreDnsWatchers ?? true;
    this.coreDns = withCoreDns
      ? createCoreDnsWatchers(sim, {
          api,
          store,
          log,
          cluster: config.name,
          replicas: coreDnsReplicas(config.dataPlane.coreDns, config.nodes),
        })
      : [];
    for (const inf of this.coreDns) inf.startWarm();

    new PodChurn(sim, {
      cluster: config.name,
      pods: () => store.get('pods').count,
      nodes: () => this.nodeCount,
      replicaSetController: createApiClient(sim, api, {
        name: `${config.name}/replicaset-controller`,
        rate: KCM_RATE,
      }),
      endpointSliceController: createApiClient(sim, api, {
        name: `${config.name}/endpointslice-controller`,
        rate: KCM_RATE,
      }),
      scheduler: createApiClient(sim, api, { name: `${config.name}/scheduler-binder`, rate: SCHEDULER_RATE }),
      // Status updates come from many kubelets, each far below its own limit: no shared limiter.
      kubelet: createApiClient(sim, api, {
        name: `${config.name}/kubelets-status`,
        rate: { qps: -1, burst: 0, timeout: 0 },
      }),
      isKcmActive: () => this.kcm.isActive,
      cohortInterval: this.blockSize > 1 ? AGGREGATE_COHORT_INTERVAL : 0,
    });

    this.ownMetrics = this.declareMetrics();
    this.self = {
      id: 'cluster',
      metrics: () => this.ownMetrics,
      parameters: () => CLUSTER_PARAMETERS,
    };
    this.tick = this.blockSize > 1 ? TICK_AGGREGATE : TICK_EXACT;
    sim.schedule(this.tick, onSecond, this);
    sim.schedule(this.resolution, onWindow, this, 2);
  }

  get api() {
    return this.controlPlane.api;
  }
  get nodes(): NodeView {
    return this.lifecycle;
  }
  get log(): EventLog {
    return this.options.log;
  }

  workload(name: string): WorkloadRuntime | undefined {
    return this.workloads.get(name);
  }

  // ----- periodic -------------------------------------------------------------------------------

  second(): void {
    const dt = this.tick;
    this.controlPlane.tick(dt);
    if (this.sim.now + dt <= this.options.until) this.sim.schedule(dt, onSecond, this);
  }

  window(): void {
    const now = this.sim.now;
    const cp = this.controlPlane;
    cp.stats.roll();
    cp.roll();
    const dt = this.resolution;
    let failures = 0;
    for (const b of this.nodeAgents.blocks) failures += b.leaseFailures;
    this.leaseFailureRate = (failures - this.lastLeaseFailures) / dt;
    this.lastLeaseFailures = failures;
    this.agentRestartRate = (this.agentRestarts - this.lastAgentRestarts) / dt;
    this.lastAgentRestarts = this.agentRestarts;

    this.recordSaturationWindow(now);
    this.summarizeMinute();
    if (now + dt <= this.options.until) this.sim.schedule(dt, onWindow, this, 2);
  }

  /**
   * Saturation (docs/model.md), judged over the last 60 s (six windows) so that an OOM loop, where
   * replicas come and go, is not split into short runs: >= 1% of the requests of the cluster's own
   * components (kubelets, kube-proxies, controllers, scheduler, CoreDNS) failed with 429, 504 or a
   * reset over the minute; or in every window of the minute each serving replica (or etcd) used
   * >= 95% of its cores, or no replica was serving. A workload whose own requests are throttled (a
   * quarantined agent) does not make the control plane saturated. saturatedAt is the start of the
   * first window of that minute in which the condition held on its own.
   */
  private recordSaturationWindow(now: number): void {
    const cp = this.controlPlane;
    let up = 0;
    let saturatedCpu = 0;
    for (const r of cp.replicas) {
      if (!r.isUp) continue;
      up++;
      if (r.cpuUtilization >= SATURATION_CPU) saturatedCpu++;
    }
    const isDown = up === 0 && cp.replicas.some((r) => !r.isRetired);
    const isCpu = isDown || (up > 0 && saturatedCpu === up) || cp.etcd.utilization >= SATURATION_CPU;
    const responses = cp.stats.lastSystemResponses;
    const failures = cp.stats.lastSystemFailures;
    const isFailing = responses > 0 && failures / responses >= SATURATION_REJECTED;
    const ring = this.saturationWindows;
    ring.push({ start: now - this.resolution, responses, failures, isCpu, isAlone: isCpu || isFailing });
    const span = Math.max(1, Math.round(SATURATION_HOLD / this.resolution));
    if (ring.length > span) ring.shift();
    let sumResponses = 0;
    let sumFailures = 0;
    let allCpu = ring.length === span;
    for (const w of ring) {
      sumResponses += w.responses;
      sumFailures += w.failures;
      if (!w.isCpu) allCpu = false;
    }
    const isSaturated =
      ring.length === span &&
      (allCpu || (sumResponses > 0 && sumFailures / sumResponses >= SATURATION_REJECTED));
    this.isSaturatedNow = isSaturated;
    if (!isSaturated || this.saturatedAt !== null) return;
    const first = ring.find((w) => w.isAlone) ?? ring[0]!;
    this.saturatedAt = first.start;
    this.options.log.record({
      t: now,
      cluster: this.config.name,
      kind: 'control-plane-saturated',
      severity: 'critical',
      message: `control plane saturated since t=${first.start.toFixed(0)} s (over ${SATURATION_HOLD} s: >= ${SATURATION_REJECTED * 100}% of the system components' requests failing, or CPU >= ${SATURATION_CPU * 100}% on every serving replica or on etcd, or no replica serving)`,
    });
  }

  /** Once a minute, one event line for whatever amplification happened (retries, relists). */
  private summarizeMinute(): void {
    const s = this.controlPlane.stats;
    const m = this.minuteCounts;
    m.rejected += s.windowCount('rejected') + s.windowCount('initializing');
    m.timeout += s.windowCount('timeout');
    m.unreachable += s.windowCount('unreachable');
    m.relists += s.lastRelists;
    m.arrived += s.lastArrived;
    this.windows++;
    if (this.windows * this.resolution < 60) return;
    this.windows = 0;
    if (m.rejected + m.timeout + m.unreachable > 0.01 * m.arrived || m.relists > 0.05 * this.nodeCount) {
      this.options.log.record({
        t: this.sim.now,
        cluster: this.config.name,
        kind: 'api-errors-minute',
        severity: m.rejected + m.timeout > 0.1 * m.arrived ? 'critical' : 'warning',
        message: `last minute: ${Math.round(m.arrived)} requests reached the API servers, ${Math.round(m.rejected)} answered 429, ${Math.round(m.timeout)} timed out (504), ${Math.round(m.unreachable)} could not connect; ${Math.round(m.relists)} informer relists`,
      });
    }
    this.minuteCounts = { rejected: 0, timeout: 0, relists: 0, unreachable: 0, arrived: 0 };
  }

  private declareMetrics(): MetricDeclaration[] {
    const stats = this.controlPlane.stats;
    const dt = (): number => this.resolution;
    const out: MetricDeclaration[] = [];
    VERB_CLASSES.forEach((verbClass, i) => {
      out.push({
        name: 'apiserver_request_duration_seconds',
        labels: { verb_class: verbClass, quantile: '0.99' },
        unit: 'seconds',
        help: 'p99 API latency per sampling window with SLO semantics (from dispatch: APF queue wait excluded)',
        read: () => stats.serverWindowP99(i),
      });
    });
    VERB_CLASSES.forEach((verbClass, i) => {
      out.push({
        name: 'client_request_duration_seconds',
        labels: { verb_class: verbClass, quantile: '0.99' },
        unit: 'seconds',
        help: 'p99 latency of logical client calls per sampling window (queue wait, retries, rate limiter included)',
        read: () => stats.clientWindowP99(i),
      });
    });
    const rate = (kind: Parameters<typeof stats.windowCount>[0]) => () => stats.windowCount(kind) / dt();
    out.push(
      {
        name: 'apiserver_request_total',
        labels: { code: '2xx' },
        unit: 'requests/s',
        help: 'rate of successful responses',
        read: rate('ok'),
      },
      {
        name: 'apiserver_request_total',
        labels: { code: '429' },
        unit: 'requests/s',
        help: 'rate of 429 responses (APF rejections and "storage is (re)initializing")',
        read: () => (stats.windowCount('rejected') + stats.windowCount('initializing')) / dt(),
      },
      {
        name: 'apiserver_request_total',
        labels: { code: '504' },
        unit: 'requests/s',
        help: 'rate of 504 request timeouts',
        read: rate('timeout'),
      },
      {
        name: 'apiserver_request_total',
        labels: { code: '410' },
        unit: 'requests/s',
        help: 'rate of 410 (too old / too large resource version)',
        read: rate('gone'),
      },
      {
        name: 'apiserver_request_terminations_total',
        unit: 'requests/s',
        help: 'rate of requests the API servers terminated in self-defence (APF 429s and 504 timeouts)',
        read: () => (stats.windowCount('rejected') + stats.windowCount('timeout')) / dt(),
      },
      {
        name: 'client_connection_errors_total',
        unit: 'requests/s',
        help: 'rate of requests that found no API server (replica down or killed, network blocked)',
        read: rate('unreachable'),
      },
      {
        name: 'apiserver_requests_arrived_total',
        unit: 'requests/s',
        help: 'rate of requests reaching an API server replica (retries included)',
        read: () => stats.lastArrived / dt(),
      },
      {
        name: 'reflector_lists_total',
        unit: 'lists/s',
        help: 'rate of informer relists (LISTs after the first) across all clients',
        read: () => stats.lastRelists / dt(),
      },
      {
        name: 'kubelet_lease_update_failures_total',
        unit: 'requests/s',
        help: 'rate of failed kubelet lease updates (after client retries)',
        read: () => this.leaseFailureRate,
      },
      {
        name: 'agent_restarts_total',
        unit: 'restarts/s',
        help: 'rate of workload pod restarts after failing API calls (liveness)',
        read: () => this.agentRestartRate,
      },
      {
        name: 'agent_pods_running',
        unit: 'pods',
        help: 'workload (agent) pods whose process is running',
        read: () => {
          let n = 0;
          for (const w of this.workloads.values()) n += w.runningPods;
          return n;
        },
      },
      {
        name: 'control_plane_saturated',
        unit: 'boolean',
        help: 'the saturation condition held in the sampling window (docs/results.md)',
        read: () => (this.isSaturatedNow ? 1 : 0),
      },
    );
    return out;
  }

  // ----- ClusterHandle --------------------------------------------------------------------------

  health(): ControlPlaneHealth {
    const s = this.controlPlane.stats;
    const responses =
      s.windowCount('ok') +
      s.windowCount('rejected') +
      s.windowCount('initializing') +
      s.windowCount('timeout') +
      s.windowCount('unreachable') +
      s.windowCount('gone');
    const errors = responses - s.windowCount('ok') - s.windowCount('gone');
    let p99 = 0;
    for (let i = 0; i < 3; i++) {
      const v = s.clientWindowP99(i);
      if (v > p99) p99 = v;
    }
    return {
      errorFraction: responses > 0 ? errors / responses : 0,
      clientP99: p99,
      replicasUp: this.controlPlane.replicasUp,
      isSaturated: this.isSaturatedNow,
    };
  }

  components(): readonly Component[] {
    return [
      this.self,
      ...this.controlPlane.components(),
      this.lifecycle,
      this.kcm,
      this.scheduler,
      this.nodeAgents,
      ...this.extra,
    ];
  }

  addComponent(component: Component): void {
    this.extra.push(component);
  }

  deployWorkload(workload: WorkloadConfig): void {
    if (this.workloads.has(workload.name)) return;
    // A workload meant for other clusters only is not created here.
    if (workload.clusters !== undefined && !workload.clusters.includes(this.config.name)) return;
    const runtime = new WorkloadRuntime(this.sim, workload, {
      cluster: this.config.name,
      api: this.api,
      store: this.controlPlane.store,
      log: this.options.log,
      podsPerNode: this.config.podsPerNode,
      blockSize: this.blockSize,
      nodes: () => this.nodeCount,
      onAgentRestart: (count) => {
        this.agentRestarts += count;
      },
      replicaMemoryBytes: this.config.apiServer.memoryBytes,
      isControllerActive: () => this.kcm.isActive,
    });
    this.workloads.set(workload.name, runtime);
    if (this.switchedOff.has(workload.name)) runtime.switchOff();
    const client = createApiClient(this.sim, this.api, {
      name: `${this.config.name}/deployer`,
      rate: { qps: 5, burst: 10, timeout: 0 },
    });
    const request = makeRequest({
      verb: 'create',
      resource: workload.kind === 'DaemonSet' ? 'daemonsets' : 'deployments',
      apiGroup: 'apps',
      scope: 'namespace',
      namespace: workload.identity.namespace,
      identity: DEPLOYER,
    });
    const attempt = (): void => {
      client.call(request, (o: ApiOutcome) => {
        if (o.kind === 'ok') {
          this.options.log.record({
            t: this.sim.now,
            cluster: this.config.name,
            kind: 'workload-created',
            severity: 'info',
            message: `${workload.kind} ${workload.name} created (service account ${workload.identity.namespace}/${workload.identity.serviceAccount}); the controller starts creating pods`,
          });
          runtime.created();
          return;
        }
        this.options.log.record({
          t: this.sim.now,
          cluster: this.config.name,
          kind: 'workload-create-failed',
          severity: 'warning',
          message: `creating ${workload.kind} ${workload.name} failed (${o.kind}); the pipeline re-applies in ${DEPLOY_RETRY} s`,
        });
        this.sim.schedule(DEPLOY_RETRY, attempt, undefined);
      });
    };
    attempt();
  }

  removeWorkloadViaApi(name: string, identity: Identity, done: ApiCallback): void {
    const runtime = this.workloads.get(name);
    if (runtime === undefined) {
      // kubectl delete of something absent: NotFound, nothing to do.
      done({ kind: 'ok', status: 200, latency: 0 as ApiOutcome['latency'] });
      return;
    }
    runtime.deleteViaApi(identity, (o) => {
      this.options.log.record({
        t: this.sim.now,
        cluster: this.config.name,
        kind: o.kind === 'ok' ? 'workload-delete-accepted' : 'workload-delete-failed',
        severity: o.kind === 'ok' ? 'info' : 'warning',
        message: `kubectl delete ${runtime.config.kind.toLowerCase()} ${name} as ${identity.user}: ${o.kind === 'ok' ? 'accepted' : `failed (${o.kind}, ${o.status}) after ${o.latency.toFixed(1)} s`}`,
      });
      done(o);
    });
  }

  workloadRunningPods(name: string): number {
    return this.workloads.get(name)?.runningPods ?? 0;
  }

  killWorkloadOnNodes(name: string, nodesPerSecond: number): void {
    const runtime = this.workloads.get(name);
    if (runtime !== undefined) runtime.killOnNodes(nodesPerSecond);
    // Flipped before the change arrived here: its pods will start with the agent disabled.
    else this.switchedOff.add(name);
  }

  scaleNodes(nodes: number): void {
    const target = Math.max(0, Math.round(nodes));
    if (target === this.nodeCount) return;
    this.options.log.record({
      t: this.sim.now,
      cluster: this.config.name,
      kind: 'nodes-scaled',
      severity: 'warning',
      message: `node pools scaled from ${this.nodeCount} to ${target} nodes`,
    });
    const from = this.nodeCount;
    this.nodeCount = target;
    this.controlPlane.store.setNodes(target);
    this.nodeAgents.resize(target, false);
    this.lifecycle.nodesChanged();
    for (const w of this.workloads.values()) w.nodesChanged();
    for (const l of this.scaleListeners) l(from, target);
  }

  onNodesScaled(listener: (from: number, to: number) => void): void {
    this.scaleListeners.push(listener);
  }

  scaleApiServers(replicas: number, provisioningDelay: number): void {
    this.controlPlane.scale(replicas, provisioningDelay);
  }

  setClientClassBlocked(clientClass: string, blocked: boolean): void {
    this.controlPlane.setBlocked(clientClass, blocked);
  }

  applyApfObjects(
    flowSchemas: readonly FlowSchema[],
    priorityLevels: readonly PriorityLevelConfiguration[],
    done: ApiCallback,
  ): void {
    const client = createApiClient(this.sim, this.api, {
      name: `${this.config.name}/kubectl-apf`,
      rate: { qps: 5, burst: 10, timeout: 0 },
    });
    const request = makeRequest({
      verb: 'create',
      resource: 'flowschemas',
      apiGroup: 'flowcontrol.apiserver.k8s.io',
      scope: 'cluster',
      identity: OPERATOR,
      count: Math.max(1, flowSchemas.length + priorityLevels.length),
    });
    client.call(request, (o) => {
      if (o.kind === 'ok') this.controlPlane.applyApf(flowSchemas, priorityLevels);
      done(o);
    });
  }

  injectApiOutage(duration: number): void {
    this.controlPlane.injectOutage(duration);
  }

  summary(): ClusterSummary {
    const s = this.controlPlane.stats;
    const worst = (list: readonly { readonly worstFiveMinuteP99: number }[]) => ({
      mutating: list[0]!.worstFiveMinuteP99,
      get: list[1]!.worstFiveMinuteP99,
      list: list[2]!.worstFiveMinuteP99,
    });
    const rejected = s.totalCount('rejected') + s.totalCount('initializing');
    return {
      apiserver: {
        worstP99Seconds: worst(s.server),
        worstClientP99Seconds: worst(s.client),
        saturatedAt: this.saturatedAt,
        rejectedFraction: s.arrivedTotal > 0 ? rejected / s.arrivedTotal : 0,
        restarts: this.controlPlane.restarts,
      },
      nodes: { count: this.nodeCount, notReadyMax: this.lifecycle.notReadyMax },
    };
  }
}

export function createCluster(
  sim: Simulation,
  config: ClusterConfig,
  options: ClusterOptions,
): SimulatedCluster {
  return new ClusterImpl(sim, config, options);
}
