/**
 * A workload in a cluster: its pods created through the API at the controller's real pace, each
 * pod an AgentInstance once it has started, and its removal through the API (garbage collection).
 *
 * DaemonSet controller (k/k pkg/controller/daemon, §5 / Modelling notes A.4): one sync creates at most
 * burstReplicas = 250 pods, in slow-start batches of 1, 2, 4 ... (controller.SlowStartBatch); a batch
 * with a failed create ends the sync, which is requeued with the workqueue's per-item back-off
 * (5 ms doubling to 1000 s); after a successful sync the next one waits for the created pods to be
 * observed by KCM's informer (expectations). A created pod is bound by the scheduler, and its
 * process starts podStartSeconds later. A Deployment's pods are created the same way (ReplicaSet
 * controller, also slow start and burstReplicas 500), without a node.
 *
 * Deleting the workload (kubectl delete) is one DELETE; the garbage collector then deletes the pods
 * one by one through its own rate-limited client; each pod's process stops once its kubelet sees the
 * deletion (the pod's grace period is short for an agent).
 */
import type { Simulation } from '../../engine/index.js';
import type { ApiCallback, ApiOutcome, ApiRequest, Identity } from '../api-types.js';
import type { EventLog, ParameterDeclaration } from '../component.js';
import type { WorkloadConfig } from '../config.js';
import { type ApiClient, createApiClient } from '../client/api-client.js';
import { KCM_RATE, SCHEDULER_RATE, serviceAccountIdentity } from '../client/identities.js';
import type { ClusterApi } from '../controlplane/control-plane.js';
import type { ObjectStore } from '../controlplane/object-store.js';
import { makeRequest } from '../controlplane/serving.js';
import { AgentInstance } from './agent.js';

export const BURST_REPLICAS = 250;
/** Aggregate fidelity bounds on agent cohorts (see cohortLimit). */
export const COHORT_MEMORY_FRACTION = 0.02;
export const MAX_AGENT_COHORTS = 2000;
export const SLOW_START_INITIAL_BATCH = 1;
export const WORKQUEUE_BACKOFF_BASE = 0.005;
export const WORKQUEUE_BACKOFF_MAX = 1000;
/** Delay before the next sync sees its created pods in the informer (expectations), seconds. */
export const EXPECTATIONS_DELAY = 1;
/** A garbage-collector worker whose delete failed retries after this long, seconds. */
const GC_RETRY_SECONDS = 1;
/**
 * How often a controller of kube-controller-manager that has work checks whether KCM leads again
 * with its informers synced, seconds (stands for the controllers starting the moment it does).
 */
export const CONTROLLER_WAIT_SECONDS = 1;
/** Seconds between the kubelet seeing a pod deleted and the agent process being gone. */
export const POD_TERMINATION_SECONDS = 2;

