/**
 * Serving capacity of each cluster's nodes, and what it takes to get it back after a scale-down.
 *
 * A node serves users once its workload pods run, and they run once their images are on the node.
 * Removing nodes removes their capacity at once, and their pods with them: the controllers must
 * create those pods again, through the API server, at their client's rate (kube-controller-manager
 * --kube-api-qps 20, §5.4); they wait Pending until there are nodes for them. Added nodes are new
 * machines: they boot (`provisioning`); the scheduler binds Pending pods to them (its client's 50
 * QPS); each node pulls its pods' images (`imageBytes` for a full node) from its region's registry.
 * Every node pulling in a region shares the registry's bandwidth equally (processor sharing), each
 * capped at its own download rate. The kubelet pulls one image at a time (serializeImagePulls) and a
 * pod starts when its image lands, so a node serves in proportion to the bytes it has.
 * Creating and binding pods needs the API server: both wait while it has no replica up. (The writes
 * themselves, 20-70 per second, are not sent through the API-server model: they are small next to
 * its capacity once it answers again.)
 *
 * This is the postmortem's second wave: nodes brought back after the scale-down "simultaneously
 * re-downloaded required components" and contended for them.
 */
import type { Simulation } from '../../engine/index.js';
import type { EventLog, ParameterDeclaration } from '../component.js';
import type { NodeStartupConfig } from '../config.js';

/** Seconds between fluid steps of the pulls (only scheduled while a pull is under way). */
export const PULL_STEP_SECONDS = 5;
/** Pods the ReplicaSet/DaemonSet controllers create per second: kube-controller-manager --kube-api-qps (§5.4). */
export const CONTROLLER_POD_CREATES_PER_SECOND = 20;
/** Pods kube-scheduler binds per second: its client's QPS (§5.4). */
export const SCHEDULER_BINDS_PER_SECOND = 50;

/** The model's own constants (the scenario's values are in nodeStartupParameters). */
export const NODE_STARTUP_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'nodeStartup.controllerPodCreates',
    value: CONTROLLER_POD_CREATES_PER_SECOND,
    unit: 'pods/s',
    source:
      'kube-controller-manager --kube-api-qps 20 (§5.4): the ReplicaSet/DaemonSet controllers re-create lost pods',
  },
  {
    name: 'nodeStartup.schedulerBinds',
    value: SCHEDULER_BINDS_PER_SECOND,
    unit: 'pods/s',
    source: "kube-scheduler's client QPS 50 (§5.4)",
  },
  {
    name: 'nodeStartup.pullStep',
    value: PULL_STEP_SECONDS,
    unit: 'seconds',
    source: 'stormglass: fluid step of image pulls, pod creation and binding, only while a restore runs',
  },
];

/** A cluster without a nodeStartup: added nodes serve at once. */
export const INSTANT_NODE_STARTUP: NodeStartupConfig = {
  provisioningSeconds: 0,
  imageBytes: 0,
  nodeBytesPerSecond: Number.POSITIVE_INFINITY,
};

export interface NodeStartupCluster {
  readonly name: string;
  readonly region: string;
  /** Nodes the cluster serves its normal traffic share with. */
  readonly nodes: number;
  /** Pods on a node: a removed node's pods must be created again before a new node can run them. */
  readonly podsPerNode: number;
  readonly startup: NodeStartupConfig;
  /** The API server has a replica up: new nodes can register and get their pods. */
  readonly isApiUp: () => boolean;
}

export interface NodeStartupOptions {
  readonly clusters: readonly NodeStartupCluster[];
  /** Registry bandwidth per region, bytes/s, shared by every node pulling in the region. */
  readonly registryBytesPerSecond: number;
  readonly log: EventLog;
}

export interface NodeStartup {
  /** Cluster i's node count changed from `from` to `to` (scale-down or restore). */
  resized(i: number, from: number, to: number): void;
  /** Nodes of cluster i whose pods serve (fractional while images arrive). */
  servingNodes(i: number): number;
  /** servingNodes / normal nodes. */
  servingFraction(i: number): number;
  /** Bytes/s cluster i's nodes are pulling now. */
  pullRate(i: number): number;
  /** Nodes of cluster i booting or pulling. */
  startingNodes(i: number): number;
  /** Pods of cluster i its controllers have yet to create, and created ones not yet bound to a node. */
  missingPods(i: number): { readonly toCreate: number; readonly pending: number };
  /**
   * Whether a pull step may still change cluster i's start-up state (nodes booting or pulling, pods
   * to create or bind). Only resized() makes a cluster restoring again.
   */
  isRestoring(i: number): boolean;
}

