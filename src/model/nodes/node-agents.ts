/**
 * The per-node clients of the API: kubelet (lease, node status, pod/node/service informers) and
 * kube-proxy (service and EndpointSlice informers), for every block of nodes.
 *
 * A block is one node in exact fidelity; in aggregate fidelity it is a cohort of identical nodes
 * whose requests travel as one ApiRequest with count = block size (differential-tested).
 *
 * Kubelet heartbeats (component-helpers@v0.31.0 apimachinery/lease/controller.go, §5.1): every
 * 10 s x (1 + 0.04 U) after the previous sync, UPDATE the lease; on failure retry at once, up to 5
 * attempts, calling closeAllConns after every failed attempt but the first; then GET the lease with a
 * 200 ms -> 7 s back-off until it works, and try 5 updates again. Node status: GET (RV=0) + PATCH
 * every 5 min, retried every 10 s while failing (nodeStatusUpdateRetry 5).
 */
import type { Simulation } from '../../engine/index.js';
import type { ApiOutcome, Identity } from '../api-types.js';
import type { Component, EventLog, MetricDeclaration, ParameterDeclaration } from '../component.js';
import { type ApiClient, type CallReceiver, createApiClient } from '../client/api-client.js';
import {
  HEARTBEAT_RATE,
  KUBE_PROXY_RATE,
  KUBELET_RATE,
  nodeIdentity,
  serviceAccountIdentity,
} from '../client/identities.js';
import { createReflector, type Reflector } from '../client/reflector.js';
import type { ApiEndpoint } from '../api-types.js';
import type { ObjectStore } from '../controlplane/object-store.js';
import { type CommitListener, makeRequest, type ServerRequest } from '../controlplane/serving.js';
import type { HeartbeatLog } from './heartbeat-log.js';

/** nodeLeaseDurationSeconds 40 x renew fraction 0.25 (k/k pkg/kubelet/kubelet.go). */
export const LEASE_RENEW_INTERVAL = 10;
/** wait.JitterUntil(c.sync, renewInterval, 0.04, ...) in lease/controller.go. */
export const LEASE_JITTER = 0.04;
export const LEASE_MAX_UPDATE_RETRIES = 5;
/** backoffEnsureLease: sleep starts at 100 ms, doubled before each wait, capped at 7 s. */
export const LEASE_ENSURE_INITIAL = 0.1;
export const LEASE_ENSURE_MAX = 7;
/** nodeStatusReportFrequency (post unchanged status) and nodeStatusUpdateFrequency. */
export const NODE_STATUS_REPORT = 300;
export const NODE_STATUS_UPDATE = 10;
export const NODE_STATUS_RETRIES = 5;

export const NODE_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'kubelet.leaseRenewInterval',
    value: LEASE_RENEW_INTERVAL,
    unit: 'seconds',
    source: 'k/k pkg/kubelet/kubelet.go: 0.25 x nodeLeaseDurationSeconds 40 (§5.1)',
  },
  {
    name: 'kubelet.leaseJitter',
    value: LEASE_JITTER,
    unit: 'fraction',
    source: 'component-helpers@v0.31.0 apimachinery/lease/controller.go:99 (§5.1)',
  },
  {
    name: 'kubelet.leaseMaxUpdateRetries',
    value: LEASE_MAX_UPDATE_RETRIES,
    unit: 'attempts',
    source: 'component-helpers@v0.31.0 apimachinery/lease/controller.go maxUpdateRetries',
  },
  {
    name: 'kubelet.leaseEnsureBackoffMax',
    value: LEASE_ENSURE_MAX,
    unit: 'seconds',
    source: 'component-helpers@v0.31.0 apimachinery/lease/controller.go maxBackoff',
  },
  {
    name: 'kubelet.nodeStatusReportFrequency',
    value: NODE_STATUS_REPORT,
    unit: 'seconds',
    source: 'kubelet@v0.31.0 config/v1beta1/types.go (§5.1)',
  },
  {
    name: 'kubelet.nodeStatusUpdateFrequency',
    value: NODE_STATUS_UPDATE,
    unit: 'seconds',
    source: 'kubelet@v0.31.0 config/v1beta1/types.go (§5.1)',
  },
];

export interface NodeAgentsOptions {
  readonly cluster: string;
  readonly api: ApiEndpoint;
  readonly store: ObjectStore;
  readonly log: EventLog;
  readonly heartbeats: HeartbeatLog;
  readonly podsPerNode: number;
  readonly blockSize: number;
}