export const WORKLOAD_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'aggregate.cohortMemoryFraction',
    value: COHORT_MEMORY_FRACTION,
    unit: 'fraction of replica memory',
    source: 'stormglass aggregate fidelity (differential-tested)',
    fitted:
      "An agent cohort's worst-case call (5x an etcd payload) may take at most 2% of a replica's memory, so cohorts do not OOM a replica that single calls would not.",
  },
  {
    name: 'aggregate.maxAgentCohorts',
    value: MAX_AGENT_COHORTS,
    unit: 'cohorts per workload',
    source: 'stormglass aggregate fidelity (cost bound)',
  },
  {
    name: 'daemonset.burstReplicas',
    value: BURST_REPLICAS,
    unit: 'pods/sync',
    source: 'k/k pkg/controller/daemon/daemon_controller.go BurstReplicas',
  },
  {
    name: 'daemonset.slowStartInitialBatch',
    value: SLOW_START_INITIAL_BATCH,
    unit: 'pods',
    source: 'k/k pkg/controller/controller_utils.go SlowStartInitialBatchSize',
  },
  {
    name: 'workqueue.backoffBase',
    value: WORKQUEUE_BACKOFF_BASE,
    unit: 'seconds',
    source: 'client-go util/workqueue DefaultControllerRateLimiter (5 ms exponential per item)',
  },
  {
    name: 'workqueue.backoffMax',
    value: WORKQUEUE_BACKOFF_MAX,
    unit: 'seconds',
    source: 'client-go util/workqueue DefaultControllerRateLimiter (1000 s cap)',
  },
  {
    name: 'daemonset.expectationsDelay',
    value: EXPECTATIONS_DELAY,
    unit: 'seconds',
    source: 'fitted',
    fitted:
      'The next sync waits until KCM observes the pods it created; about a second in a healthy cluster.',
  },
  {
    name: 'garbageCollector.retrySeconds',
    value: 1,
    unit: 'seconds',
    source: 'fitted',
    fitted:
      'A failed dependent deletion is requeued; one second stands for the workqueue back-off of the garbage collector.',
  },
  {
    name: 'controllers.waitForManagerSeconds',
    value: CONTROLLER_WAIT_SECONDS,
    unit: 'seconds',
    source:
      'k/k cmd/kube-controller-manager: controllers start only in the leader, after its informers sync (client-go tools/leaderelection OnStartedLeading)',
    fitted:
      'How often the DaemonSet controller and garbage collector, idle because KCM is not leading, look again; stands for their starting the moment it leads.',
  },
  {
    name: 'agent.podTerminationSeconds',
    value: POD_TERMINATION_SECONDS,
    unit: 'seconds',
    source: 'fitted',
    fitted: 'An agent exits on SIGTERM within a couple of seconds of its kubelet seeing the deletion.',
  },
];

export interface WorkloadRuntimeOptions {
  readonly cluster: string;
  readonly api: ClusterApi;
  readonly store: ObjectStore;
  readonly log: EventLog;
  readonly podsPerNode: number;
  readonly blockSize: number;
  readonly nodes: () => number;
  readonly onAgentRestart: (count: number) => void;
  /** Memory limit of one API-server replica: bounds how many heavy calls one cohort may carry. */
  readonly replicaMemoryBytes: number;
  /**
   * kube-controller-manager leads and its informers have synced: the DaemonSet controller and the
   * garbage collector run inside it, so neither does any work otherwise.
   */
  readonly isControllerActive: () => boolean;
}

interface PodBlock {
  readonly index: number;
  readonly size: number;
  isCreated: boolean;
  isCreating: boolean;
  /** Stopped by the node-local kill switch: its process never runs again. */
  isKilled: boolean;
  /** The pods' processes: one per pod exactly; cohorts in aggregate fidelity (see maxCohort). */
  agents: AgentInstance[];
}

/**
 * Aggregate fidelity: the most pods one agent cohort may stand for. A cohort's requests arrive and
 * are admitted together, so their memory lands at once: a cohort's worst-case call (an etcd LIST
 * holding 5x the payload) may take at most this share of a replica's memory, and at most
 * MAX_AGENT_COHORTS cohorts are made per workload (cost bound for very large clusters).
 */

function cohortLimit(config: WorkloadConfig, options: WorkloadRuntimeOptions): number {
  if (options.blockSize <= 1) return 1;
  let perCall = 0;
  for (const profile of config.accessProfiles) {
    const resource = options.store.get(profile.resource);
    const scanned =
      profile.fieldSelector || profile.labelSelector || profile.returns.kind === 'all' ? resource.count : 1;
    perCall = Math.max(perCall, 5 * scanned * resource.bytes);
  }
  const byMemory =
    perCall > 0
      ? Math.floor((COHORT_MEMORY_FRACTION * options.replicaMemoryBytes) / perCall)
      : options.blockSize;
  const pods = config.kind === 'DaemonSet' ? options.nodes() : config.replicas;
  const byCount = Math.ceil(pods / MAX_AGENT_COHORTS);
  return Math.max(1, Math.min(options.blockSize, Math.max(byMemory, byCount)));
}

function onSync(w: WorkloadRuntime): void {
  w.sync();
}

