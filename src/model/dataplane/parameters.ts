/**
 * Constants of the data-plane model, each with its unit and source (k8s-mechanics.md section in
 * brackets). Scenario-level knobs live in DataPlaneConfig; these are the mechanisms' own clocks and
 * sizes. Fitted values say why in `fitted`.
 */
import type { ParameterDeclaration } from '../component.js';

// --- CoreDNS process -----------------------------------------------------------------------------

/** kubernetes plugin: serving waits up to 5 s for the informers to sync, then answers SERVFAIL for cluster names (§7.2). */
export const COREDNS_STARTUP_SYNC_WAIT = 5;
/** kubeadm CoreDNS Deployment liveness /health: initialDelaySeconds 60 (§7.1). */
export const COREDNS_LIVENESS_INITIAL_DELAY = 60;
/** Probe period: periodSeconds is unset in the kubeadm manifest, so the API default 10 s applies. */
export const COREDNS_LIVENESS_PERIOD = 10;
/** kubeadm liveness timeoutSeconds 5 (§7.1). */
export const COREDNS_LIVENESS_TIMEOUT = 5;
/** kubeadm liveness failureThreshold 5 (§7.1). */
export const COREDNS_LIVENESS_FAILURES = 5;
/** Scaling_CoreDNS.md: the formula's whole constant, MB (memory a replica needs at any size). */
export const COREDNS_MEMORY_GUIDE_CONSTANT_MB = 49.1;
/** Scaling_CoreDNS.md: MB = (pods + services) * 0.000858 + 49.1, default settings. */
export const COREDNS_MEMORY_MB_PER_OBJECT = 0.000858;
/** The formula's constant, less the 30 MB full cache and 5 MB query buffer modelled separately below. */
export const COREDNS_MEMORY_BASE_BYTES = (COREDNS_MEMORY_GUIDE_CONSTANT_MB - 30 - 5) * 1e6;
/**
 * client-go reflector relist: list() decodes the whole LIST, then syncWith -> store.Replace queues the
 * new objects while the indexer still holds the previous ones until the deltas are processed, so a
 * relist holds two copies of that informer's objects at its peak (a first LIST holds one).
 */
export const INFORMER_RELIST_COPIES = 2;
/** Scaling_CoreDNS.md: a full 10,000-entry cache uses about 30 MB. */
export const COREDNS_CACHE_BYTES_PER_ENTRY = 3000;
/** coredns.io "Throttling CoreDNS" (2019): 1,000 in-flight queries add ~25 MiB (one goroutine each). */
export const COREDNS_BYTES_PER_INFLIGHT = 25 * 1024;
/** plugin/pkg/proxy/proxy.go readTimeout: a forwarded query unanswered for 2 s is an error. */
export const FORWARD_READ_TIMEOUT = 2;
/**
 * plugin/forward retries connection errors and timeouts on a new connection (a new kube-proxy pick)
 * until its 5 s deadline; dial timeout >= 1 s and read timeout 2 s leave room for about 3 tries.
 */
export const FORWARD_TRIES = 3;
/** kubelet MaxContainerBackOff 300 s and backOffPeriod 10 s: CrashLoopBackOff 10, 20, 40 ... 300 s. */
export const CONTAINER_BACKOFF_BASE = 10;
export const CONTAINER_BACKOFF_MAX = 300;
/** kubelet resets the restart backoff after a container has run 10 minutes (pod-lifecycle docs). */
export const CONTAINER_BACKOFF_RESET = 600;
/** cluster-proportional-autoscaler --poll-period-seconds default 10. */
export const AUTOSCALER_POLL_PERIOD = 10;
/** Allocatable cores per node the autoscaler counts when the config does not say. */
export const AUTOSCALER_DEFAULT_CORES_PER_NODE = 16;
/** cache plugin README: serve_stale DURATION defaults to 1 h (§7.3). */
export const SERVE_STALE_DEFAULT_DURATION = 3600;
/** cache plugin: SERVFAIL is cached 5 s unless `servfail` says otherwise (NodeLocal does not set it) (§7.3). */
export const NODELOCAL_SERVFAIL_TTL = 5;

