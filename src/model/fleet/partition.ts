/**
 * The fleet's view of its clusters, for a fleet split into partitions that run apart (one per worker
 * thread) and exchange what they need once per window of cluster time.
 *
 * The fleet's own logic (rollout, playbook, balancer, node start-up) runs in every partition, as the
 * same replica: it reads clusters only through ClusterProxy, whose state is the snapshot the clusters
 * wrote at the last barrier (every second), and it hears back from clusters (API call outcomes,
 * detection) only at a barrier, in a fixed order. Its commands (deploy, delete, scale, block) and
 * what clusters read of it (traffic share, serving capacity) reach a cluster COMMAND_LATENCY_SECONDS
 * after the decision, in the partition that owns the cluster and nowhere else. That latency is the
 * lookahead: each cluster runs a whole window on its own, and the fleet follows through the same
 * window with every barrier's rows in hand. A window is one latency long, or longer (up to
 * MAX_WINDOW_SECONDS) while the fleet provably cannot act: its horizon (fleet.ts); a cluster that the
 * fleet's node start-up cannot reach runs on to the horizon of the fleet's other timers, and its rows
 * wait for the exchanges they belong to. So every replica of the fleet logic makes the same decisions
 * at the same instants, each cluster sees exactly the events it would see in a single partition with
 * fixed windows, and the result does not depend on how many partitions there are or how long the
 * windows were (tested).
 */
import type { ApiCallback, ApiEndpoint, ApiOutcome, ApiRequest, Identity } from '../api-types.js';
import type { ClusterHandle, ControlPlaneHealth, NodeView } from '../cluster-types.js';
import type { EventLog, ParameterDeclaration } from '../component.js';
import type { ClusterConfig, WorkloadConfig } from '../config.js';
import type { DataPlane } from '../dataplane/index.js';

/** Seconds between barriers: how stale the fleet's view of a cluster may be (docs/decisions.md). */
export const BARRIER_SECONDS = 1;

/**
 * Seconds from a fleet decision (a pipeline's deploy, an operator's command, a balancer change) to
 * its effect in the cluster. It is also the lookahead that lets each cluster run this long on its own
 * between exchanges with the fleet: nothing the fleet decides can reach a cluster sooner (fitted:
 * docs/decisions.md).
 */
export const COMMAND_LATENCY_SECONDS = 10;

/**
 * The longest window of cluster time between two exchanges, seconds. A window is one command latency
 * long unless the fleet cannot act sooner than that (its horizon: createFleetPartition); then it runs
 * up to the horizon plus a command latency, at most this long. Past about a minute, the clusters'
 * state coming back into the CPU caches once per window costs little (bench quiet), and each barrier
 * of a window is a row in the exchange (docs/decisions.md).
 */
export const MAX_WINDOW_SECONDS = 120;

/** Barriers in the longest window: the rows one exchange can carry per cluster. */
const MAX_BARRIERS_PER_WINDOW = MAX_WINDOW_SECONDS / BARRIER_SECONDS;

// Snapshot layout: one row of numbers per cluster.
const REPLICAS_UP = 0;
const ERROR_FRACTION = 1;
const CLIENT_P99 = 2;
const IS_SATURATED = 3;
const AVAILABILITY = 4;
const SERVFAIL = 5;
const NODE_COUNT = 6;
const ALERT_FIRING = 7;
const FIXED_FIELDS = 8;

/** Numbers per cluster in a snapshot, given the workloads whose running pods the fleet follows. */
export const snapshotFields = (workloads: number): number => FIXED_FIELDS + workloads;

/** Numbers in the longest exchange: every cluster's row at each barrier of the longest window. */
export const windowRowsLength = (clusters: number, workloads: number): number =>
  MAX_BARRIERS_PER_WINDOW * clusters * snapshotFields(workloads);

/** What a cluster's owner sends at a barrier besides the snapshot rows. */
export type FleetMessage =
  /** An API call the fleet made answered (at `t`, in the owning partition). */
  | { readonly kind: 'outcome'; readonly id: number; readonly t: number; readonly outcome: ApiOutcome }
  /** An alert fired at `t`. */
  | { readonly kind: 'firing'; readonly id: -1; readonly t: number };

