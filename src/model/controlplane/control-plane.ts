/**
 * A cluster's control plane: API-server replicas behind a load balancer, one etcd, the object store
 * and the request accounting. The load balancer is the cluster's ApiEndpoint: it spreads requests
 * (round robin) over the replicas that are up; a watch stays on the replica it opened on.
 */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import type { Simulation } from '../../engine/index.js';
import { createApfFilter } from '../apf/index.js';
import type { ApiCallback, ApiEndpoint, ApiOutcome, WatchHandle, WatchHandlers } from '../api-types.js';
import type { Component, EventLog, MetricDeclaration, ParameterDeclaration } from '../component.js';
import type { ClusterConfig } from '../config.js';
import { Replica } from './apiserver.js';
import { createEtcd, type Etcd } from './etcd.js';
import { createObjectStore, type ObjectStore } from './object-store.js';
import { RequestStats } from './request-stats.js';
import { clientClassOf, type OutcomeReceiver, type ServerRequest } from './serving.js';
import { type VersionRules, versionRules } from './version.js';
import { ClusterWatch, type WatchCloseReason } from './watch.js';

/** client-go's dialer gives up connecting after 30 s (transport: net.Dialer Timeout). */
export const CONNECT_TIMEOUT = 30;
/** A connection refused by a load balancer with no healthy backend fails at once. */
const REFUSED_LATENCY = 0.001;

/** The cluster endpoint with the extras the in-cluster clients use. */
export interface ClusterApi extends ApiEndpoint {
  /** Where clients report logical-call latency (client-observed p99). */
  readonly stats: RequestStats;
  /** submit() answering through `receiver.receiveOutcome` (no closure per caller: see OutcomeReceiver). */
  submitTo(request: ServerRequest, receiver: OutcomeReceiver): void;
  /** watch() answering through `receiver.receiveOutcome`. */
  watchTo(request: ServerRequest, handlers: WatchHandlers, receiver: OutcomeReceiver): WatchHandle;
  /** A watch established before the simulation started (warm start): no request is made. */
  attachWatch(request: ServerRequest, handlers: WatchHandlers, remainingTimeout: number): WatchHandle;
}

export interface ControlPlane {
  readonly api: ClusterApi;
  readonly replicas: readonly Replica[];
  readonly etcd: Etcd;
  readonly store: ObjectStore;
  readonly stats: RequestStats;
  readonly rules: VersionRules;
  readonly replicasUp: number;
  /** Components for metric declarations (replicas, their APF filters, etcd, the front). */
  components(): readonly Component[];
  parameters(): readonly ParameterDeclaration[];
  /** Once a second. */
  tick(dt: number): void;
  /** Closes a sampling window. */
  roll(): void;
  scale(replicas: number, provisioningDelay: number): void;
  setBlocked(clientClass: string, blocked: boolean): void;
  injectOutage(duration: number): void;
  applyApf(flowSchemas: readonly FlowSchema[], priorityLevels: readonly PriorityLevelConfiguration[]): void;
  readonly restarts: number;
}

export interface ControlPlaneOptions {
  readonly log: EventLog;
  readonly windowSeconds: number;
  /** Nodes in the cluster now. */
  readonly nodes: () => number;
}

function unreachable(latency: number): ApiOutcome {
  return { kind: 'unreachable', status: 0, latency: latency as ApiOutcome['latency'] };
}

interface Delivery {
  readonly done: ApiCallback | null;
  readonly receiver: OutcomeReceiver | null;
  readonly outcome: ApiOutcome;
}

function deliver(arg: Delivery): void {
  if (arg.receiver !== null) arg.receiver.receiveOutcome(arg.outcome);
  else arg.done!(arg.outcome);
}

