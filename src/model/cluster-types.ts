/**
 * The contract of one simulated cluster, as the data plane, the fleet (rollout, response) and the
 * scenario layer see it. Implemented by src/model/cluster.ts.
 */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import type { ApiCallback, ApiEndpoint, Identity } from './api-types.js';
import type { Component, EventLog } from './component.js';
import type { ClusterConfig, WorkloadConfig } from './config.js';
import type { ClusterSummary } from './result.js';

export interface NodeView {
  /** Nodes that exist now (scaling changes it). */
  readonly count: number;
  /** Nodes the node-lifecycle controller currently considers Ready (its view, through its informer). */
  readonly readyCount: number;
  isReady(node: number): boolean;
  /** Called when the controller marks a node NotReady/Unknown (ready=false) or Ready again. */
  onReadyChange(listener: (node: number, ready: boolean) => void): void;
}

/** A point-in-time view of control-plane health, for gates, alerts and the data plane. */
export interface ControlPlaneHealth {
  /** Fraction of client requests in the last window that failed (429, 5xx, unreachable). */
  readonly errorFraction: number;
  /** p99 latency over the last window as clients see it, seconds. */
  readonly clientP99: number;
  readonly replicasUp: number;
  readonly isSaturated: boolean;
}

export interface ClusterHandle {
  readonly config: ClusterConfig;
  readonly api: ApiEndpoint;
  readonly nodes: NodeView;
  readonly log: EventLog;
  health(): ControlPlaneHealth;
  components(): readonly Component[];
  /** Registers a component created outside the cluster (data plane) so its metrics are recorded. */
  addComponent(component: Component): void;

  /** Creates a workload in the cluster now; a DaemonSet's pods start at the DaemonSet controller's pace. */
  deployWorkload(workload: WorkloadConfig): void;
  /** A request through the API (kubectl delete/rollout undo) as `identity`; done() gets the outcome. */
  removeWorkloadViaApi(name: string, identity: Identity, done: ApiCallback): void;
  /** Pods of the workload still running on nodes (0 once it is gone or never existed). */
  workloadRunningPods(name: string): number;
  /** Node-local kill switch, no API server needed: stops the workload's pods, `nodesPerSecond` at a time. */
  killWorkloadOnNodes(name: string, nodesPerSecond: number): void;
  /** Scales the node pools to `nodes` (scaling down removes nodes and their agents). */
  scaleNodes(nodes: number): void;
  /** Called after every scaleNodes that changed the node count. */
  onNodesScaled(listener: (from: number, to: number) => void): void;
  /** Adds or removes API-server replicas; new ones start after `provisioningDelay` with empty caches. */
  scaleApiServers(replicas: number, provisioningDelay: number): void;
  /** Blocks (or unblocks) network access to the API for a client class ("agent", "kubelet", "operator"...). */
  setClientClassBlocked(clientClass: string, blocked: boolean): void;
  /** Applies APF objects through the API as an exempt identity (system:masters). */
  applyApfObjects(
    flowSchemas: readonly FlowSchema[],
    priorityLevels: readonly PriorityLevelConfiguration[],
    done: ApiCallback,
  ): void;
  /** Makes every replica unreachable for `duration` seconds (fault injection / game day). */
  injectApiOutage(duration: number): void;
  summary(): ClusterSummary;
}
