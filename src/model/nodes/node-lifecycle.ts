/**
 * The node-lifecycle controller of kube-controller-manager (k/k pkg/controller/nodelifecycle, §5.2),
 * with KCM's view of heartbeats delayed by its own lease informer:
 * - every 5 s (node-monitor-period) it takes the heartbeats its informer has reached; a node whose
 *   last observed heartbeat is older than the grace period (40 s <= 1.31, 50 s from 1.32) goes
 *   Unknown: its Ready condition is written and MarkPodsNotReady updates each of its pods;
 * - Unknown nodes are tainted NoExecute through a per-zone rate limiter: 0.1 nodes/s when the zone is
 *   Normal or fully disrupted (while another zone is not), 0.01 nodes/s in PartialDisruption (> 2 and
 *   >= 55% NotReady) for zones of more than 50 nodes, else 0;
 * - 300 s after the taint (default tolerationSeconds) the taint-eviction controller deletes the pods;
 * - if every zone is fully disrupted it enters master disruption mode: taints removed, evictions
 *   stopped; leaving it resets every node's probe time to now (a fresh grace period).
 * Writes go through the controller's own rate-limited client (20 QPS) with 8 workers
 * (nodeUpdateWorkerSize).
 */
import type { Simulation } from '../../engine/index.js';
import type { ApiOutcome, ApiRequest, Identity } from '../api-types.js';
import type { Component, EventLog, MetricDeclaration, ParameterDeclaration } from '../component.js';
import type { ApiClient } from '../client/api-client.js';
import type { Informer } from '../client/informer.js';
import type { NodeView } from '../cluster-types.js';
import { makeRequest } from '../controlplane/serving.js';
import type { HeartbeatLog } from './heartbeat-log.js';

export const NODE_MONITOR_PERIOD = 5;
export const NODE_EVICTION_RATE = 0.1;
export const SECONDARY_NODE_EVICTION_RATE = 0.01;
export const LARGE_CLUSTER_SIZE_THRESHOLD = 50;
export const UNHEALTHY_ZONE_THRESHOLD = 0.55;
export const TOLERATION_SECONDS = 300;
export const NODE_UPDATE_WORKERS = 8;

export const NODE_LIFECYCLE_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'nodeLifecycle.nodeMonitorPeriod',
    value: NODE_MONITOR_PERIOD,
    unit: 'seconds',
    source: 'kube-controller-manager --node-monitor-period (§5.2)',
  },
  {
    name: 'nodeLifecycle.nodeMonitorGracePeriod',
    value: '40 (<= 1.31) / 50 (1.32+)',
    unit: 'seconds',
    source: 'kube-controller-manager --node-monitor-grace-period; k/k PR #126287 (§5.2)',
  },
  {
    name: 'nodeLifecycle.nodeEvictionRate',
    value: NODE_EVICTION_RATE,
    unit: 'nodes/s',
    source: 'kube-controller-manager --node-eviction-rate (§5.2)',
  },
  {
    name: 'nodeLifecycle.secondaryNodeEvictionRate',
    value: SECONDARY_NODE_EVICTION_RATE,
    unit: 'nodes/s',
    source: 'kube-controller-manager --secondary-node-eviction-rate (§5.2)',
  },
  {
    name: 'nodeLifecycle.largeClusterSizeThreshold',
    value: LARGE_CLUSTER_SIZE_THRESHOLD,
    unit: 'nodes',
    source: 'kube-controller-manager --large-cluster-size-threshold (§5.2)',
  },
  {
    name: 'nodeLifecycle.unhealthyZoneThreshold',
    value: UNHEALTHY_ZONE_THRESHOLD,
    unit: 'fraction',
    source: 'kube-controller-manager --unhealthy-zone-threshold (§5.2)',
  },
  {
    name: 'nodeLifecycle.tolerationSeconds',
    value: TOLERATION_SECONDS,
    unit: 'seconds',
    source: 'kube-apiserver --default-unreachable-toleration-seconds (§5.2)',
  },
  {
    name: 'nodeLifecycle.nodeUpdateWorkers',
    value: NODE_UPDATE_WORKERS,
    unit: 'workers',
    source: 'k/k pkg/controller/nodelifecycle nodeUpdateWorkerSize',
  },
];