/** Every kube-proxy runs as this service account: one object (the API server caches per identity). */
const KUBE_PROXY_IDENTITY = serviceAccountIdentity('kube-system', 'kube-proxy', 'kube-proxy');

function onLeaseTimer(k: NodeBlock): void {
  k.renewLease();
}
function onEnsureTimer(k: NodeBlock): void {
  k.ensureLease();
}
function onStatusTimer(k: NodeBlock): void {
  k.postStatus();
}

// Which of the block's calls an outcome belongs to (CallReceiver tags).
const LEASE_UPDATE = 0;
const LEASE_GET = 1;
const STATUS_GET = 2;
const STATUS_PATCH = 3;

/**
 * One block of nodes: its kubelets and kube-proxies, acting as one cohort.
 *
 * NOTE: answers its calls and commits through methods (CallReceiver, CommitListener), not closures:
 * with 5,000 blocks every closure is a cold object, and each costs cache misses per heartbeat.
 */
export class NodeBlock implements CallReceiver, CommitListener {
  // NOTE: what a lease renewal reads comes first, so it shares the object's first cache lines.
  private readonly heartbeat: ApiClient;
  private readonly leaseUpdate: ServerRequest;
  isRunning = false;
  private leaseTimer = -1;
  private leaseAttempt = 0;
  private leaseRound = 0;
  private readonly sim: Simulation;
  private readonly owner: NodeAgents;
  readonly index: number;
  private ensureSleep = LEASE_ENSURE_INITIAL;
  private statusTimer = -1;
  private statusAttempt = 0;
  private readonly main: ApiClient;
  private readonly proxyClient: ApiClient;
  readonly informers: Reflector[];
  readonly identity: Identity;
  private readonly leaseGet: ServerRequest;
  private readonly statusGet: ServerRequest;
  private readonly statusPatch: ServerRequest;
  readonly first: number;
  readonly size: number;
  leaseFailures = 0;
  closeAllConnsCalls = 0;

  constructor(sim: Simulation, owner: NodeAgents, index: number, first: number, size: number) {
    this.sim = sim;
    this.owner = owner;
    this.index = index;
    this.first = first;
    this.size = size;
    const o = owner.options;
    const api = o.api;
    this.identity = nodeIdentity(first);
    const count = size;

    this.heartbeat = createApiClient(sim, api, {
      name: `kubelet-heartbeat-${first}`,
      rate: HEARTBEAT_RATE,
      isPerMember: true,
    });
    this.main = createApiClient(sim, api, {
      name: `kubelet-${first}`,
      rate: KUBELET_RATE,
      isPerMember: true,
    });
    this.proxyClient = createApiClient(sim, api, {
      name: `kube-proxy-${first}`,
      rate: KUBE_PROXY_RATE,
      isPerMember: true,
    });
    const common = { identity: this.identity, count, timeout: HEARTBEAT_RATE.timeout };
    this.leaseUpdate = makeRequest({
      ...common,
      verb: 'update',
      resource: 'leases',
      apiGroup: 'coordination.k8s.io',
      scope: 'namespace',
      namespace: 'kube-node-lease',
      commitListener: this,
    });
    this.leaseGet = makeRequest({
      ...common,
      verb: 'get',
      resource: 'leases',
      apiGroup: 'coordination.k8s.io',
      scope: 'namespace',
      namespace: 'kube-node-lease',
    });
    this.statusGet = makeRequest({
      ...common,
      verb: 'get',
      resource: 'nodes',
      apiGroup: '',
      scope: 'resource',
      rv: 'any',
    });
    this.statusPatch = makeRequest({
      ...common,
      verb: 'patch',
      resource: 'nodes/status',
      apiGroup: '',
      scope: 'resource',
      commitListener: this,
    });

    const store = o.store;
    const proxy = KUBE_PROXY_IDENTITY;
    // NOTE: plain literals, not spreads of a shared base: an object built by spreading gets a hidden
    // class of its own (thousands of them at 5,000 nodes, and megamorphic loads in the reflector).
    const log = o.log;
    const cluster = o.cluster;
    const podsPerNode = o.podsPerNode;
    this.informers = [
      createReflector(sim, api, {
        log,
        cluster,
        count,
        name: `kubelet-${first}/pods`,
        identity: this.identity,
        resource: 'pods',
        apiGroup: '',
        hasFieldSelector: true,
        objects: () => podsPerNode + store.extraPodsPerNode,
        expectedReturned: () => podsPerNode + store.extraPodsPerNode,
        client: KUBELET_RATE,
        apiClient: this.main,
      }),
      createReflector(sim, api, {
        log,
        cluster,
        count,
        name: `kubelet-${first}/node`,
        identity: this.identity,
        resource: 'nodes',
        apiGroup: '',
        scope: 'resource',
        hasFieldSelector: true,
        objects: () => 1,
        client: KUBELET_RATE,
        apiClient: this.main,
      }),
      createReflector(sim, api, {
        log,
        cluster,
        count,
        name: `kubelet-${first}/services`,
        identity: this.identity,
        resource: 'services',
        apiGroup: '',
        objects: () => store.get('services').count,
        client: KUBELET_RATE,
        apiClient: this.main,
      }),
      createReflector(sim, api, {
        log,
        cluster,
        count,
        name: `kube-proxy-${first}/services`,
        identity: proxy,
        resource: 'services',
        apiGroup: '',
        hasLabelSelector: true,
        objects: () => store.get('services').count,
        expectedReturned: () => store.get('services').count,
        client: KUBE_PROXY_RATE,
        apiClient: this.proxyClient,
      }),
      createReflector(sim, api, {
        log,
        cluster,
        count,
        name: `kube-proxy-${first}/endpointslices`,
        identity: proxy,
        resource: 'endpointslices',
        apiGroup: 'discovery.k8s.io',
        hasLabelSelector: true,
        objects: () => store.get('endpointslices').count,
        expectedReturned: () => store.get('endpointslices').count,
        client: KUBE_PROXY_RATE,
        apiClient: this.proxyClient,
      }),
    ];
  }