export class WorkloadRuntime {
  readonly identity: Identity;
  private readonly pods: PodBlock[] = [];
  private isDeleted = false;
  /** The node-local kill switch was flipped: pods created later start with the agent disabled. */
  private isSwitchedOff = false;
  private isCreatedInApi = false;
  private syncTimer = -1;
  private failures = 0;
  private readonly dsClient: ApiClient;
  private readonly schedulerClient: ApiClient;
  private readonly gcClient: ApiClient;
  private readonly createRequest: (count: number) => ApiRequest;
  private readonly bindRequest: (count: number) => ApiRequest;
  private readonly deleteRequest: (count: number) => ApiRequest;
  agentRestarts = 0;
  /** Pods whose agent process runs (see runningPods). */
  private running = 0;
  /** Pods one agent cohort may stand for (1 in exact fidelity). */
  private readonly maxCohort: number;

  constructor(
    private readonly sim: Simulation,
    readonly config: WorkloadConfig,
    private readonly options: WorkloadRuntimeOptions,
  ) {
    this.identity = serviceAccountIdentity(
      config.identity.namespace,
      config.identity.serviceAccount,
      'agent',
    );
    const controllerSa = config.kind === 'DaemonSet' ? 'daemon-set-controller' : 'replicaset-controller';
    this.dsClient = createApiClient(sim, options.api, {
      name: `${options.cluster}/${controllerSa}`,
      rate: KCM_RATE,
    });
    this.schedulerClient = createApiClient(sim, options.api, {
      name: `${options.cluster}/scheduler-binder`,
      rate: SCHEDULER_RATE,
    });
    this.gcClient = createApiClient(sim, options.api, {
      name: `${options.cluster}/garbage-collector`,
      rate: KCM_RATE,
    });
    const ns = { scope: 'namespace' as const, namespace: config.identity.namespace, apiGroup: '' };
    const ctrl = serviceAccountIdentity('kube-system', controllerSa, 'controller-manager');
    const gc = serviceAccountIdentity('kube-system', 'generic-garbage-collector', 'controller-manager');
    const scheduler = {
      user: 'system:kube-scheduler',
      groups: ['system:authenticated'],
      clientClass: 'scheduler',
    };
    this.createRequest = (count) =>
      makeRequest({ ...ns, verb: 'create', resource: 'pods', identity: ctrl, count });
    this.bindRequest = (count) =>
      makeRequest({ ...ns, verb: 'create', resource: 'pods/binding', identity: scheduler, count });
    this.deleteRequest = (count) =>
      makeRequest({ ...ns, verb: 'delete', resource: 'pods', identity: gc, count });
    this.maxCohort = cohortLimit(config, options);
  }

  get name(): string {
    return this.config.name;
  }

  /** Pods wanted now: one per node for a DaemonSet. */
  private desiredPods(): number {
    return this.config.kind === 'DaemonSet' ? this.options.nodes() : this.config.replicas;
  }

  private layout(): void {
    const size = this.options.blockSize;
    const desired = this.desiredPods();
    const blocks = Math.ceil(desired / size);
    for (let b = 0; b < blocks; b++) {
      const count = Math.min(size, desired - b * size);
      const existing = this.pods[b];
      if (existing === undefined)
        this.pods[b] = {
          index: b,
          size: count,
          isCreated: false,
          isCreating: false,
          isKilled: this.isSwitchedOff,
          agents: [],
        };
      else if (existing.size !== count && !existing.isCreated && !existing.isCreating)
        this.pods[b] = { ...existing, size: count };
    }
    this.dropPodsBeyond(blocks);
    this.pods.length = Math.min(this.pods.length, blocks);
  }

  /** Pods of removed nodes go with them. */
  private dropPodsBeyond(blocks: number): void {
    for (let b = blocks; b < this.pods.length; b++) this.removePod(this.pods[b]!, 'node removed');
  }

  /** The workload object was created through the API: the controller starts creating pods. */
  created(): void {
    this.isCreatedInApi = true;
    this.layout();
    this.options.store.get(this.config.kind === 'DaemonSet' ? 'daemonsets' : 'deployments').count++;
    this.scheduleSync(0);
  }