/** What the controller needs from its kube-controller-manager process. */
export interface ControllerHost {
  /** Leading and with synced informers: the controllers run. */
  readonly isActive: boolean;
  /** KCM's lease informer: its `syncedThrough` bounds what heartbeats the controller has seen. */
  readonly leaseInformer: Informer;
  /** Called when the controllers (re)start after a leader change or process restart. */
  onStart(listener: () => void): void;
}

export interface NodeLifecycleOptions {
  readonly cluster: string;
  readonly log: EventLog;
  readonly heartbeats: HeartbeatLog;
  readonly blockSize: number;
  readonly zones: number;
  readonly podsPerNode: number;
  readonly gracePeriod: number;
  readonly host: ControllerHost;
  /** The node-controller's client (kube-system SA, workload-high). */
  readonly client: ApiClient;
  readonly identity: Identity;
  /** Nodes that exist now. */
  readonly nodes: () => number;
}

const ZONE_NORMAL = 0;
const ZONE_PARTIAL = 1;
const ZONE_FULL = 2;

interface Write {
  readonly request: ApiRequest;
  readonly block: number;
}

function onMonitor(c: NodeLifecycle): void {
  c.monitor();
}

export class NodeLifecycle implements Component, NodeView {
  readonly id = 'node-lifecycle-controller';
  private probe = new Float64Array(0);
  private ready = new Uint8Array(0);
  private tainted = new Uint8Array(0);
  private queuedForTaint = new Uint8Array(0);
  private evictAt = new Float64Array(0);
  private readonly zoneQueues: number[][] = [];
  private readonly zoneTokens: number[] = [];
  private readonly zoneStates: number[] = [];
  private isMasterDisruption = false;
  private readonly listeners: ((node: number, ready: boolean) => void)[] = [];
  private readonly writes: Write[] = [];
  private writeHead = 0;
  private writesInFlight = 0;
  private notReadyNow = 0;
  notReadyMax = 0;
  evictedPods = 0;
  private lastMonitor = 0;
  private readonly requests: {
    readonly nodeStatus: ApiRequest;
    readonly podStatus: ApiRequest;
    readonly taint: ApiRequest;
    readonly podDelete: ApiRequest;
  };

  constructor(
    private readonly sim: Simulation,
    private readonly options: NodeLifecycleOptions,
  ) {
    for (let z = 0; z < options.zones; z++) {
      this.zoneQueues.push([]);
      this.zoneTokens.push(1);
      this.zoneStates.push(ZONE_NORMAL);
    }
    const count = options.blockSize;
    const identity = options.identity;
    this.requests = {
      nodeStatus: makeRequest({
        verb: 'patch',
        resource: 'nodes/status',
        apiGroup: '',
        scope: 'resource',
        identity,
        count,
      }),
      podStatus: makeRequest({
        verb: 'update',
        resource: 'pods/status',
        apiGroup: '',
        scope: 'namespace',
        namespace: 'default',
        identity,
        count,
      }),
      taint: makeRequest({
        verb: 'patch',
        resource: 'nodes',
        apiGroup: '',
        scope: 'resource',
        identity,
        count,
      }),
      podDelete: makeRequest({
        verb: 'delete',
        resource: 'pods',
        apiGroup: '',
        scope: 'namespace',
        namespace: 'default',
        identity,
        count,
      }),
    };
    this.ensureCapacity(Math.ceil(options.nodes() / options.blockSize));
    const now = sim.now;
    this.probe.fill(now);
    this.ready.fill(1);
    options.host.onStart(() => this.controllerStarted());
    sim.schedule(NODE_MONITOR_PERIOD, onMonitor, this);
  }