/** The order every partition delivers a barrier's messages in: by time, then by call id. */
export const messageOrder = (a: FleetMessage, b: FleetMessage): number => a.t - b.t || a.id - b.id;

/** Fills a cluster's row of the snapshot (the owner does this at every barrier). */
export function captureCluster(
  row: Float64Array,
  at: number,
  cluster: ClusterHandle,
  dataPlane: DataPlane,
  isAlertFiring: boolean,
  workloads: readonly string[],
): void {
  const h = cluster.health();
  row[at + REPLICAS_UP] = h.replicasUp;
  row[at + ERROR_FRACTION] = h.errorFraction;
  row[at + CLIENT_P99] = h.clientP99;
  row[at + IS_SATURATED] = h.isSaturated ? 1 : 0;
  row[at + AVAILABILITY] = dataPlane.availability();
  row[at + SERVFAIL] = dataPlane.servfailFraction();
  row[at + NODE_COUNT] = cluster.nodes.count;
  row[at + ALERT_FIRING] = isAlertFiring ? 1 : 0;
  for (let w = 0; w < workloads.length; w++)
    row[at + FIXED_FIELDS + w] = cluster.workloadRunningPods(workloads[w]!);
}

/** Callbacks of the fleet's API calls, by call id; ids come from the replicated fleet logic. */
export class CallRegistry {
  private nextId = 0;
  private readonly pending = new Map<number, ApiCallback>();

  /** Calls not answered yet. */
  get pendingCount(): number {
    return this.pending.size;
  }

  register(done: ApiCallback): number {
    const id = this.nextId++;
    this.pending.set(id, done);
    return id;
  }

  /** Runs the callback of call `id` (once). */
  deliver(id: number, outcome: ApiOutcome): void {
    const done = this.pending.get(id);
    if (done === undefined) return;
    this.pending.delete(id);
    done(outcome);
  }
}

const notForFleet = (what: string): Error =>
  new Error(`fleet logic reads clusters through their barrier snapshot; ${what} is not part of it`);

/**
 * A cluster as the fleet logic sees it: reads come from the last barrier's snapshot, commands reach
 * the real cluster COMMAND_LATENCY_SECONDS later when this partition owns it, and call outcomes come
 * back at a barrier.
 */
export class ClusterProxy implements ClusterHandle {
  readonly api: ApiEndpoint;
  readonly nodes: NodeView;
  private snapshot: Float64Array = new Float64Array(0);
  private at = 0;
  private nodeCount: number;
  private readonly healthView = { errorFraction: 0, clientP99: 0, replicasUp: 0, isSaturated: false };
  private readonly scaledListeners: ((from: number, to: number) => void)[] = [];

  constructor(
    readonly config: ClusterConfig,
    readonly index: number,
    /** The real cluster when this partition owns it, else null. */
    private readonly owned: ClusterHandle | null,
    /** Runs a command on the owned cluster's clock, COMMAND_LATENCY_SECONDS after the fleet's now. */
    private readonly deliver: (command: () => void) => void,
    private readonly calls: CallRegistry,
    /** Where an owned cluster's answers to the fleet's calls go until the next barrier. */
    private readonly outbox: FleetMessage[],
    /** The owned cluster's clock (its answers carry it). */
    private readonly now: () => number,
    private readonly workloads: readonly string[],
    readonly log: EventLog,
  ) {
    this.nodeCount = config.nodes;
    const self = this;
    this.api = {
      submit(request: ApiRequest, done: ApiCallback) {
        const id = self.calls.register(done);
        self.command((c) => c.api.submit(request, self.answer(id)));
      },
      watch() {
        throw notForFleet('a watch');
      },
      isReachable() {
        throw notForFleet('isReachable');
      },
    };
    this.nodes = {
      get count() {
        return self.nodeCount;
      },
      get readyCount(): number {
        throw notForFleet('readyCount');
      },
      isReady() {
        throw notForFleet('isReady');
      },
      onReadyChange() {
        throw notForFleet('onReadyChange');
      },
    };
  }