  /** `warm`: the node was running before t = 0 (synced informers, lease in phase). */
  start(warm: boolean): void {
    this.isRunning = true;
    const random = this.owner.random;
    if (warm) {
      for (const inf of this.informers) inf.startWarm();
      this.leaseTimer = this.sim.schedule(random.next() * LEASE_RENEW_INTERVAL, onLeaseTimer, this);
      this.statusTimer = this.sim.schedule(random.next() * NODE_STATUS_REPORT, onStatusTimer, this);
      return;
    }
    for (const inf of this.informers) inf.start();
    // A new node registers: the lease is created by the first sync, status posted at once.
    this.leaseTimer = this.sim.schedule(0, onLeaseTimer, this);
    this.statusTimer = this.sim.schedule(0, onStatusTimer, this);
  }

  stop(): void {
    this.isRunning = false;
    if (this.leaseTimer !== -1) this.sim.cancel(this.leaseTimer);
    if (this.statusTimer !== -1) this.sim.cancel(this.statusTimer);
    this.leaseTimer = -1;
    this.statusTimer = -1;
    for (const inf of this.informers) inf.stop();
    this.heartbeat.reset();
    this.main.reset();
    this.proxyClient.reset();
  }

  /** CommitListener: a lease renewal or status post committed (the node-lifecycle controller's view). */
  committed(): void {
    this.owner.options.heartbeats.push(this.index, this.sim.now);
  }

  /** CallReceiver: the outcome of one of the heartbeat client's calls. */
  callDone(tag: number, o: ApiOutcome): void {
    switch (tag) {
      case LEASE_UPDATE:
        this.leaseDone(o);
        return;
      case LEASE_GET:
        this.ensureDone(o);
        return;
      case STATUS_GET:
        this.statusGetDone(o);
        return;
      case STATUS_PATCH:
        this.statusPatchDone(o);
        return;
    }
  }

  // ----- lease ----------------------------------------------------------------------------------

  renewLease(): void {
    this.leaseTimer = -1;
    if (!this.isRunning) return;
    this.leaseAttempt = 0;
    this.leaseRound = 0;
    this.heartbeat.callTo(this.leaseUpdate, this, LEASE_UPDATE);
  }

  private leaseDone(o: ApiOutcome): void {
    if (!this.isRunning) return;
    if (o.kind === 'ok') {
      this.scheduleNextSync();
      return;
    }
    this.leaseFailures += this.size;
    if (this.leaseAttempt > 0) this.closeAllConns();
    this.leaseAttempt++;
    if (this.leaseAttempt < LEASE_MAX_UPDATE_RETRIES) {
      this.heartbeat.callTo(this.leaseUpdate, this, LEASE_UPDATE);
      return;
    }
    if (this.leaseRound === 0) {
      // "failed to update lease using latest lease, fallback to ensure lease".
      this.leaseRound = 1;
      this.ensureSleep = LEASE_ENSURE_INITIAL;
      this.ensureLease();
      return;
    }
    this.scheduleNextSync();
  }

