/**
 * A fake cluster for data-plane tests: an API endpoint whose reachability a test switches, nodes whose
 * readiness it flips, and a small informer (LIST, then watch until the API goes, relist with client-go's
 * 0.8 s -> 30 s backoff). Requests are counted so tests can see relists and writes.
 */
import { createSimulation, type Simulation } from '../../../src/engine/index.js';
import type {
  ApiCallback,
  ApiEndpoint,
  ApiRequest,
  WatchHandle,
  WatchHandlers,
} from '../../../src/model/api-types.js';
import type { ClusterHandle, ControlPlaneHealth, NodeView } from '../../../src/model/cluster-types.js';
import { type Component, createEventLog, type LoggedEvent } from '../../../src/model/component.js';
import type { ClusterConfig, DataPlaneConfig } from '../../../src/model/config.js';
import {
  createDataPlane,
  type DataPlane,
  type InformerFactory,
  type WarmableInformer,
} from '../../../src/model/dataplane/index.js';

export interface FakeApi extends ApiEndpoint {
  /** Requests by `${verb} ${resource}` with their submit times. */
  readonly requests: { readonly t: number; readonly key: string; readonly user: string }[];
  outage(duration: number): void;
  /** Cuts (or restores) one client class's network path, like an operator's firewall rule. */
  setBlocked(clientClass: string, blocked: boolean): void;
  readonly isDown: boolean;
  /** Listeners told when the API goes down for a class (undefined: every class); open watches break. */
  onDown(listener: (clientClass: string | undefined) => void): void;
}

export function createFakeApi(sim: Simulation, latency = 0.02): FakeApi {
  let downUntil = Number.NEGATIVE_INFINITY;
  const blocked = new Set<string>();
  const requests: { t: number; key: string; user: string }[] = [];
  const downListeners: ((clientClass: string | undefined) => void)[] = [];
  const isDown = (): boolean => sim.now < downUntil;
  return {
    requests,
    get isDown() {
      return isDown();
    },
    outage(duration) {
      downUntil = sim.now + duration;
      for (const l of downListeners) l(undefined);
    },
    setBlocked(clientClass, isBlocked) {
      if (isBlocked) {
        blocked.add(clientClass);
        for (const l of downListeners) l(clientClass);
      } else blocked.delete(clientClass);
    },
    onDown(listener) {
      downListeners.push(listener);
    },
    isReachable(clientClass) {
      return !isDown() && !blocked.has(clientClass);
    },
    submit(request: ApiRequest, done: ApiCallback) {
      requests.push({ t: sim.now, key: `${request.verb} ${request.resource}`, user: request.identity.user });
      if (isDown() || blocked.has(request.identity.clientClass)) {
        sim.schedule(0, () => done({ kind: 'unreachable', status: 0, latency: 0 as never }), undefined);
        return;
      }
      sim.schedule(latency, () => done({ kind: 'ok', status: 200, latency: latency as never }), undefined);
    },
    watch(request: ApiRequest, handlers: WatchHandlers, opened: ApiCallback): WatchHandle {
      requests.push({ t: sim.now, key: `watch ${request.resource}`, user: request.identity.user });
      const handle = { isOpen: !isDown(), close: () => (handle.isOpen = false) };
      if (!handle.isOpen) {
        sim.schedule(0, () => opened({ kind: 'unreachable', status: 0, latency: 0 as never }), undefined);
        return handle;
      }
      downListeners.push((clientClass) => {
        if (!handle.isOpen || (clientClass !== undefined && clientClass !== request.identity.clientClass))
          return;
        handle.isOpen = false;
        handlers.onClosed('unreachable');
      });
      sim.schedule(latency, () => opened({ kind: 'ok', status: 200, latency: latency as never }), undefined);
      return handle;
    },
  };
}

/** A reflector reduced to what the data plane reads: LIST, watch, relist with backoff after a break. */
export const createFakeInformer: InformerFactory = (sim, api, options) => {
  const fake = api as FakeApi;
  let synced = false;
  let watching = false;
  let frozenAt = 0;
  let epoch = 0;
  let backoff = 0.8;
  const random = sim.random(`fake-informer/${options.name}`);
  const request = {
    verb: 'list',
    resource: options.resource,
    apiGroup: options.apiGroup,
    scope: 'cluster',
    identity: options.identity,
  } as const;
  const listeners: (() => void)[] = [];
  const list = (e: number): void => {
    if (e !== epoch) return;
    api.submit(request, (outcome) => {
      if (e !== epoch) return;
      if (outcome.kind !== 'ok') {
        const wait = backoff * (1 + random.next());
        backoff = Math.min(30, backoff * 2);
        sim.schedule(wait, () => list(e), undefined);
        return;
      }
      backoff = 0.8;
      options.onListed?.(synced);
      if (e !== epoch) return;
      synced = true;
      watching = true;
      for (const l of listeners) l();
    });
  };
  fake.onDown((clientClass) => {
    if (!watching || (clientClass !== undefined && clientClass !== options.identity.clientClass)) return;
    watching = false;
    frozenAt = sim.now;
    const e = epoch;
    sim.schedule(backoff * (1 + random.next()), () => list(e), undefined);
  });
  const informer: WarmableInformer = {
    get hasSynced() {
      return synced;
    },
    get isWatching() {
      return watching;
    },
    get syncedThrough() {
      return watching ? sim.now : frozenAt;
    },
    start() {
      epoch++;
      synced = false;
      watching = false;
      list(epoch);
    },
    startWarm() {
      epoch++;
      synced = true;
      watching = true;
    },
    stop() {
      epoch++;
      synced = false;
      if (watching) frozenAt = sim.now;
      watching = false;
    },
    onSynced(listener) {
      listeners.push(listener);
    },
  };
  return informer;
};

