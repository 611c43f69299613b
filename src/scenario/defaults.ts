/**
 * Every default the scenario layer fills in, with its unit and source (k8s-mechanics.md gives the
 * Kubernetes file for each). The schema's field descriptions, the JSON Schema and
 * docs/scenario.md are generated from this one table, and the defaults stage reads it.
 * `fitted` marks a value chosen by us, with the reason.
 */

export interface Default<T> {
  readonly value: T;
  readonly unit: string;
  readonly source: string;
  readonly fitted?: string;
}

const d = <T>(value: T, unit: string, source: string, fitted?: string): Default<T> =>
  fitted === undefined ? { value, unit, source } : { value, unit, source, fitted };

export const DEFAULTS = {
  seed: d(1, '', 'stormglass convention: runs are reproducible by default'),
  resolution: d(10, 's', 'result contract (docs/results.md): time series at 10 s of simulated time'),

  cluster: {
    region: d('default', '', 'stormglass convention'),
    // Zone-disruption rules in the node-lifecycle controller act per zone; clouds offer 3 per region.
    zones: d(
      3,
      'zones',
      'kube-controller-manager node lifecycle acts per zone',
      'typical cloud region has 3 zones',
    ),
    // 150,000 pods / 5,000 nodes: the density of the upstream scalability threshold.
    podsPerNode: d(30, 'pods', 'sig-scalability configs-and-limits/thresholds.md (150k pods / 5k nodes)'),
    kubernetesVersion: d('1.31', '', 'k8s-mechanics.md reference version (current release in Dec 2024)'),
    trafficWeight: d(1, 'share', 'stormglass convention: equal shares of fleet traffic'),
    fidelity: d(
      'exact' as const,
      '',
      'stormglass convention: exact unless the scenario opts into aggregation',
    ),
  },

  apiServer: {
    // Three control-plane nodes is kubeadm's documented HA topology.
    replicas: d(
      3,
      'replicas',
      'kubernetes.io "Creating Highly Available Clusters with kubeadm" (3 control-plane nodes)',
    ),
    cpuRule: d(
      '1 (<=5 nodes), 2 (<=10), 4 (<=100), 8 (<=250), 16 (<=500), 32 (<=3000), 64 cores above',
      'cores',
      'kubernetes/kubernetes cluster/gce/config-common.sh get-master-size (kube-up master sizing by node count)',
    ),
    memoryPerCore: d(
      3.75 * 2 ** 30,
      'bytes per core',
      'GCE n1-standard machine shape (3.75 GB per vCPU) that kube-up used for masters',
    ),
    maxRequestsInflight: d(400, 'requests', 'apiserver pkg/server/config.go (--max-requests-inflight)'),
    maxMutatingRequestsInflight: d(
      200,
      'requests',
      'apiserver pkg/server/config.go (--max-mutating-requests-inflight)',
    ),
    requestTimeout: d(60, 's', 'apiserver pkg/server/config.go (--request-timeout)'),
    enablePriorityAndFairness: d(
      true,
      '',
      'apiserver pkg/server/options/feature.go (--enable-priority-and-fairness)',
    ),
    restartDelay: d(
      30,
      's',
      'kubelet restarts the static pod at once; startup (etcd connect, post-start hooks) takes seconds',
      'no published figure for kube-apiserver time-to-serve after an OOM kill',
    ),
  },

  etcd: {
    members: d(3, 'members', 'etcd FAQ / kubeadm stacked HA: an odd member count, 3 for one failure'),
    cpu: d(8, 'cores', 'etcd op-guide/hardware.md: heavily loaded clusters use 8-16 dedicated cores'),
    writeLatency: d(0.0016, 's', 'etcd op-guide/performance.md: 1 client, sequential writes, 1.6 ms average'),
  },

  coreDns: {
    replicas: d(2, 'replicas', 'kubeadm constants CoreDNSReplicas (cmd/kubeadm/app/constants)'),
    autoscaleNodesPerReplica: d(
      16,
      'nodes',
      'k/k cluster/addons/dns-horizontal-autoscaler (linear: nodesPerReplica 16)',
    ),
    autoscaleCoresPerReplica: d(
      256,
      'cores',
      'k/k cluster/addons/dns-horizontal-autoscaler (linear: coresPerReplica 256)',
    ),
    autoscaleMin: d(
      2,
      'replicas',
      'dns-horizontal-autoscaler preventSinglePointFailure: true (2 when more than one node)',
    ),
    recordTtl: d(30, 's', 'kubeadm Corefile "kubernetes ... { ttl 30 }" (plugin default is 5)'),
    cacheEnabled: d(
      true,
      '',
      'kubeadm Corefile "cache 30" (k8s <= 1.31; PR #128359 later disables it for cluster.local)',
    ),
    successTtl: d(30, 's', 'kubeadm Corefile "cache 30" caps positive answers at 30 s'),
    denialTtl: d(30, 's', 'kubeadm Corefile "cache 30" caps negative answers at 30 s'),
    capacity: d(9984, 'entries', 'coredns plugin/cache/README.md (256 shards x 39)'),
    prefetch: d(0, 'queries', 'coredns plugin/cache/README.md: prefetch is off unless configured'),
    serveStaleDuration: d(3600, 's', 'coredns plugin/cache/README.md: serve_stale DURATION defaults to 1h'),
    serveStaleMode: d(
      'immediate' as const,
      '',
      'coredns plugin/cache/README.md: REFRESH_MODE defaults to immediate',
    ),
    servfailTtl: d(5, 's', 'coredns plugin/cache/README.md: servfail DURATION defaults to 5 s'),
    qpsPerReplica: d(
      10000,
      'queries/s',
      'CoreDNS answers tens of thousands of cached queries/s per core',
      'no upstream benchmark for the kubeadm 170Mi/100m pod; 10k/s is a round figure below cache-hit benchmarks',
    ),
    memoryLimit: d(170 * 2 ** 20, 'bytes', 'kubeadm CoreDNS Deployment: memory limit 170Mi'),
  },

  nodeLocal: {
    enabled: d(false, '', 'kubeadm does not install NodeLocal DNSCache'),
    successTtl: d(
      30,
      's',
      'k/k cluster/addons/dns/nodelocaldns/nodelocaldns.yaml: cache { success 9984 30 }',
    ),
    denialTtl: d(5, 's', 'k/k cluster/addons/dns/nodelocaldns/nodelocaldns.yaml: cache { denial 9984 5 }'),
  },

  resolver: {
    ndots: d(5, 'dots', 'kubelet pkg/kubelet/network/dns/dns.go defaultDNSOptions (ndots:5)'),
    timeout: d(5, 's', 'resolv.conf(5): timeout:5'),
    attempts: d(2, 'attempts', 'resolv.conf(5): attempts:2'),
    searchDomains: d(3, 'domains', 'kubelet: <ns>.svc.cluster.local, svc.cluster.local, cluster.local'),
  },

  service: {
    replicas: d(1, 'pods', 'apps/v1 Deployment spec.replicas default'),
    userRps: d(0, 'requests/s', 'stormglass convention: internal-only unless given'),
    dnsCache: d(
      'none' as const,
      '',
      'glibc, musl, Go and Node resolvers cache nothing (k8s-mechanics.md 7.6)',
    ),
    churnPerPodHour: d(0, 'restarts/pod/h', 'stormglass convention: no churn unless the scenario sets it'),
  },

  workload: {
    daemonSetMaxUnavailable: d(1, 'pods', 'apps/v1 defaults: DaemonSet RollingUpdate maxUnavailable 1'),
    deploymentReplicas: d(1, 'pods', 'apps/v1 Deployment spec.replicas default'),
    namespace: d('default', '', 'Kubernetes: objects without metadata.namespace go to "default"'),
    serviceAccount: d('default', '', 'Kubernetes: pods without serviceAccountName run as "default"'),
    podStartTime: d(
      5,
      's',
      'sig-scalability slos.md: stateless pod startup p99 <= 5 s (excluding image pull)',
      'image pull time is not modelled; the SLO bound stands in for it',
    ),
    restartOnApiFailure: d(
      false,
      '',
      'stormglass convention: agents do not tie liveness to the API unless told',
    ),
  },

  accessProfile: {
    apiGroup: d('', '', 'core API group'),
    pollResourceVersion: d(
      '' as const,
      '',
      'metav1.ListOptions zero value: resourceVersion "" (consistent read)',
    ),
    watchResourceVersion: d(
      '0' as const,
      '',
      'client-go tools/cache/reflector.go: initial LIST with resourceVersion "0"',
    ),
    watchLimit: d(500, 'objects', 'client-go tools/pager/pager.go: default page size 500'),
    pollLimit: d(0, 'objects', 'metav1.ListOptions zero value: no limit'),
    jitter: d(0, 'fraction', 'wait.Until has no jitter; set it for wait.JitterUntil'),
    qps: d(5, 'requests/s', 'client-go rest/config.go DefaultQPS'),
    burst: d(10, 'requests', 'client-go rest/config.go DefaultBurst'),
    timeout: d(0, 's', 'client-go rest/config.go: Timeout 0 = no client timeout'),
  },

  rollout: {
    startAt: d(0, 's', 'stormglass convention'),
    window: d(0, 's', 'stormglass convention: all clusters at once unless a window is given'),
    bake: d(0, 's', 'stormglass convention'),
    gateInterval: d(
      60,
      's',
      'Argo Rollouts AnalysisTemplate metrics are commonly measured every 1m',
      'no upstream default',
    ),
    gateFailureLimit: d(0, 'measurements', 'Argo Rollouts AnalysisTemplate failureLimit default 0'),
    retryMaxAttempts: d(
      5,
      'attempts',
      'Argo CD Application spec retry.limit in its documented example',
      'no upstream default',
    ),
    retryInitialBackoff: d(5, 's', 'Argo CD retry.backoff.duration default 5s'),
    retryFactor: d(2, '', 'Argo CD retry.backoff.factor default 2'),
    retryMaxBackoff: d(180, 's', 'Argo CD retry.backoff.maxDuration default 3m'),
  },

  response: {
    operators: d(
      4,
      'engineers',
      'an on-call rotation plus responders pulled in',
      'not published; a small incident team',
    ),
    provisioningDelay: d(
      600,
      's',
      'time to provision and bootstrap a control-plane VM',
      'not published for managed offerings; EKS only says scaling has limits on speed',
    ),
    killSwitchParallelism: d(50, 'nodes', 'AWS Systems Manager Run Command default MaxConcurrency 50'),
    killSwitchTimePerNode: d(
      10,
      's',
      'one SSH/SSM command round trip',
      'no public reference procedure (ops-anchors.md)',
    ),
    retryEvery: d(60, 's', 'stormglass convention: an operator retries about once a minute'),
  },

  nodeStartup: {
    provisioning: d(
      180,
      's',
      'from a scale-up request to a running kubelet on a new cloud VM',
      'a few minutes is what managed node pools take to boot a VM and start its kubelet',
    ),
    imageBytes: d(
      2 ** 30,
      'bytes',
      "the compressed images of one node's pods",
      'about 1 GiB: a node of ordinary service images (shared base layers pulled once)',
    ),
    nodeBandwidth: d(
      125e6,
      'bytes/s',
      "one node's image download rate",
      '1 Gbit/s: one layer stream at a time from a registry (kubelet serializeImagePulls, §8)',
    ),
  },

  fleet: {
    trafficHeadroom: d(
      0.5,
      'fraction',
      "how far a cluster's serving nodes can go over its normal traffic share",
      'spare capacity is not published; +50% keeps a fleet able to absorb a lost region',
    ),
    registryBandwidth: d(
      25e9,
      'bytes/s per region',
      'Azure Storage scalability targets: 200 Gbit/s egress for a standard account in large US regions',
      "a registry's throughput is its storage account's egress; one account per region",
    ),
  },

  alerts: {
    // Same value and source as the alert engine's DEFAULT_EVALUATION_INTERVAL.
    evaluationInterval: d(
      30,
      's',
      'prometheus-operator evaluationInterval default 30s (kube-prometheus ships it)',
    ),
    for: d(0, 's', 'Prometheus alerting rule "for" default'),
    severity: d('warning' as const, '', 'stormglass convention'),
  },
} as const;