  nodesChanged(): void {
    if (!this.isCreatedInApi) return;
    if (this.isDeleted) {
      // Nothing is created any more, but the pods of removed nodes still go with their nodes.
      this.dropPodsBeyond(Math.ceil(this.desiredPods() / this.options.blockSize));
      return;
    }
    this.layout();
    this.scheduleSync(0);
  }

  private scheduleSync(delay: number): void {
    if (this.syncTimer !== -1) return;
    this.syncTimer = this.sim.schedule(delay, onSync, this);
  }

  sync(): void {
    this.syncTimer = -1;
    if (this.isDeleted) return;
    if (!this.options.isControllerActive()) {
      this.scheduleSync(CONTROLLER_WAIT_SECONDS);
      return;
    }
    const todo: PodBlock[] = [];
    let pods = 0;
    for (const p of this.pods) {
      if (p.isCreated || p.isCreating) continue;
      if (pods + p.size > BURST_REPLICAS && todo.length > 0) break;
      todo.push(p);
      pods += p.size;
    }
    if (todo.length === 0) return;
    this.runBatches(todo, 0, SLOW_START_INITIAL_BATCH);
  }

  /** controller.SlowStartBatch: batches of 1, 2, 4 ... pods, each waiting for the previous one. */
  private runBatches(todo: PodBlock[], from: number, batchPods: number): void {
    if (from >= todo.length) {
      this.failures = 0;
      this.scheduleSync(EXPECTATIONS_DELAY);
      return;
    }
    const batch: PodBlock[] = [];
    let pods = 0;
    let i = from;
    while (i < todo.length && (batch.length === 0 || pods + todo[i]!.size <= batchPods)) {
      batch.push(todo[i]!);
      pods += todo[i]!.size;
      i++;
    }
    let pending = batch.length;
    let failed = false;
    for (const p of batch) {
      p.isCreating = true;
      this.dsClient.call(this.createRequest(p.size), (o: ApiOutcome) => {
        p.isCreating = false;
        if (o.kind === 'ok' && !this.isDeleted) this.podCreated(p);
        else failed = true;
        if (--pending > 0) return;
        if (failed) {
          this.failures++;
          const backoff = Math.min(WORKQUEUE_BACKOFF_MAX, WORKQUEUE_BACKOFF_BASE * 2 ** (this.failures - 1));
          this.scheduleSync(backoff);
          return;
        }
        this.runBatches(todo, i, batchPods * 2);
      });
    }
  }

  private podCreated(p: PodBlock): void {
    p.isCreated = true;
    this.options.store.addPods(p.size);
    this.schedulerClient.call(this.bindRequest(p.size), (o: ApiOutcome) => {
      if (o.kind !== 'ok' || this.isDeleted || !p.isCreated) return;
      // The kubelet sees the bound pod, pulls, starts the container.
      this.sim.schedule(this.config.rollout.podStartSeconds, () => this.startAgent(p), undefined);
    });
  }

  private startAgent(p: PodBlock): void {
    if (this.isDeleted || !p.isCreated || p.isKilled || p.agents.length > 0) return;
    const cohorts = Math.ceil(p.size / this.maxCohort);
    for (let i = 0; i < cohorts; i++) {
      const count = Math.min(this.maxCohort, p.size - i * this.maxCohort);
      const agent = this.newAgent(p, i, count);
      p.agents.push(agent);
      agent.start();
    }
  }

  private newAgent(p: PodBlock, i: number, count: number): AgentInstance {
    const o = this.options;
    return new AgentInstance(
      {
        sim: this.sim,
        api: o.api,
        store: o.store,
        log: o.log,
        cluster: o.cluster,
        podsPerNode: o.podsPerNode,
        identity: this.identity,
        workload: this.config.name,
        profiles: this.config.accessProfiles,
        restartOnApiFailure: this.config.restartOnApiFailure,
        onRestart: (count) => {
          this.agentRestarts += count;
          o.onAgentRestart(count);
        },
        onRunning: (delta) => {
          this.running += delta;
        },
      },
      `${o.cluster}/${this.config.name}-${p.index}.${i}`,
      count,
    );
  }

