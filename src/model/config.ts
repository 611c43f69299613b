/**
 * The resolved configuration the model is built from. The scenario layer turns YAML (with its
 * units, defaults and manifests) into these plain values; the model never parses anything.
 * All durations are seconds, all sizes bytes, all CPU in cores.
 */
import type { FlowSchema, PriorityLevelConfiguration } from 'kubernetes-types/flowcontrol/v1.d.ts';
import type { ResourceVersionMode, Scope, Verb } from './api-types.js';

export interface ApiServerConfig {
  readonly replicas: number;
  /** CPU cores per replica. */
  readonly cores: number;
  /** Memory limit per replica, bytes; past it the replica is OOM-killed. */
  readonly memoryBytes: number;
  /** --max-requests-inflight (apiserver pkg/server/config.go, default 400). */
  readonly maxRequestsInflight: number;
  /** --max-mutating-requests-inflight (default 200). */
  readonly maxMutatingRequestsInflight: number;
  /** --request-timeout, seconds (default 60). */
  readonly requestTimeout: number;
  /** --enable-priority-and-fairness (default true); false selects the legacy max-in-flight filter. */
  readonly enablePriorityAndFairness: boolean;
  /** Seconds from OOM kill until the process serves again (fitted). */
  readonly restartDelay: number;
  /**
   * Feature gates that change the model (ConsistentListFromCache, ResilientWatchCacheInitialization,
   * WatchList, SizeBasedListCostEstimate), resolved by the scenario layer from the cluster's
   * Kubernetes version and the scenario's overrides. Absent: derive from kubernetesVersion.
   */
  readonly featureGates?: Readonly<Record<string, boolean>>;
}

export interface EtcdConfig {
  readonly members: number;
  /** CPU cores per member available to serve ranges. */
  readonly cores: number;
  /** Write commit latency floor, seconds (fsync + RTT). */
  readonly writeLatencyFloor: number;
}

export interface ClientRateConfig {
  readonly qps: number;
  readonly burst: number;
  /** rest.Config.Timeout in seconds; 0 = none (server deadline applies). */
  readonly timeout: number;
}

export interface AccessProfile {
  readonly name: string;
  readonly verb: Verb;
  readonly resource: string;
  readonly apiGroup: string;
  readonly scope: Scope;
  readonly rv: ResourceVersionMode;
  readonly labelSelector: boolean;
  readonly fieldSelector: boolean;
  /** Objects a call returns, as an expression of cluster shape: fixed, per node, or all. */
  readonly returns:
    | { readonly kind: 'fixed'; readonly objects: number }
    | { readonly kind: 'per-node' }
    | { readonly kind: 'all' };
  readonly limit: number;
  /** 'poll' repeats the call every period; 'watch' is an informer (list, then watch, relist on break). */
  readonly mode: 'poll' | 'watch';
  /** Seconds between calls (poll) or 0. */
  readonly period: number;
  /** client-go wait.Jitter factor: the wait is period * (1 + jitter * U[0,1)). */
  readonly jitter: number;
  readonly client: ClientRateConfig;
}

export interface WorkloadIdentity {
  readonly serviceAccount: string;
  readonly namespace: string;
}

export interface WorkloadConfig {
  readonly name: string;
  readonly kind: 'DaemonSet' | 'Deployment';
  /** Deployment replicas; DaemonSets run one pod per node. */
  readonly replicas: number;
  readonly identity: WorkloadIdentity;
  readonly accessProfiles: readonly AccessProfile[];
  /** When the workload is created in the cluster, seconds (the rollout may set this instead). */
  readonly startAt: number | null;
  /** DaemonSet controller pacing: slow-start batches 1, 2, 4 ... (kube-controller-manager). */
  readonly rollout: {
    readonly maxUnavailable: number;
    readonly podStartSeconds: number;
    /**
     * Set when the manifest gives maxUnavailable as a percentage: it then applies to the number of
     * nodes, rounded up (apps/daemon/update.go), and `maxUnavailable` holds 1.
     */
    readonly maxUnavailablePercent?: number;
  };
  /** Agent restarts on liveness failure when its API calls keep failing (amplifies relists). */
  readonly restartOnApiFailure: boolean;
  /** Names of the clusters the workload exists in (the scenario layer always sets it); absent = all. */
  readonly clusters?: readonly string[];
}

export interface CoreDnsConfig {
  /** Fixed replicas, or the cluster-proportional autoscaler's linear rule. */
  readonly replicas:
    | { readonly kind: 'fixed'; readonly count: number }
    | {
        readonly kind: 'autoscale';
        readonly nodesPerReplica: number;
        readonly coresPerReplica: number;
        readonly min: number;
        /** Allocatable cores per node the autoscaler counts (data plane default 16). */
        readonly coresPerNode?: number;
      };
  /** kubernetes plugin record TTL, seconds (plugin default 5, kubeadm 30). */
  readonly recordTtl: number;
  readonly cache: {
    readonly enabled: boolean;
    readonly successTtl: number;
    readonly denialTtl: number;
    readonly capacity: number;
    readonly prefetch: number;
    /** serve_stale DURATION, seconds, or null when off. */
    readonly serveStale: { readonly duration: number; readonly mode: 'immediate' | 'verify' } | null;
    readonly servfailTtl: number;
  };
  /** Queries per second one replica answers before it queues. */
  readonly qpsPerReplica: number;
  /**
   * Memory limit per replica, bytes; 'scaling-guide' sizes it by the CoreDNS scaling guide's formula
   * for this cluster's pods and services (Scaling_CoreDNS.md), as an operator following it would.
   */
  readonly memoryLimitBytes: number | 'scaling-guide';
  /**
   * Ordinary container restarts per replica per hour (crash, OOM, node pressure), in place: same pod
   * and IP, but the new process must re-sync its informers through the API. Default 0.
   */
  readonly restartsPerReplicaHour?: number;
  /** Pod replacements per replica per hour (evictions, node loss): new pod and IP, created through the API. Default 0. */
  readonly churnPerPodHour?: number;
}