  private get blocks(): number {
    return Math.ceil(this.options.nodes() / this.options.blockSize);
  }

  private blockSize(b: number): number {
    const size = this.options.blockSize;
    return Math.max(0, Math.min(size, this.options.nodes() - b * size));
  }

  private ensureCapacity(blocks: number): void {
    if (blocks <= this.probe.length) return;
    const grow = <T extends Float64Array | Uint8Array>(old: T, make: (n: number) => T, fill: number): T => {
      const next = make(Math.max(blocks, old.length * 2));
      next.set(old);
      next.fill(fill, old.length);
      return next;
    };
    const now = this.sim.now;
    this.probe = grow(this.probe, (n) => new Float64Array(n), now);
    this.ready = grow(this.ready, (n) => new Uint8Array(n), 1);
    this.tainted = grow(this.tainted, (n) => new Uint8Array(n), 0);
    this.queuedForTaint = grow(this.queuedForTaint, (n) => new Uint8Array(n), 0);
    this.evictAt = grow(this.evictAt, (n) => new Float64Array(n), Number.POSITIVE_INFINITY);
  }

  /** A new leader (or restarted process) starts with no node health: everyone gets a fresh grace. */
  private controllerStarted(): void {
    this.probe.fill(this.sim.now);
  }

  /** New nodes (scale-up) start Ready with a fresh probe; removed ones stop counting. */
  nodesChanged(): void {
    const blocks = this.blocks;
    this.ensureCapacity(blocks);
    const now = this.sim.now;
    for (let b = 0; b < blocks; b++) if (this.probe[b]! < now - 3600 * 24) this.probe[b] = now;
    this.recount();
  }

  // ----- NodeView -------------------------------------------------------------------------------

  get count(): number {
    return this.options.nodes();
  }

  get readyCount(): number {
    return this.count - this.notReadyNow;
  }

  isReady(node: number): boolean {
    return this.ready[Math.floor(node / this.options.blockSize)] === 1;
  }

  onReadyChange(listener: (node: number, ready: boolean) => void): void {
    this.listeners.push(listener);
  }

  // ----- monitoring -----------------------------------------------------------------------------

  monitor(): void {
    this.sim.schedule(NODE_MONITOR_PERIOD, onMonitor, this);
    const host = this.options.host;
    if (!host.isActive || !host.leaseInformer.hasSynced) return;
    const now = this.sim.now;
    const dt = now - this.lastMonitor;
    this.lastMonitor = now;
    const probe = this.probe;
    this.options.heartbeats.consume(host.leaseInformer.syncedThrough, (block) => {
      if (block < probe.length) probe[block] = now;
    });
    const grace = this.options.gracePeriod;
    const blocks = this.blocks;
    for (let b = 0; b < blocks; b++) {
      const isHealthy = now - probe[b]! <= grace;
      if (this.ready[b] === 1 && !isHealthy) this.becameNotReady(b);
      else if (this.ready[b] === 0 && isHealthy) this.becameReady(b);
    }
    this.recount();
    this.updateZones();
    this.taintAndEvict(dt);
  }

  private recount(): void {
    let notReady = 0;
    const blocks = this.blocks;
    for (let b = 0; b < blocks; b++) if (this.ready[b] === 0) notReady += this.blockSize(b);
    this.notReadyNow = notReady;
    if (notReady > this.notReadyMax) this.notReadyMax = notReady;
  }