// --- Pods and endpoints --------------------------------------------------------------------------

/** kubelet PLEG relist period 1 s: a container exit reaches the pod status within about a second. */
export const POD_STATUS_DELAY = 1;
/** endpointslice controller: defaultSyncBackOff 1 s doubling to maxSyncBackOff 1000 s. */
export const ENDPOINTSLICE_BACKOFF_BASE = 1;
export const ENDPOINTSLICE_BACKOFF_MAX = 1000;
/** endpointslice controller endpointSliceChangeMinSyncDelay 1 s (batching of pod changes). */
export const ENDPOINTSLICE_SYNC_DELAY = 1;
/** Pod spec terminationGracePeriodSeconds default 30: an API-deleted pod serves this long after leaving the endpoints. */
export const TERMINATION_GRACE_PERIOD = 30;
/** sig-scalability slos.md: stateless pod startup p99 <= 5 s (no image pull). */
export const POD_START_SECONDS = 5;
/** Time a crashed container stays down before the kubelet restarts it in place: the first backoff step. */
export const CONTAINER_RESTART_SECONDS = CONTAINER_BACKOFF_BASE;
/** Scaling_CoreDNS.md source data: 820 services / 500 nodes, 3,280 / 2,000, 8,200 / 5,000 (e2e perf tests). */
export const SERVICES_PER_NODE = 1.64;

// --- Clients -------------------------------------------------------------------------------------

/** java.security networkaddress.cache.ttl: 30 s without a SecurityManager (§7.6). */
export const JVM_POSITIVE_TTL = 30;
/** java.security networkaddress.cache.negative.ttl: 10 s (§7.6). */
export const JVM_NEGATIVE_TTL = 10;
export const DEFAULT_CONNECTION_LIFETIME = 300;
export const DEFAULT_REQUEST_ATTEMPTS = 2;
export const DEFAULT_API_INITIATED_CHURN_FRACTION = 0.75;
export const DEFAULT_BACKGROUND = { namesPerNode: 20, lookupsPerNameSecond: 1 } as const;

// --- Measurement ---------------------------------------------------------------------------------

/** The model's step: DNS caches, CoreDNS queues and availability advance once per simulated second. */
export const STEP_SECONDS = 1;
/** Window of the instantaneous metrics (availability(), declared metrics): the recorder's resolution. */
export const METRIC_WINDOW_SECONDS = 10;
/** Window of the summary's availability and SERVFAIL figures: one minute, as a dashboard shows it. */
export const SUMMARY_WINDOW_SECONDS = 60;
/** summary.services.impactStartedAt: first summary window below this availability. */
export const IMPACT_THRESHOLD = 0.99;