export interface NodeLocalDnsConfig {
  readonly enabled: boolean;
  readonly successTtl: number;
  readonly denialTtl: number;
  /** serve_stale DURATION (seconds) and REFRESH_MODE (default immediate), or null when off. */
  readonly serveStale: { readonly duration: number; readonly mode?: 'immediate' | 'verify' } | null;
}

export interface ResolverConfig {
  readonly ndots: number;
  readonly timeout: number;
  readonly attempts: number;
  readonly searchDomains: number;
}

export interface ServiceConfig {
  readonly name: string;
  readonly replicas: number;
  /** Requests per second the service receives from users (0 for internal-only). */
  readonly userRps: number;
  /** Service names this one calls per request. */
  readonly dependsOn: readonly string[];
  /** Application-level DNS caching: none (glibc/musl/Go/Node), jvm (30 s), or pooled connections. */
  readonly dnsCache: 'none' | 'jvm' | 'connection-pool';
  /** Pod restarts per pod per hour in ordinary operation (crash loops, evictions, deploys). */
  readonly churnPerPodHour: number;
  /** Namespace (default "default"): decides which search domain answers a caller's name. */
  readonly namespace?: string;
  /** Headless Service: DNS answers carry pod IPs from CoreDNS's view; no ClusterIP / kube-proxy hop. */
  readonly headless?: boolean;
  /** In-place container restarts per pod per hour (same IP, refused while down). Default 0. */
  readonly restartsPerPodHour?: number;
  /**
   * Clients reach this service over long-lived pooled connections (datastores, caches, brokers),
   * whatever their own dnsCache: a dead endpoint costs a re-dial, DNS is asked when connections renew.
   */
  readonly pooled?: boolean;
}

export interface DataPlaneConfig {
  readonly coreDns: CoreDnsConfig;
  readonly nodeLocal: NodeLocalDnsConfig;
  readonly resolver: ResolverConfig;
  readonly services: readonly ServiceConfig[];
  /**
   * Share of ordinary pod replacements that the API initiates (rollouts, API evictions, scale-downs);
   * they pause while the API is unreachable. The rest (kubelet evictions, node loss) go on. Default 0.75.
   */
  readonly apiInitiatedChurnFraction?: number;
  /** Attempts per call when a connection fails (client or proxy retry on a new connection). Default 2. */
  readonly requestAttempts?: number;
  /** Lifetime of pooled connections of 'connection-pool' apps, seconds. Default 300. */
  readonly connectionLifetime?: number;
  /** DNS traffic of pods outside the service graph (load on CoreDNS). */
  readonly background?: { readonly namesPerNode: number; readonly lookupsPerNameSecond: number };
  /** Services in the cluster (sizes CoreDNS's LISTs and memory). Default 1.64 per node. */
  readonly clusterServices?: number;
}

export interface ClusterConfig {
  readonly name: string;
  readonly region: string;
  readonly zones: number;
  readonly nodes: number;
  readonly podsPerNode: number;
  /** "1.30", "1.31": selects version rules (consistent reads from cache, grace periods). */
  readonly kubernetesVersion: string;
  readonly apiServer: ApiServerConfig;
  readonly etcd: EtcdConfig;
  /** User FlowSchemas / PriorityLevelConfigurations, applied over the bootstrap set. */
  readonly flowSchemas: readonly FlowSchema[];
  readonly priorityLevels: readonly PriorityLevelConfiguration[];
  readonly dataPlane: DataPlaneConfig;
  /** Share of fleet user traffic this cluster serves (the global balancer's weight). */
  readonly trafficWeight: number;
  /** User labels (rollout waves select by them); absent = none. */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * 'exact': every client request simulated; 'aggregate': identical clients grouped into cohorts
   * (differential-tested against exact).
   */
  readonly fidelity: 'exact' | 'aggregate';
  /** What a node added by a scale-up needs before it serves (default: serves at once). */
  readonly nodeStartup?: NodeStartupConfig;
}

/** A node added by a scale-up boots, then pulls its pods' images from the region's registry. */
export interface NodeStartupConfig {
  /** From the cloud accepting a scale-up to the kubelet starting, seconds. */
  readonly provisioningSeconds: number;
  /** Image bytes a new node pulls before all its pods serve. */
  readonly imageBytes: number;
  /** One node's download rate cap, bytes/s. */
  readonly nodeBytesPerSecond: number;
}

/** A scheduled fault injected into one cluster (game days, tests). */
export type Fault =
  | {
      readonly kind: 'apiserver-unreachable';
      readonly cluster: string;
      readonly at: number;
      readonly duration: number;
    }
  | { readonly kind: 'coredns-restart'; readonly cluster: string; readonly at: number };