  /** Points the proxy at this barrier's snapshot. */
  update(snapshot: Float64Array, fields: number): void {
    this.snapshot = snapshot;
    this.at = this.index * fields;
    const s = snapshot;
    const at = this.at;
    this.healthView.replicasUp = s[at + REPLICAS_UP]!;
    this.healthView.errorFraction = s[at + ERROR_FRACTION]!;
    this.healthView.clientP99 = s[at + CLIENT_P99]!;
    this.healthView.isSaturated = s[at + IS_SATURATED] === 1;
    this.nodeCount = s[at + NODE_COUNT]!;
  }

  private command(run: (cluster: ClusterHandle) => void): void {
    const cluster = this.owned;
    if (cluster !== null) this.deliver(() => run(cluster));
  }

  private answer(id: number): ApiCallback {
    return (outcome) => this.outbox.push({ kind: 'outcome', id, t: this.now(), outcome });
  }

  health(): ControlPlaneHealth {
    return this.healthView;
  }
  availability(): number {
    return this.snapshot[this.at + AVAILABILITY]!;
  }
  servfailFraction(): number {
    return this.snapshot[this.at + SERVFAIL]!;
  }
  isAlertFiring(): boolean {
    return this.snapshot[this.at + ALERT_FIRING] === 1;
  }
  workloadRunningPods(name: string): number {
    const w = this.workloads.indexOf(name);
    return w < 0 ? 0 : this.snapshot[this.at + FIXED_FIELDS + w]!;
  }

  deployWorkload(workload: WorkloadConfig): void {
    this.command((c) => c.deployWorkload(workload));
  }
  removeWorkloadViaApi(name: string, identity: Identity, done: ApiCallback): void {
    const id = this.calls.register(done);
    this.command((c) => c.removeWorkloadViaApi(name, identity, this.answer(id)));
  }
  killWorkloadOnNodes(name: string, nodesPerSecond: number): void {
    this.command((c) => c.killWorkloadOnNodes(name, nodesPerSecond));
  }
  scaleNodes(nodes: number): void {
    // The same rule as the cluster's own (cluster.ts), so every partition agrees on the count.
    const target = Math.max(0, Math.round(nodes));
    if (target === this.nodeCount) return;
    const from = this.nodeCount;
    this.nodeCount = target;
    this.command((c) => c.scaleNodes(nodes));
    for (const l of this.scaledListeners) l(from, target);
  }
  onNodesScaled(listener: (from: number, to: number) => void): void {
    this.scaledListeners.push(listener);
  }
  scaleApiServers(replicas: number, provisioningDelay: number): void {
    this.command((c) => c.scaleApiServers(replicas, provisioningDelay));
  }
  setClientClassBlocked(clientClass: string, blocked: boolean): void {
    this.command((c) => c.setClientClassBlocked(clientClass, blocked));
  }
  applyApfObjects(
    flowSchemas: Parameters<ClusterHandle['applyApfObjects']>[0],
    priorityLevels: Parameters<ClusterHandle['applyApfObjects']>[1],
    done: ApiCallback,
  ): void {
    const id = this.calls.register(done);
    this.command((c) => c.applyApfObjects(flowSchemas, priorityLevels, this.answer(id)));
  }

  components(): never {
    throw notForFleet('components()');
  }
  addComponent(): never {
    throw notForFleet('addComponent()');
  }
  injectApiOutage(): never {
    throw notForFleet('injectApiOutage()');
  }
  summary(): never {
    throw notForFleet('summary()');
  }
}

export const PARTITION_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'fleet.barrierInterval',
    value: BARRIER_SECONDS,
    unit: 'seconds',
    source:
      'stormglass: the fleet logic (rollout, playbook, balancer) sees clusters as of the last barrier, and hears API answers and alerts there (docs/decisions.md)',
  },
  {
    name: 'fleet.commandLatency',
    value: COMMAND_LATENCY_SECONDS,
    unit: 'seconds',
    source:
      "fitted: a pipeline sync, an operator's kubectl or cloud CLI call, a global balancer's weight change take seconds to tens of seconds to act in a cluster; also how far a cluster runs ahead of the fleet (docs/decisions.md)",
  },
];