  private becameNotReady(b: number): void {
    this.ready[b] = 0;
    const size = this.blockSize(b);
    const first = b * this.options.blockSize;
    this.options.log.record({
      t: this.sim.now,
      cluster: this.options.cluster,
      kind: 'node-not-ready',
      severity: 'warning',
      message: `${size > 1 ? `nodes ${first}-${first + size - 1}` : `node-${first}`}: Kubelet stopped posting node status (no heartbeat seen for ${this.options.gracePeriod} s); marking pods NotReady`,
    });
    for (let i = 0; i < size; i++) for (const l of this.listeners) l(first + i, false);
    // Ready condition -> Unknown, then MarkPodsNotReady: one status update per pod.
    this.enqueue(this.requests.nodeStatus, b);
    for (let p = 0; p < this.options.podsPerNode; p++) this.enqueue(this.requests.podStatus, b);
    if (!this.isMasterDisruption && this.tainted[b] === 0 && this.queuedForTaint[b] === 0) {
      this.queuedForTaint[b] = 1;
      this.zoneQueues[b % this.options.zones]!.push(b);
    }
  }

  private becameReady(b: number): void {
    this.ready[b] = 1;
    const size = this.blockSize(b);
    const first = b * this.options.blockSize;
    this.options.log.record({
      t: this.sim.now,
      cluster: this.options.cluster,
      kind: 'node-ready',
      severity: 'info',
      message: `${size > 1 ? `nodes ${first}-${first + size - 1}` : `node-${first}`} Ready again`,
    });
    for (let i = 0; i < size; i++) for (const l of this.listeners) l(first + i, true);
    this.queuedForTaint[b] = 0;
    if (this.tainted[b] === 1) {
      this.tainted[b] = 0;
      this.evictAt[b] = Number.POSITIVE_INFINITY;
      this.enqueue(this.requests.taint, b);
    }
  }

  private updateZones(): void {
    const zones = this.options.zones;
    const total = new Array<number>(zones).fill(0);
    const notReady = new Array<number>(zones).fill(0);
    const blocks = this.blocks;
    for (let b = 0; b < blocks; b++) {
      const z = b % zones;
      const size = this.blockSize(b);
      total[z]! += size;
      if (this.ready[b] === 0) notReady[z]! += size;
    }
    let allFull = true;
    let any = false;
    for (let z = 0; z < zones; z++) {
      if (total[z] === 0) continue;
      any = true;
      const ready = total[z]! - notReady[z]!;
      const state =
        ready === 0
          ? ZONE_FULL
          : notReady[z]! > 2 && notReady[z]! / total[z]! >= UNHEALTHY_ZONE_THRESHOLD
            ? ZONE_PARTIAL
            : ZONE_NORMAL;
      this.zoneStates[z] = state;
      if (state !== ZONE_FULL) allFull = false;
    }
    const isAllDown = any && allFull;
    if (isAllDown && !this.isMasterDisruption) {
      this.isMasterDisruption = true;
      this.options.log.record({
        t: this.sim.now,
        cluster: this.options.cluster,
        kind: 'node-master-disruption',
        severity: 'critical',
        message:
          'Controller detected that all Nodes are not-Ready. Entering master disruption mode (evictions stopped, taints removed)',
      });
      for (let b = 0; b < blocks; b++) {
        this.queuedForTaint[b] = 0;
        if (this.tainted[b] === 1) {
          this.tainted[b] = 0;
          this.evictAt[b] = Number.POSITIVE_INFINITY;
          this.enqueue(this.requests.taint, b);
        }
      }
      for (const q of this.zoneQueues) q.length = 0;
    } else if (!isAllDown && this.isMasterDisruption) {
      this.isMasterDisruption = false;
      this.probe.fill(this.sim.now);
      this.options.log.record({
        t: this.sim.now,
        cluster: this.options.cluster,
        kind: 'node-master-disruption-over',
        severity: 'info',
        message:
          'Some nodes are Ready again: leaving master disruption mode; every node gets a fresh grace period',
      });
    }
  }

  private zoneRate(z: number, zoneSize: number): number {
    const state = this.zoneStates[z];
    if (state === ZONE_PARTIAL)
      return zoneSize > LARGE_CLUSTER_SIZE_THRESHOLD ? SECONDARY_NODE_EVICTION_RATE : 0;
    return NODE_EVICTION_RATE;
  }