  private removePod(p: PodBlock, why: string): void {
    for (const a of p.agents) a.terminate();
    p.agents = [];
    if (p.isCreated) this.options.store.addPods(-p.size);
    p.isCreated = false;
    void why;
  }

  /** Pods whose agent process runs (kept as they start and stop: the fleet reads it every second). */
  get runningPods(): number {
    return this.running;
  }

  /** DELETE of the workload through the API; on success the garbage collector deletes its pods. */
  deleteViaApi(identity: Identity, done: ApiCallback): void {
    const client = createApiClient(this.sim, this.options.api, {
      name: `${this.options.cluster}/kubectl`,
      rate: { qps: 5, burst: 10, timeout: 0 },
    });
    const request = makeRequest({
      verb: 'delete',
      resource: this.config.kind === 'DaemonSet' ? 'daemonsets' : 'deployments',
      apiGroup: 'apps',
      scope: 'namespace',
      namespace: this.config.identity.namespace,
      identity,
    });
    client.call(request, (o) => {
      if (o.kind === 'ok' && !this.isDeleted) this.deleted();
      done(o);
    });
  }

  private deleted(): void {
    this.isDeleted = true;
    if (this.syncTimer !== -1) this.sim.cancel(this.syncTimer);
    this.syncTimer = -1;
    this.options.log.record({
      t: this.sim.now,
      cluster: this.options.cluster,
      kind: 'workload-deleted',
      severity: 'info',
      message: `${this.config.kind} ${this.config.name} deleted; the garbage collector removes its ${this.runningPods} running pods`,
    });
    const victims = this.pods.filter((p) => p.isCreated);
    let next = 0;
    // Workers that found kube-controller-manager not running wait for it together: the first to
    // wait sets the one timer.
    let waiting = 0;
    const resume = (): void => {
      const n = waiting;
      waiting = 0;
      for (let w = 0; w < n; w++) pump();
    };
    // The garbage collector's workers delete dependents; its client's rate limiter sets the pace.
    const pump = (): void => {
      if (!this.options.isControllerActive()) {
        if (waiting++ === 0) this.sim.schedule(CONTROLLER_WAIT_SECONDS, resume, undefined);
        return;
      }
      // Skip pods whose node went away meanwhile; an idle worker must not move `next` past the
      // end, or the pods requeued after a failure would never be taken up again.
      while (next < victims.length && !victims[next]!.isCreated) next++;
      if (next >= victims.length) return;
      const p = victims[next++]!;
      this.gcClient.call(this.deleteRequest(p.size), (o) => {
        if (o.kind === 'ok') {
          this.sim.schedule(POD_TERMINATION_SECONDS, () => this.removePod(p, 'deleted'), undefined);
          pump();
          return;
        }
        // Requeued with the workqueue's back-off; this worker moves on after it.
        victims.push(p);
        this.sim.schedule(GC_RETRY_SECONDS, pump, undefined);
      });
    };
    for (let w = 0; w < 20; w++) pump();
  }

  /**
   * The node-local kill switch is on for this workload: every pod created from now on starts with
   * its agent disabled (the switch is node configuration the pod reads when it starts).
   */
  switchOff(): void {
    this.isSwitchedOff = true;
    for (const p of this.pods) if (!p.isCreated) p.isKilled = true;
  }

  /** Node-local kill switch: stops the pods' processes at `nodesPerSecond`, no API needed. */
  killOnNodes(nodesPerSecond: number): void {
    this.isSwitchedOff = true;
    const rate = Math.max(1e-6, nodesPerSecond);
    let offset = 0;
    for (const p of this.pods) {
      offset += p.size / rate;
      this.sim.schedule(
        offset,
        () => {
          p.isKilled = true;
          for (const a of p.agents) a.terminate();
        },
        undefined,
      );
    }
    this.options.log.record({
      t: this.sim.now,
      cluster: this.options.cluster,
      kind: 'workload-kill-switch',
      severity: 'warning',
      message: `node-local kill switch for ${this.config.name}: stopping ${this.runningPods} pods at ${nodesPerSecond} nodes/s`,
    });
  }
}