interface Cohort {
  count: number;
  /** Bytes each node of the cohort still has to pull. */
  remaining: number;
  readonly bootedAt: number;
  readonly startedAt: number;
  isPulling: boolean;
  /** Bytes/s each node pulls over the current interval. */
  rate: number;
  /** Pods bound to the cohort's nodes so far. */
  bound: number;
}

interface PoolState {
  warm: number;
  readonly cohorts: Cohort[];
  rate: number;
  /** Pods lost with removed nodes that the controllers have not created again yet. */
  toCreate: number;
  /** Created, waiting for a node. */
  pending: number;
}

export function createNodeStartup(sim: Simulation, options: NodeStartupOptions): NodeStartup {
  const { clusters, log } = options;
  const pools: PoolState[] = clusters.map((c) => ({
    warm: c.nodes,
    cohorts: [],
    rate: 0,
    toCreate: 0,
    pending: 0,
  }));
  /** Bytes a cohort's nodes may have pulled: those of the pods bound to them. */
  const pullable = (c: NodeStartupCluster, h: Cohort): number =>
    c.podsPerNode > 0
      ? c.startup.imageBytes * Math.min(1, h.bound / (h.count * c.podsPerNode))
      : c.startup.imageBytes;
  const regions = [...new Set(clusters.map((c) => c.region))];
  const regionOf = clusters.map((c) => regions.indexOf(c.region));
  let isStepping = false;

  const step = (): void => {
    const now = sim.now;
    const dt = PULL_STEP_SECONDS;
    const isUp = clusters.map((c) => c.isApiUp());
    // 1. The last interval's pulls, at the rates set when it began, up to the bound pods' images.
    pools.forEach((pool, i) => {
      const c = clusters[i]!;
      for (let k = 0; k < pool.cohorts.length; k++) {
        const h = pool.cohorts[k]!;
        if (h.isPulling)
          h.remaining = Math.max(c.startup.imageBytes - pullable(c, h), h.remaining - h.rate * dt);
        const isBound = h.bound >= h.count * c.podsPerNode - 1e-6;
        if (h.remaining > 0 || !isBound || h.bootedAt > now) continue;
        pool.warm += h.count;
        pool.cohorts.splice(k--, 1);
        log.record({
          t: now,
          cluster: c.name,
          kind: 'nodes-serving',
          severity: 'info',
          message: `${h.count} restored nodes have their pods and images and serve again, ${formatMinutes(now - h.startedAt)} after the scale-up`,
        });
      }
    });
    // 2. The controllers create lost pods and the scheduler binds pending ones to booted nodes,
    //    oldest nodes first, while the API server answers.
    pools.forEach((pool, i) => {
      const c = clusters[i]!;
      if (!isUp[i]) return;
      const created = Math.min(pool.toCreate, CONTROLLER_POD_CREATES_PER_SECOND * dt);
      pool.toCreate -= created;
      pool.pending += created;
      let binds = SCHEDULER_BINDS_PER_SECOND * dt;
      for (const h of pool.cohorts) {
        if (h.bootedAt > now || binds <= 0 || pool.pending <= 0) continue;
        const bind = Math.min(binds, pool.pending, h.count * c.podsPerNode - h.bound);
        if (bind <= 0) continue;
        h.bound += bind;
        pool.pending -= bind;
        binds -= bind;
      }
    });
    // 3. Who pulls over the next interval: booted nodes with bound pods whose images they lack,
    //    sharing their region's registry equally, each up to its own rate.
    const pulling = new Array<number>(regions.length).fill(0);
    let hasCohorts = false;
    pools.forEach((pool, i) => {
      const c = clusters[i]!;
      for (const h of pool.cohorts) {
        hasCohorts = true;
        const wasPulling = h.isPulling;
        h.isPulling = h.bootedAt <= now && isUp[i]! && c.startup.imageBytes - pullable(c, h) < h.remaining;
        if (h.isPulling) pulling[regionOf[i]!]! += h.count;
        if (h.isPulling && !wasPulling && h.remaining === c.startup.imageBytes)
          log.record({
            t: now,
            cluster: c.name,
            kind: 'node-images-pulling',
            severity: 'info',
            message: `${h.count} new nodes registered and pulling ${formatBytes(c.startup.imageBytes)} of images each from the ${c.region} registry`,
          });
      }
    });
    pools.forEach((pool, i) => {
      const inRegion = pulling[regionOf[i]!]!;
      const share = inRegion > 0 ? options.registryBytesPerSecond / inRegion : 0;
      const perNode = Math.min(clusters[i]!.startup.nodeBytesPerSecond, share);
      pool.rate = 0;
      for (const h of pool.cohorts) {
        h.rate = h.isPulling ? perNode : 0;
        pool.rate += h.rate * h.count;
      }
    });
    if (hasCohorts || pools.some((p) => p.toCreate > 0)) sim.schedule(dt, step, undefined);
    else isStepping = false;
  };

  const startStepping = (): void => {
    if (isStepping) return;
    isStepping = true;
    sim.schedule(PULL_STEP_SECONDS, step, undefined);
  };

  return {
    resized(i, from, to) {
      const pool = pools[i]!;
      const c = clusters[i]!;
      if (to < from) {
        // The newest nodes go first (still booting or pulling), then serving ones; their pods go
        // back to the controllers (bound ones Pending again, the others to be created).
        let remove = from - to;
        while (remove > 0 && pool.cohorts.length > 0) {
          const h = pool.cohorts[pool.cohorts.length - 1]!;
          const take = Math.min(remove, h.count);
          const freed = (h.bound * take) / h.count;
          h.bound -= freed;
          pool.pending += freed;
          pool.toCreate += take * c.podsPerNode - freed;
          h.count -= take;
          remove -= take;
          if (h.count === 0) pool.cohorts.pop();
        }
        const lost = Math.min(remove, pool.warm);
        pool.warm -= lost;
        pool.toCreate += lost * c.podsPerNode;
        if (pool.toCreate > 0 && c.podsPerNode > 0) startStepping();
        return;
      }
      const added = to - from;
      if (added <= 0) return;
      if (
        c.startup.imageBytes <= 0 &&
        c.startup.provisioningSeconds <= 0 &&
        pool.toCreate + pool.pending <= 0
      ) {
        pool.warm += added;
        return;
      }
      const now = sim.now;
      pool.cohorts.push({
        count: added,
        remaining: Math.max(0, c.startup.imageBytes),
        bootedAt: now + c.startup.provisioningSeconds,
        startedAt: now,
        isPulling: false,
        rate: 0,
        bound: 0,
      });
      startStepping();
    },
    servingNodes(i) {
      const pool = pools[i]!;
      const bytes = clusters[i]!.startup.imageBytes;
      let serving = pool.warm;
      // Pods whose images landed keep serving while the rest wait (booting cohorts have none yet).
      if (bytes > 0)
        for (const h of pool.cohorts) serving += h.count * (1 - Math.max(0, h.remaining) / bytes);
      return serving;
    },
    servingFraction(i) {
      const nodes = clusters[i]!.nodes;
      return nodes > 0 ? this.servingNodes(i) / nodes : 1;
    },
    pullRate: (i) => pools[i]!.rate,
    isRestoring(i) {
      const pool = pools[i]!;
      return pool.cohorts.length > 0 || pool.toCreate > 0 || pool.pending > 0 || pool.rate !== 0;
    },
    missingPods: (i) => ({ toCreate: pools[i]!.toCreate, pending: pools[i]!.pending }),
    startingNodes(i) {
      let n = 0;
      for (const h of pools[i]!.cohorts) n += h.count;
      return n;
    },
  };
}

