/**
 * Model configs of the built-in data-plane scenarios, for the scenario YAML to mirror:
 * `dns-apiserver-outage` and `dns-apiserver-outage-serve-stale` (issue #5). The service graph is a
 * 24-service shop: three user-facing entry points, platform services, shop services and data-tier
 * proxies, in four namespaces, with a mix of resolver behaviours (Go/Node with no cache, JVM with
 * 30 s, connection pools) and two external dependencies.
 */
import type {
  CoreDnsConfig,
  DataPlaneConfig,
  NodeLocalDnsConfig,
  ServiceConfig,
} from '../../../src/model/config.js';

/**
 * Ordinary pod replacements per pod per hour: a pod lives about two days (rollouts, evictions, node
 * rotation). Three quarters are API-initiated (they pause in an outage), a quarter node-local (they do not).
 */
export const ORDINARY_CHURN_PER_POD_HOUR = 0.02;

type Cache = ServiceConfig['dnsCache'];
const svc = (
  name: string,
  namespace: string,
  replicas: number,
  userRps: number,
  dnsCache: Cache,
  dependsOn: string[],
): ServiceConfig => ({
  name,
  namespace,
  replicas,
  userRps,
  dependsOn,
  dnsCache,
  churnPerPodHour: ORDINARY_CHURN_PER_POD_HOUR,
  // Datastores, caches and brokers are reached over client connection pools.
  ...(namespace === 'data' ? { pooled: true } : {}),
});

export const SHOP_SERVICES: readonly ServiceConfig[] = [
  // edge: what users reach through the load balancer
  svc('web', 'edge', 40, 3000, 'none', ['auth', 'catalog', 'cart', 'recommendations', 'feature-flags']),
  svc('api-gateway', 'edge', 40, 4000, 'none', ['auth', 'rate-limiter', 'catalog', 'orders', 'search']),
  svc('mobile-bff', 'edge', 20, 1500, 'jvm', ['auth', 'catalog', 'cart', 'notifications']),
  // platform
  svc('auth', 'platform', 60, 0, 'jvm', ['users', 'sessions']),
  svc('users', 'platform', 30, 0, 'connection-pool', ['user-db-proxy']),
  svc('sessions', 'platform', 20, 0, 'connection-pool', ['session-cache']),
  svc('feature-flags', 'platform', 20, 0, 'none', []),
  svc('rate-limiter', 'platform', 24, 0, 'connection-pool', ['session-cache']),
  svc('notifications', 'platform', 16, 0, 'none', ['queue', 'smtp.mail.example.net']),
  // shop
  svc('catalog', 'shop', 50, 0, 'jvm', ['catalog-cache', 'pricing', 'inventory']),
  svc('search', 'shop', 40, 0, 'none', ['search-index', 'pricing']),
  svc('recommendations', 'shop', 30, 0, 'none', ['catalog', 'feature-flags']),
  svc('cart', 'shop', 30, 0, 'none', ['pricing', 'inventory', 'session-cache']),
  svc('orders', 'shop', 30, 0, 'jvm', ['payments', 'inventory', 'orders-db-proxy', 'queue']),
  svc('payments', 'shop', 20, 0, 'connection-pool', ['orders-db-proxy', 'api.payments.example.com']),
  svc('pricing', 'shop', 30, 0, 'connection-pool', ['catalog-cache']),
  svc('inventory', 'shop', 24, 0, 'connection-pool', ['inventory-db-proxy']),
  // data tier (proxies and caches in front of managed stores)
  svc('user-db-proxy', 'data', 6, 0, 'connection-pool', []),
  svc('orders-db-proxy', 'data', 6, 0, 'connection-pool', []),
  svc('inventory-db-proxy', 'data', 6, 0, 'connection-pool', []),
  svc('session-cache', 'data', 12, 0, 'none', []),
  svc('catalog-cache', 'data', 12, 0, 'none', []),
  svc('search-index', 'data', 18, 0, 'jvm', []),
  svc('queue', 'data', 9, 0, 'jvm', []),
];

/** kubeadm's Corefile (cache 30, kubernetes ttl 30) on replicas sized by the dns-horizontal-autoscaler. */
export const KUBEADM_COREDNS: CoreDnsConfig = {
  replicas: { kind: 'autoscale', nodesPerReplica: 16, coresPerReplica: 256, min: 2, coresPerNode: 16 },
  recordTtl: 30,
  cache: {
    enabled: true,
    successTtl: 30,
    denialTtl: 30,
    capacity: 9984,
    prefetch: 0,
    serveStale: null,
    servfailTtl: 5,
  },
  qpsPerReplica: 10_000,
  memoryLimitBytes: 170 * 2 ** 20,
  // Ordinary container restarts (OOM kills under query bursts, node pressure): one per replica in about 33 hours.
  restartsPerReplicaHour: 0.03,
  churnPerPodHour: ORDINARY_CHURN_PER_POD_HOUR,
};