export interface FakeNodes extends NodeView {
  setReady(node: number, ready: boolean): void;
  setCount(count: number): void;
}

export function createFakeNodes(count: number): FakeNodes {
  let n = count;
  const notReady = new Set<number>();
  const listeners: ((node: number, ready: boolean) => void)[] = [];
  return {
    get count() {
      return n;
    },
    get readyCount() {
      return n - notReady.size;
    },
    isReady: (node) => !notReady.has(node),
    onReadyChange(listener) {
      listeners.push(listener);
    },
    setReady(node, ready) {
      if (ready === !notReady.has(node)) return;
      if (ready) notReady.delete(node);
      else notReady.add(node);
      for (const l of listeners) l(node, ready);
    },
    setCount(c) {
      n = c;
    },
  };
}

export function fakeClusterConfig(name: string, nodes: number, dataPlane: DataPlaneConfig): ClusterConfig {
  return {
    name,
    region: 'test',
    zones: 3,
    nodes,
    podsPerNode: 30,
    kubernetesVersion: '1.31',
    apiServer: {
      replicas: 3,
      cores: 16,
      memoryBytes: 64 * 2 ** 30,
      maxRequestsInflight: 400,
      maxMutatingRequestsInflight: 200,
      requestTimeout: 60,
      enablePriorityAndFairness: true,
      restartDelay: 30,
    },
    etcd: { members: 3, cores: 8, writeLatencyFloor: 0.0016 },
    flowSchemas: [],
    priorityLevels: [],
    dataPlane,
    trafficWeight: 1,
    fidelity: 'aggregate',
  };
}

export interface FakeCluster extends ClusterHandle {
  readonly api: FakeApi;
  readonly nodes: FakeNodes;
  readonly events: readonly LoggedEvent[];
}

export function createFakeCluster(sim: Simulation, config: ClusterConfig): FakeCluster {
  const api = createFakeApi(sim);
  const nodes = createFakeNodes(config.nodes);
  const log = createEventLog(100_000);
  const components: Component[] = [];
  const unused = (what: string) => (): never => {
    throw new Error(`fake cluster: ${what} is not used by the data plane`);
  };
  return {
    config,
    api,
    nodes,
    log,
    events: log.events,
    health: (): ControlPlaneHealth => ({
      errorFraction: api.isDown ? 1 : 0,
      clientP99: 0.05,
      replicasUp: api.isDown ? 0 : 3,
      isSaturated: false,
    }),
    components: () => components,
    addComponent: (c) => components.push(c),
    deployWorkload: unused('deployWorkload'),
    removeWorkloadViaApi: unused('removeWorkloadViaApi'),
    workloadRunningPods: () => 0,
    killWorkloadOnNodes: unused('killWorkloadOnNodes'),
    onNodesScaled: () => {},
    scaleNodes: (n) => nodes.setCount(n),
    scaleApiServers: unused('scaleApiServers'),
    setClientClassBlocked: (clientClass, blocked) => api.setBlocked(clientClass, blocked),
    applyApfObjects: unused('applyApfObjects'),
    injectApiOutage: (duration) => api.outage(duration),
    summary: () => ({}),
  };
}

/** A data plane on a fake cluster, ready to run. */
export function startFakeDataPlane(
  config: DataPlaneConfig,
  options: {
    readonly nodes?: number;
    readonly seed?: number;
    readonly until: number;
    readonly isViewCached?: boolean;
    readonly userTrafficScale?: () => number;
    readonly servingCapacity?: () => number;
    readonly hasSteadyFastPath?: boolean;
  },
): { sim: Simulation; cluster: FakeCluster; dp: DataPlane } {
  const sim = createSimulation({ seed: options.seed ?? 1 });
  const cluster = createFakeCluster(sim, fakeClusterConfig('test', options.nodes ?? 100, config));
  const dp = createDataPlane(sim, cluster, config, {
    until: options.until,
    createInformer: createFakeInformer,
    ...(options.isViewCached === false ? { isViewCached: false } : {}),
    ...(options.userTrafficScale ? { userTrafficScale: options.userTrafficScale } : {}),
    ...(options.servingCapacity ? { servingCapacity: options.servingCapacity } : {}),
    ...(options.hasSteadyFastPath === false ? { hasSteadyFastPath: false } : {}),
  });
  cluster.addComponent(dp);
  return { sim, cluster, dp };
}

/** Runs `check` at time `t` (after that instant's events). */
export function at(sim: Simulation, t: number, check: () => void): void {
  sim.scheduleAt(t, check, undefined, 2);
}