const formatBytes = (b: number): string =>
  b >= 2 ** 30 ? `${(b / 2 ** 30).toFixed(1)} GiB` : `${(b / 2 ** 20).toFixed(0)} MiB`;
const formatMinutes = (s: number): string => `${(s / 60).toFixed(1)} min`;

export function nodeStartupParameters(
  startup: NodeStartupConfig,
  registryBytesPerSecond: number,
): ParameterDeclaration[] {
  return [
    ...NODE_STARTUP_PARAMETERS,
    {
      name: 'nodeStartup.provisioning',
      value: startup.provisioningSeconds,
      unit: 'seconds',
      source: 'scenario (clusterDefaults.nodeStartup.provisioning)',
    },
    {
      name: 'nodeStartup.imageBytes',
      value: startup.imageBytes,
      unit: 'bytes',
      source: 'scenario (clusterDefaults.nodeStartup.imageBytes)',
    },
    {
      name: 'nodeStartup.nodeBandwidth',
      value: startup.nodeBytesPerSecond,
      unit: 'bytes/s',
      source: 'scenario (clusterDefaults.nodeStartup.nodeBandwidth)',
    },
    {
      name: 'fleet.registryBandwidth',
      value: registryBytesPerSecond,
      unit: 'bytes/s per region',
      source: 'scenario (fleet.registryBandwidth)',
    },
  ];
}