/** "Default 400 (apiserver pkg/server/config.go)" for field descriptions. */
export function describeDefault<T>(def: Default<T>, shown?: string): string {
  const value = shown ?? (typeof def.value === 'string' ? JSON.stringify(def.value) : String(def.value));
  const fitted = def.fitted ? `; fitted: ${def.fitted}` : '';
  return `Default ${value}${def.unit && shown === undefined ? ` ${def.unit}` : ''} (${def.source}${fitted}).`;
}

/** kube-up's master sizing rule: cores per API-server replica for a cluster of `nodes` nodes. */
export function defaultApiServerCores(nodes: number): number {
  if (nodes <= 5) return 1;
  if (nodes <= 10) return 2;
  if (nodes <= 100) return 4;
  if (nodes <= 250) return 8;
  if (nodes <= 500) return 16;
  if (nodes <= 3000) return 32;
  return 64;
}

/** Limits on sizes: each says whether it comes from Kubernetes or from what the simulator supports. */
export const LIMITS = {
  durationMax: { max: 7 * 24 * 3600, why: 'simulator limit: runs of up to 7 days (168h)' },
  clusters: { max: 2000, why: 'simulator limit: fleets of up to 2,000 clusters' },
  fleetNodes: { max: 2_000_000, why: 'simulator limit: 2,000,000 nodes across the fleet' },
  nodes: {
    max: 100_000,
    why: 'simulator limit: 100,000 nodes per cluster (upstream threshold is 5,000; GKE documents 65,000)',
  },
  podsPerNode: { max: 1000, why: 'simulator limit: 1,000 pods per node (kubelet --max-pods default is 110)' },
  podsPerCluster: {
    max: 2_000_000,
    why: 'simulator limit: 2,000,000 pods per cluster (upstream threshold is 150,000)',
  },
  services: { max: 10_000, why: 'Kubernetes threshold: 10,000 services per cluster (thresholds.md)' },
  serviceReplicas: { max: 10_000, why: 'simulator limit: 10,000 pods per service' },
  apiServerReplicas: { max: 100, why: 'simulator limit: 100 API-server replicas per cluster' },
  workloads: { max: 200, why: 'simulator limit: 200 workloads per scenario' },
} as const;