  private taintAndEvict(dt: number): void {
    const now = this.sim.now;
    const blocks = this.blocks;
    if (!this.isMasterDisruption) {
      const zones = this.options.zones;
      const zoneSize = Math.ceil(this.options.nodes() / zones);
      for (let z = 0; z < zones; z++) {
        const rate = this.zoneRate(z, zoneSize);
        // A zero rate swaps in a never-admitting limiter (setLimiterInZone); otherwise a token bucket
        // with burst 1 node (RateLimitedTimedQueue with NewTokenBucketRateLimiter(qps, 1)).
        if (rate <= 0) continue;
        this.zoneTokens[z] = Math.min(1 + rate * NODE_MONITOR_PERIOD, this.zoneTokens[z]! + rate * dt);
        const queue = this.zoneQueues[z]!;
        while (queue.length > 0) {
          const b = queue[0]!;
          if (this.ready[b] === 1 || this.queuedForTaint[b] === 0) {
            queue.shift();
            continue;
          }
          const size = this.blockSize(b);
          if (this.zoneTokens[z]! < size) break;
          this.zoneTokens[z]! -= size;
          queue.shift();
          this.queuedForTaint[b] = 0;
          this.tainted[b] = 1;
          this.evictAt[b] = now + TOLERATION_SECONDS;
          this.enqueue(this.requests.taint, b);
        }
      }
    }
    for (let b = 0; b < blocks; b++) {
      if (this.tainted[b] === 1 && this.evictAt[b]! <= now) {
        this.evictAt[b] = Number.POSITIVE_INFINITY;
        const pods = this.options.podsPerNode * this.blockSize(b);
        this.evictedPods += pods;
        this.options.log.record({
          t: now,
          cluster: this.options.cluster,
          kind: 'pods-evicted',
          severity: 'critical',
          message: `taint-eviction: deleting ${pods} pods of ${this.blockSize(b) > 1 ? `nodes from ${b * this.options.blockSize}` : `node-${b * this.options.blockSize}`} (tolerationSeconds 300 expired)`,
        });
        for (let p = 0; p < this.options.podsPerNode; p++) this.enqueue(this.requests.podDelete, b);
      }
    }
  }

  // ----- writes ---------------------------------------------------------------------------------

  private enqueue(request: ApiRequest, block: number): void {
    this.writes.push({ request, block });
    this.pump();
  }

  private pump(): void {
    while (this.writesInFlight < NODE_UPDATE_WORKERS && this.writeHead < this.writes.length) {
      const w = this.writes[this.writeHead++]!;
      this.writesInFlight++;
      this.options.client.call(w.request, (o: ApiOutcome) => this.written(o));
    }
    if (this.writeHead > 1024 && this.writeHead * 2 > this.writes.length) {
      this.writes.splice(0, this.writeHead);
      this.writeHead = 0;
    }
  }

  private written(_o: ApiOutcome): void {
    this.writesInFlight--;
    this.pump();
  }

  get pendingWrites(): number {
    return this.writes.length - this.writeHead + this.writesInFlight;
  }

  metrics(): readonly MetricDeclaration[] {
    return [
      {
        name: 'kube_node_status_condition',
        labels: { condition: 'Ready', status: 'true' },
        unit: 'nodes',
        help: 'Nodes the node-lifecycle controller considers Ready',
        read: () => this.readyCount,
      },
      {
        name: 'kube_node_status_condition',
        labels: { condition: 'Ready', status: 'unknown' },
        unit: 'nodes',
        help: 'Nodes marked Unknown/NotReady by the node-lifecycle controller',
        read: () => this.notReadyNow,
      },
      {
        name: 'node_lifecycle_pending_writes',
        unit: 'requests',
        help: 'Node/pod status updates, taints and evictions the controller has yet to send',
        read: () => this.pendingWrites,
      },
    ];
  }

  parameters(): readonly ParameterDeclaration[] {
    return NODE_LIFECYCLE_PARAMETERS;
  }
}