  ensureLease(): void {
    this.leaseTimer = -1;
    if (!this.isRunning) return;
    this.heartbeat.callTo(this.leaseGet, this, LEASE_GET);
  }

  private ensureDone(o: ApiOutcome): void {
    if (!this.isRunning) return;
    if (o.kind === 'ok') {
      this.leaseAttempt = 0;
      this.heartbeat.callTo(this.leaseUpdate, this, LEASE_UPDATE);
      return;
    }
    this.ensureSleep = Math.min(2 * this.ensureSleep, LEASE_ENSURE_MAX);
    this.leaseTimer = this.sim.schedule(this.ensureSleep, onEnsureTimer, this);
  }

  private scheduleNextSync(): void {
    const wait = LEASE_RENEW_INTERVAL * (1 + LEASE_JITTER * this.owner.random.next());
    this.leaseTimer = this.sim.schedule(wait, onLeaseTimer, this);
  }

  /** kubelet OnHeartbeatFailure = closeAllConns: every watch of the process ends at once. */
  private closeAllConns(): void {
    this.closeAllConnsCalls += this.size;
    for (const inf of this.informers) inf.interrupt();
  }

  // ----- node status ----------------------------------------------------------------------------

  postStatus(): void {
    this.statusTimer = -1;
    if (!this.isRunning) return;
    this.statusAttempt = 0;
    this.heartbeat.callTo(this.statusGet, this, STATUS_GET);
  }

  private statusGetDone(o: ApiOutcome): void {
    if (!this.isRunning) return;
    if (o.kind !== 'ok') {
      this.statusFailed();
      return;
    }
    this.heartbeat.callTo(this.statusPatch, this, STATUS_PATCH);
  }

  private statusPatchDone(o: ApiOutcome): void {
    if (!this.isRunning) return;
    if (o.kind === 'ok') {
      this.statusTimer = this.sim.schedule(
        NODE_STATUS_REPORT * (1 + LEASE_JITTER * this.owner.random.next()),
        onStatusTimer,
        this,
      );
      return;
    }
    this.statusFailed();
  }

  private statusFailed(): void {
    if (this.statusAttempt > 0) this.closeAllConns();
    this.statusAttempt++;
    if (this.statusAttempt < NODE_STATUS_RETRIES) {
      this.heartbeat.callTo(this.statusGet, this, STATUS_GET);
      return;
    }
    this.statusTimer = this.sim.schedule(NODE_STATUS_UPDATE, onStatusTimer, this);
  }
}

/** Every node block of a cluster. */
export class NodeAgents implements Component {
  readonly id = 'kubelets';
  readonly blocks: NodeBlock[] = [];
  readonly random;

  constructor(
    private readonly sim: Simulation,
    readonly options: NodeAgentsOptions,
  ) {
    this.random = sim.random(`${options.cluster}/kubelets`);
  }

  /** Makes the blocks cover `nodes` nodes, starting new ones (cold) and stopping removed ones. */
  resize(nodes: number, warm: boolean): void {
    const size = this.options.blockSize;
    const needed = Math.ceil(nodes / size);
    for (let b = 0; b < needed; b++) {
      const first = b * size;
      const count = Math.min(size, nodes - first);
      let block = this.blocks[b];
      if (block !== undefined && block.size !== count) {
        // A partial last block changed size: replace it.
        if (block.isRunning) block.stop();
        block = undefined;
      }
      if (block === undefined) {
        block = new NodeBlock(this.sim, this, b, first, count);
        this.blocks[b] = block;
      }
      if (!block.isRunning) block.start(warm);
    }
    for (let b = needed; b < this.blocks.length; b++) {
      const block = this.blocks[b]!;
      if (block.isRunning) block.stop();
    }
  }

  get running(): number {
    let n = 0;
    for (const b of this.blocks) if (b.isRunning) n += b.size;
    return n;
  }

  metrics(): readonly MetricDeclaration[] {
    let lastFailures = 0;
    let failureRate = 0;
    let lastAt = this.sim.now;
    return [
      {
        name: 'kubelet_node_lease_update_failures',
        unit: 'requests/s',
        help: 'Failed kubelet lease update attempts per second (after client retries), sampling window',
        read: () => {
          let total = 0;
          for (const b of this.blocks) total += b.leaseFailures;
          const dt = this.sim.now - lastAt;
          failureRate = dt > 0 ? (total - lastFailures) / dt : 0;
          lastFailures = total;
          lastAt = this.sim.now;
          return failureRate;
        },
      },
    ];
  }

  parameters(): readonly ParameterDeclaration[] {
    return NODE_PARAMETERS;
  }
}