/** nodelocaldns.yaml: success 30 s, denial 5 s, no serve_stale. */
export const DEFAULT_NODELOCAL: NodeLocalDnsConfig = {
  enabled: true,
  successTtl: 30,
  denialTtl: 5,
  serveStale: null,
};

export const DNS_APISERVER_OUTAGE: DataPlaneConfig = {
  coreDns: KUBEADM_COREDNS,
  nodeLocal: DEFAULT_NODELOCAL,
  resolver: { ndots: 5, timeout: 5, attempts: 2, searchDomains: 3 },
  services: SHOP_SERVICES,
  apiInitiatedChurnFraction: 0.75,
  requestAttempts: 2,
  connectionLifetime: 300,
  background: { namesPerNode: 20, lookupsPerNameSecond: 1 },
};

/**
 * serve_stale 1h in CoreDNS's cache and NodeLocal DNSCache. NodeLocal uses the `verify` refresh mode:
 * with `immediate`, a SERVFAIL from an unsynced CoreDNS lands in the denial cache and shadows the
 * stale answer (coredns#7956, fixed only in 2026 by #8003), so it would not protect against the
 * failure this scenario is about. docs/dataplane.md compares both.
 */
export const DNS_APISERVER_OUTAGE_SERVE_STALE: DataPlaneConfig = {
  ...DNS_APISERVER_OUTAGE,
  coreDns: {
    ...KUBEADM_COREDNS,
    cache: { ...KUBEADM_COREDNS.cache, serveStale: { duration: 3600, mode: 'immediate' } },
  },
  nodeLocal: { ...DEFAULT_NODELOCAL, serveStale: { duration: 3600, mode: 'verify' } },
};

/** Both scenarios: 1,000 nodes, API unreachable from 10 min for 2 h, 3 h in all. */
export const OUTAGE_SCENARIO = {
  nodes: 1000,
  outageAt: 600,
  outageDuration: 7200,
  duration: 10_800,
} as const;

/** A three-service graph for mechanism tests: front -> back -> db (pooled), no churn. */
export function smallDataPlane(overrides: Partial<DataPlaneConfig> = {}): DataPlaneConfig {
  const services: ServiceConfig[] = [
    {
      name: 'front',
      namespace: 'app',
      replicas: 10,
      userRps: 100,
      dependsOn: ['back'],
      dnsCache: 'none',
      churnPerPodHour: 0,
    },
    {
      name: 'back',
      namespace: 'app',
      replicas: 10,
      userRps: 0,
      dependsOn: ['db'],
      dnsCache: 'none',
      churnPerPodHour: 0,
    },
    {
      name: 'db',
      namespace: 'data',
      replicas: 3,
      userRps: 0,
      dependsOn: [],
      dnsCache: 'none',
      churnPerPodHour: 0,
      pooled: true,
    },
  ];
  return {
    ...DNS_APISERVER_OUTAGE,
    coreDns: {
      ...KUBEADM_COREDNS,
      replicas: { kind: 'fixed', count: 3 },
      restartsPerReplicaHour: 0,
      churnPerPodHour: 0,
    },
    services,
    background: { namesPerNode: 5, lookupsPerNameSecond: 1 },
    ...overrides,
  };
}

/**
 * One CoreDNS replica overloaded with room in memory, so its liveness probe (not the OOM killer)
 * restarts it. Without NodeLocal the load stays bounded (each lookup tries twice), so the queue
 * grows slowly.
 */
export function livenessOverload(): DataPlaneConfig {
  return smallDataPlane({
    coreDns: {
      ...KUBEADM_COREDNS,
      replicas: { kind: 'fixed', count: 1 },
      qpsPerReplica: 800,
      memoryLimitBytes: 64 * 2 ** 30,
      restartsPerReplicaHour: 0,
    },
    nodeLocal: { enabled: false, successTtl: 30, denialTtl: 5, serveStale: null },
    background: { namesPerNode: 5, lookupsPerNameSecond: 1 },
  });
}

/** Two CoreDNS replicas near capacity: background lookups follow the node count, so more nodes surge them. */
export function twoReplicaSurge(): DataPlaneConfig {
  return smallDataPlane({
    coreDns: {
      ...KUBEADM_COREDNS,
      replicas: { kind: 'fixed', count: 2 },
      qpsPerReplica: 1500,
      restartsPerReplicaHour: 0,
      churnPerPodHour: 0,
    },
    background: { namesPerNode: 20, lookupsPerNameSecond: 1 },
  });
}