const K8S = 'k8s-mechanics.md';
export const DATAPLANE_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'coredns.startupSyncWait',
    value: COREDNS_STARTUP_SYNC_WAIT,
    unit: 's',
    source: `coredns plugin/kubernetes/README.md "Startup", kubernetes.go:262-289 (${K8S} §7.2)`,
  },
  {
    name: 'coredns.liveness.initialDelay',
    value: COREDNS_LIVENESS_INITIAL_DELAY,
    unit: 's',
    source: `kubeadm cmd/kubeadm/app/phases/addons/dns/manifests.go (${K8S} §7.1)`,
  },
  {
    name: 'coredns.liveness.period',
    value: COREDNS_LIVENESS_PERIOD,
    unit: 's',
    source: 'core/v1 Probe periodSeconds default (unset in the kubeadm manifest)',
  },
  {
    name: 'coredns.liveness.timeout',
    value: COREDNS_LIVENESS_TIMEOUT,
    unit: 's',
    source: `kubeadm manifests.go timeoutSeconds 5 (${K8S} §7.1)`,
  },
  {
    name: 'coredns.liveness.failureThreshold',
    value: COREDNS_LIVENESS_FAILURES,
    unit: 'probes',
    source: `kubeadm manifests.go failureThreshold 5 (${K8S} §7.1)`,
  },
  {
    name: 'coredns.memory.perObject',
    value: COREDNS_MEMORY_MB_PER_OBJECT * 1e6,
    unit: 'bytes/(pod+service)',
    source:
      'coredns/deployment kubernetes/Scaling_CoreDNS.md memory formula (best fit of 500/2000/5000-node e2e runs)',
  },
  {
    name: 'coredns.memory.relistCopies',
    value: INFORMER_RELIST_COPIES,
    unit: 'copies of the relisted objects',
    source:
      'client-go tools/cache reflector.go list -> syncWith -> DeltaFIFO.Replace: the decoded list and the previous store are both live until the deltas are processed',
  },
  {
    name: 'coredns.memory.base',
    value: COREDNS_MEMORY_BASE_BYTES,
    unit: 'bytes',
    source:
      'Scaling_CoreDNS.md: 49.1 MB constant minus its 30 MB full cache and 5 MB query buffer (modelled separately)',
  },
  {
    name: 'coredns.memory.perCacheEntry',
    value: COREDNS_CACHE_BYTES_PER_ENTRY,
    unit: 'bytes',
    source: 'Scaling_CoreDNS.md: a full 10,000-entry cache uses about 30 MB',
  },
  {
    name: 'coredns.memory.perInflightQuery',
    value: COREDNS_BYTES_PER_INFLIGHT,
    unit: 'bytes',
    source: 'coredns.io blog "Throttling CoreDNS" (2019): throttle 1000 -> +25 MiB over the idle 20 MiB',
  },
  {
    name: 'forward.readTimeout',
    value: FORWARD_READ_TIMEOUT,
    unit: 's',
    source: 'coredns plugin/pkg/proxy/proxy.go readTimeout 2 s',
  },
  {
    name: 'forward.tries',
    value: FORWARD_TRIES,
    unit: 'tries',
    source: 'coredns plugin/forward: retries on a new connection until its 5 s deadline',
    fitted: 'derived, not read: 5 s deadline / (1 s minimum dial timeout .. 2 s read timeout) ~ 3 tries',
  },
  {
    name: 'kubelet.containerBackoff',
    value: `${CONTAINER_BACKOFF_BASE}..${CONTAINER_BACKOFF_MAX}`,
    unit: 's',
    source: 'k/k pkg/kubelet backOffPeriod 10 s, MaxContainerBackOff 300 s; reset after 10 min of running',
  },
  {
    name: 'autoscaler.pollPeriod',
    value: AUTOSCALER_POLL_PERIOD,
    unit: 's',
    source: 'kubernetes-sigs/cluster-proportional-autoscaler --poll-period-seconds default',
  },
  {
    name: 'autoscaler.coresPerNode',
    value: AUTOSCALER_DEFAULT_CORES_PER_NODE,
    unit: 'cores',
    source: 'stormglass default when the scenario does not give node allocatable cores',
    fitted: 'a typical 16-core worker; only the cores/256 term of the linear rule uses it',
  },
  {
    name: 'nodelocal.servfailTtl',
    value: NODELOCAL_SERVFAIL_TTL,
    unit: 's',
    source: `coredns plugin/cache/README.md: servfail defaults to 5 s; nodelocaldns.yaml does not set it (${K8S} §7.3-7.4)`,
  },
  {
    name: 'kubelet.podStatusDelay',
    value: POD_STATUS_DELAY,
    unit: 's',
    source: 'k/k pkg/kubelet/pleg/generic.go relist period 1 s',
  },
  {
    name: 'endpointslice.backoff',
    value: `${ENDPOINTSLICE_BACKOFF_BASE}..${ENDPOINTSLICE_BACKOFF_MAX}`,
    unit: 's',
    source: 'k/k pkg/controller/endpointslice defaultSyncBackOff 1 s, maxSyncBackOff 1000 s',
  },
  {
    name: 'endpointslice.syncDelay',
    value: ENDPOINTSLICE_SYNC_DELAY,
    unit: 's',
    source: 'k/k pkg/controller/endpointslice endpointSliceChangeMinSyncDelay 1 s',
  },
  {
    name: 'pod.terminationGracePeriod',
    value: TERMINATION_GRACE_PERIOD,
    unit: 's',
    source: 'core/v1 PodSpec terminationGracePeriodSeconds default 30',
  },
  {
    name: 'pod.startSeconds',
    value: POD_START_SECONDS,
    unit: 's',
    source: `sig-scalability slos.md pod startup p99 <= 5 s (${K8S} §8)`,
    fitted: 'image pull is not modelled; the SLO bound stands in for start time',
  },
  {
    name: 'pod.containerRestartSeconds',
    value: CONTAINER_RESTART_SECONDS,
    unit: 's',
    source: 'k/k pkg/kubelet backOffPeriod 10 s (first CrashLoopBackOff step)',
  },
  {
    name: 'cluster.servicesPerNode',
    value: SERVICES_PER_NODE,
    unit: 'services/node',
    source: 'Scaling_CoreDNS.md source data (820 services at 500 nodes ... 8,200 at 5,000)',
  },
  {
    name: 'jvm.positiveTtl',
    value: JVM_POSITIVE_TTL,
    unit: 's',
    source: `java.security networkaddress.cache.ttl (${K8S} §7.6)`,
  },
  {
    name: 'jvm.negativeTtl',
    value: JVM_NEGATIVE_TTL,
    unit: 's',
    source: `java.security networkaddress.cache.negative.ttl (${K8S} §7.6)`,
  },
  {
    name: 'client.connectionLifetime',
    value: DEFAULT_CONNECTION_LIFETIME,
    unit: 's',
    source: 'stormglass default for connection-pool apps',
    fitted: 'no universal default (HTTP keep-alive, gRPC MaxConnectionAge vary); 5 min is a common setting',
  },
  {
    name: 'client.requestAttempts',
    value: DEFAULT_REQUEST_ATTEMPTS,
    unit: 'attempts',
    source: 'nginx proxy_next_upstream "error timeout" retries a failed connection once by default',
    fitted: 'applied to every hop; apps without retries would be less available than modelled',
  },
  {
    name: 'churn.apiInitiatedFraction',
    value: DEFAULT_API_INITIATED_CHURN_FRACTION,
    unit: 'fraction',
    source: 'stormglass default',
    fitted:
      'no public split; in a healthy cluster most replacements are rollouts, autoscaler scale-downs and drains (API), the rest node loss and kubelet evictions',
  },
  {
    name: 'background.namesPerNode',
    value: DEFAULT_BACKGROUND.namesPerNode,
    unit: 'names',
    source: 'stormglass default',
    fitted: 'DNS names the pods of a node outside the service graph keep resolving; only loads CoreDNS',
  },
  {
    name: 'background.lookupsPerNameSecond',
    value: DEFAULT_BACKGROUND.lookupsPerNameSecond,
    unit: 'lookups/s',
    source: 'stormglass default',
    fitted: 'per node and name; only its ratio to the cache TTLs matters for NodeLocal misses',
  },
  {
    name: 'model.step',
    value: STEP_SECONDS,
    unit: 's',
    source: 'stormglass: fluid DNS and queue state per second',
  },
  {
    name: 'summary.window',
    value: SUMMARY_WINDOW_SECONDS,
    unit: 's',
    source: 'stormglass: availability and SERVFAIL figures of the summary are 1-minute means',
  },
  {
    name: 'summary.impactThreshold',
    value: IMPACT_THRESHOLD,
    unit: 'fraction',
    source: 'issue #5: impactStartedAt is the first time availability falls below 99%',
  },
];
