/**
 * The contract between API clients (kubelets, controllers, agents, CoreDNS, operators) and the
 * API-server model. Everything that talks to a cluster's control plane goes through `ApiEndpoint`.
 */
import type { Seconds } from '../engine/index.js';

export type Verb = 'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete';
export type Scope = 'resource' | 'namespace' | 'cluster';

/** resourceVersion semantics of a LIST (k8s-mechanics §3.1). */
export type ResourceVersionMode = 'consistent' /* RV="" */ | 'any' /* RV="0" */ | 'exact' | 'continue';

export interface Identity {
  /** e.g. "system:node:node-17", "system:serviceaccount:telemetry:collector". */
  readonly user: string;
  readonly groups: readonly string[];
  /** Namespace of a service account, if the identity is one. */
  readonly namespace?: string;
  /** Client class used by operator actions that block traffic ("agent", "kubelet", ...). */
  readonly clientClass: string;
}

export interface ApiRequest {
  readonly verb: Verb;
  /** Plural resource, e.g. "pods", "leases", "endpointslices", "nodes". */
  readonly resource: string;
  readonly apiGroup: string;
  readonly scope: Scope;
  readonly namespace?: string;
  readonly identity: Identity;
  readonly rv?: ResourceVersionMode;
  readonly hasLabelSelector?: boolean;
  readonly hasFieldSelector?: boolean;
  /** Expected matching objects the LIST returns (e.g. ~30 pods for "pods on my node"). */
  readonly expectedReturned?: number;
  /** Page size (`limit`), 0/undefined = none. */
  readonly limit?: number;
  /** Server deadline in seconds: min(?timeout=, --request-timeout). */
  readonly timeout?: Seconds;
  /**
   * Cohort size: one simulated request standing for `count` identical client requests that
   * arrive together (aggregated streams). 1 on the exact path.
   */
  readonly count?: number;
}

export type RejectReason = 'queue-full' | 'time-out' | 'concurrency-limit' | 'cancelled';

export type ApiOutcome =
  | {
      readonly kind: 'ok';
      readonly status: 200 | 201;
      readonly latency: Seconds;
      readonly servedFrom?: 'cache' | 'etcd';
    }
  | {
      readonly kind: 'throttled';
      readonly status: 429;
      readonly latency: Seconds;
      readonly retryAfter: Seconds;
      readonly reason: RejectReason | 'initializing';
    }
  | { readonly kind: 'timeout'; readonly status: 504; readonly latency: Seconds }
  /** Connection refused/reset: replica down or killed mid-request, or blocked by the network. */
  | { readonly kind: 'unreachable'; readonly status: 0; readonly latency: Seconds }
  | { readonly kind: 'gone'; readonly status: 410; readonly latency: Seconds };

export type ApiCallback = (outcome: ApiOutcome) => void;

export interface WatchHandle {
  readonly isOpen: boolean;
  close(): void;
}

export interface WatchHandlers {
  /** The watch broke (replica restart, timeout, slow watcher, 410); the client decides to re-watch or relist. */
  onClosed(reason: 'timeout' | 'replica-restart' | 'too-old' | 'unreachable' | 'throttled'): void;
}

/** The load-balanced front of a cluster's API servers. */
export interface ApiEndpoint {
  submit(request: ApiRequest, done: ApiCallback): void;
  /** Opens a watch (after a successful LIST); admission goes through APF like any request. */
  watch(request: ApiRequest, handlers: WatchHandlers, opened: ApiCallback): WatchHandle;
  /** True while at least one replica is up and the network path for this client class is open. */
  isReachable(clientClass: string): boolean;
}