export function createControlPlane(
  sim: Simulation,
  config: ClusterConfig,
  options: ControlPlaneOptions,
): ControlPlane {
  const rules = versionRules(config.kubernetesVersion, config.apiServer.featureGates);
  const store = createObjectStore(config.nodes, config.podsPerNode, config.dataPlane.clusterServices);
  const stats = new RequestStats(options.windowSeconds);
  const windowsPerMinute = Math.max(1, Math.round(60 / options.windowSeconds));
  const etcd = createEtcd(sim, config.etcd, { id: 'etcd', cluster: config.name, windowsPerMinute });
  const replicas: Replica[] = [];
  const blocked = new Set<string>();
  let outageUntil = Number.NEGATIVE_INFINITY;
  let robin = 0;
  let userFlowSchemas: readonly FlowSchema[] = config.flowSchemas;
  let userPriorityLevels: readonly PriorityLevelConfiguration[] = config.priorityLevels;

  const addReplica = (): Replica => {
    const index = replicas.length;
    const id = `apiserver-${index}`;
    const apf = createApfFilter(sim, {
      id,
      cluster: config.name,
      log: options.log,
      mode: config.apiServer.enablePriorityAndFairness ? 'apf' : 'max-in-flight',
      maxRequestsInflight: config.apiServer.maxRequestsInflight,
      maxMutatingRequestsInflight: config.apiServer.maxMutatingRequestsInflight,
      flowSchemas: userFlowSchemas,
      priorityLevels: userPriorityLevels,
    });
    const replica = new Replica(sim, {
      index,
      id,
      cluster: config.name,
      config: config.apiServer,
      rules,
      store,
      etcd,
      apf,
      stats,
      log: options.log,
      nodes: options.nodes,
    });
    replicas.push(replica);
    return replica;
  };
  for (let i = 0; i < config.apiServer.replicas; i++) addReplica().startWarm();

  const pick = (): Replica | null => {
    const n = replicas.length;
    for (let i = 0; i < n; i++) {
      const r = replicas[(robin + i) % n]!;
      if (r.isUp) {
        robin = (robin + i + 1) % n;
        return r;
      }
    }
    return null;
  };

  /** Packets dropped (blocked or partitioned): the client fails at its timeout or the connect timeout. */
  const isCutOff = (clientClass: string): boolean =>
    sim.now < outageUntil || (blocked.size > 0 && blocked.has(clientClass));

  const fail = (
    request: ServerRequest,
    done: ApiCallback | null,
    receiver: OutcomeReceiver | null,
    latency: number,
  ): void => {
    stats.responded('unreachable', request.count ?? 1, request.identity.clientClass);
    sim.schedule(latency, deliver, { done, receiver, outcome: unreachable(latency) });
  };

  const cutOffLatency = (request: ServerRequest): number =>
    request.timeout !== undefined && request.timeout > 0
      ? Math.min(request.timeout, CONNECT_TIMEOUT)
      : CONNECT_TIMEOUT;

  /** Exactly one of `done` and `receiver` is set. */
  const route = (
    request: ServerRequest,
    done: ApiCallback | null,
    receiver: OutcomeReceiver | null,
  ): void => {
    if (isCutOff(clientClassOf(request))) {
      fail(request, done, receiver, cutOffLatency(request));
      return;
    }
    const replica = pick();
    if (replica === null) {
      fail(request, done, receiver, REFUSED_LATENCY);
      return;
    }
    replica.accept(request, done, receiver);
  };

  /** A watch of `request`'s resource, node-indexed when it selects by node. */
  const newWatch = (request: ServerRequest, handlers: WatchHandlers): ClusterWatch => {
    const resource = store.get(request.resource);
    return new ClusterWatch(
      request,
      handlers,
      resource,
      request.count ?? 1,
      resource.isNodeIndexed && request.hasFieldSelector === true,
    );
  };

  const openWatch = (
    request: ServerRequest,
    handlers: WatchHandlers,
    done: ApiCallback | null,
    receiver: OutcomeReceiver | null,
  ): WatchHandle => {
    const watch = newWatch(request, handlers);
    if (isCutOff(clientClassOf(request))) {
      fail(request, done, receiver, cutOffLatency(request));
      return watch;
    }
    const replica = pick();
    if (replica === null) {
      fail(request, done, receiver, REFUSED_LATENCY);
      return watch;
    }
    replica.acceptWatch(watch, done, receiver);
    return watch;
  };

  const api: ClusterApi = {
    stats,
    submit(request: ServerRequest, done: ApiCallback): void {
      route(request, done, null);
    },
    submitTo(request: ServerRequest, receiver: OutcomeReceiver): void {
      route(request, null, receiver);
    },
    watch(request: ServerRequest, handlers: WatchHandlers, opened: ApiCallback): WatchHandle {
      return openWatch(request, handlers, opened, null);
    },
    watchTo(request: ServerRequest, handlers: WatchHandlers, receiver: OutcomeReceiver): WatchHandle {
      return openWatch(request, handlers, null, receiver);
    },
    attachWatch(request: ServerRequest, handlers: WatchHandlers, remainingTimeout: number): WatchHandle {
      const watch = newWatch(request, handlers);
      const replica = pick();
      if (replica !== null) replica.adoptWatch(watch, remainingTimeout);
      return watch;
    },
    isReachable(clientClass: string): boolean {
      if (isCutOff(clientClass)) return false;
      for (const r of replicas) if (r.isUp) return true;
      return false;
    },
  };

  const cutConnections = (clientClass: string | null, reason: WatchCloseReason): void => {
    for (const r of replicas) {
      if (!r.isUp) continue;
      r.closeWatchesOf(clientClass, reason);
      r.resetConnectionsOf(clientClass);
    }
  };

  const frontMetrics: MetricDeclaration[] = [
    {
      name: 'stormglass_apiserver_replicas_up',
      unit: 'replicas',
      help: 'API-server replicas serving',
      read: () => replicas.filter((r) => r.isUp).length,
    },
  ];
  const front: Component = { id: 'apiserver-lb', metrics: () => frontMetrics };

  return {
    api,
    get replicas() {
      return replicas;
    },
    etcd,
    store,
    stats,
    rules,
    get replicasUp() {
      let n = 0;
      for (const r of replicas) if (r.isUp) n++;
      return n;
    },
    get restarts() {
      let n = 0;
      for (const r of replicas) n += r.restarts;
      return n;
    },
    components() {
      const out: Component[] = [front, etcd];
      for (const r of replicas) out.push(r, r.apf);
      return out;
    },
    parameters() {
      const first = replicas[0];
      return first?.apf.parameters?.() ?? [];
    },
    tick(dt) {
      for (const r of replicas) r.tick(dt);
    },
    roll() {
      etcd.roll();
      for (const r of replicas) r.roll();
    },
    scale(target, provisioningDelay) {
      const active = replicas.filter((r) => !r.isRetired);
      if (target > active.length) {
        for (let i = active.length; i < target; i++) {
          const replica = addReplica();
          options.log.record({
            t: sim.now,
            cluster: config.name,
            kind: 'apiserver-provisioning',
            severity: 'info',
            message: `${replica.id} provisioning; serves in ${provisioningDelay} s with empty watch caches`,
          });
          sim.schedule(provisioningDelay, () => replica.start(), undefined);
        }
      } else {
        for (let i = active.length - 1; i >= target; i--) active[i]!.retire();
      }
    },
    setBlocked(clientClass, isBlocked) {
      if (isBlocked) {
        if (blocked.has(clientClass)) return;
        blocked.add(clientClass);
        cutConnections(clientClass, 'unreachable');
      } else if (!blocked.delete(clientClass)) return;
      options.log.record({
        t: sim.now,
        cluster: config.name,
        kind: isBlocked ? 'network-blocked' : 'network-unblocked',
        severity: 'warning',
        message: `API access for client class "${clientClass}" ${isBlocked ? 'blocked' : 'restored'}`,
      });
    },
    injectOutage(duration) {
      outageUntil = Math.max(outageUntil, sim.now + duration);
      cutConnections(null, 'unreachable');
      options.log.record({
        t: sim.now,
        cluster: config.name,
        kind: 'apiserver-outage-injected',
        severity: 'critical',
        message: `API servers unreachable for ${duration} s`,
      });
    },
    applyApf(flowSchemas, priorityLevels) {
      userFlowSchemas = mergeByName(userFlowSchemas, flowSchemas);
      userPriorityLevels = mergeByName(userPriorityLevels, priorityLevels);
      for (const r of replicas) r.applyApf(userFlowSchemas, userPriorityLevels);
    },
  };
}

function mergeByName<T extends { readonly metadata?: { readonly name?: string } }>(
  existing: readonly T[],
  added: readonly T[],
): readonly T[] {
  const byName = new Map<string, T>();
  for (const o of existing) byName.set(o.metadata?.name ?? '', o);
  for (const o of added) byName.set(o.metadata?.name ?? '', o);
  return [...byName.values()];
}
