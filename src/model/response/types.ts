/**
 * Incident response as scenario input: a playbook of operator actions with decision delays,
 * durations, prerequisites and a limited number of hands. Times are seconds.
 */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';

/** What starts an action: detection (first alert in the fleet), customer impact, or another action finishing. */
export type ResponseTrigger =
  | { readonly after: 'detection' }
  | { readonly after: 'customer-impact' }
  | { readonly after: 'action'; readonly action: string }
  | { readonly after: 'start' };

export type ResponseActionSpec =
  /** kubectl delete / rollout undo of the workload through the cluster's API server. */
  | { readonly kind: 'kubectl-rollback'; readonly workload: string }
  /** Scale node pools to `fraction` of their current size (cloud API; removes nodes and their agents). */
  | { readonly kind: 'scale-nodes'; readonly fraction: number }
  /** Restore node pools to their original size. */
  | { readonly kind: 'restore-nodes' }
  /** Network deny (or allow) from a client class to the API endpoint (cloud firewall, no Kubernetes API). */
  | { readonly kind: 'block-client-class'; readonly clientClass: string; readonly blocked: boolean }
  /** Add API-server replicas (provisioning delay; new replicas start with empty caches). */
  | { readonly kind: 'scale-apiservers'; readonly replicas: number; readonly provisioningDelay: number }
  /** Apply a quarantine FlowSchema/PLC as an exempt identity. */
  | {
      readonly kind: 'apply-apf';
      readonly flowSchemas: readonly FlowSchema[];
      readonly priorityLevels: readonly PriorityLevelConfiguration[];
    }
  /** Node-local kill switch reached over SSH/SSM, no API server: `nodesPerSecond` per cluster. */
  | { readonly kind: 'kill-switch'; readonly workload: string; readonly nodesPerSecond: number }
  /** Move user traffic away from the targeted clusters to healthy ones (global balancer). */
  | { readonly kind: 'shift-traffic'; readonly away: boolean };

export interface ResponseAction {
  readonly id: string;
  readonly trigger: ResponseTrigger;
  /** Time to decide and start, after the trigger (fitted human delay). */
  readonly decisionDelay: number;
  /** Hands-on time per cluster during which an operator is busy. */
  readonly duration: number;
  /**
   * Which clusters: those showing trouble when the action starts (affected), those whose customers
   * see impact then (impacted), all, or by name.
   */
  readonly clusters: 'affected' | 'impacted' | 'all' | readonly string[];
  /** Wait until the cluster's API answers a probe before acting (polling every `retryEvery`). */
  readonly requiresApi: boolean;
  /** For actions through the API: wait between failed attempts, seconds. */
  readonly retryEvery: number;
  /** Give up after this many attempts per cluster. */
  readonly maxAttempts: number;
  /** Uses an operator's hands (limited by `operators`); automation does not. */
  readonly manual: boolean;
  readonly spec: ResponseActionSpec;
}

export interface ResponseConfig {
  /** Engineers working clusters in parallel (fitted). */
  readonly operators: number;
  readonly actions: readonly ResponseAction[];
}
