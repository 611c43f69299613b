/**
 * The scenario format, stormglass.dev/v1alpha1 (docs/scenario.md is generated from this file).
 *
 * Stage 1 of the pipeline: shape, types, units and ranges. Every field is optional here unless a
 * scenario cannot mean anything without it; defaults are filled by the next stage (resolve.ts) so
 * that a default may depend on other fields (API-server cores on node count, a LIST's
 * resourceVersion on watch vs poll). Objects are strict: an unknown field is an error with a
 * did-you-mean. New sections slot in as optional fields without breaking existing files.
 */
import { z } from 'zod';
import { DEFAULTS, describeDefault, LIMITS } from './defaults.js';
import {
  dnsLabel,
  dnsSubdomain,
  duration,
  fraction,
  integer,
  quantity,
  quantityOr,
  real,
  report,
} from './schema-kit.js';

export const API_VERSION = 'stormglass.dev/v1alpha1';

const D = DEFAULTS;
const text = (description: string, max = 1000) => z.string().max(max).meta({ description });
const list = <T extends z.ZodType>(item: T, description: string, max: number) =>
  z.array(item).max(max).meta({ description });

/** Label map like Kubernetes metadata.labels. */
const labels = z
  .record(
    z.string().max(317),
    z.union([z.string().max(63), z.number(), z.boolean()]).transform((v) => String(v)),
  )
  .meta({ description: 'Key/value labels, as in Kubernetes metadata.labels.' });

/** A path (relative to the scenario file) or a list of them. */
const manifestRefs = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1).max(100)])
  .transform((v) => (typeof v === 'string' ? [v] : v))
  .meta({
    description:
      'Kubernetes manifest file(s), relative to this scenario file: multi-document YAML or a `kind: List` dump from `kubectl get -o yaml`.',
  });

// ---------------------------------------------------------------------------------------------
// Selecting clusters (workloads, rollout waves, faults, response actions)

const clusterSelectorObject = z
  .strictObject({
    names: list(z.string(), 'Cluster names; "*" matches any run of characters ("prod-*").', 5000).optional(),
    matchLabels: labels.optional().meta({ description: 'Clusters whose labels include all of these.' }),
    regions: list(z.string(), 'Clusters in any of these regions.', 500).optional(),
  })
  .meta({ description: 'Clusters matching every given criterion.' });

export const clusterSelector = z
  .union([z.literal('all'), z.array(z.string()).max(5000), clusterSelectorObject])
  .meta({
    description:
      '"all", a list of cluster names (globs with "*" allowed), or {names, matchLabels, regions} (all criteria must match).',
  });

// ---------------------------------------------------------------------------------------------
// Clusters

const apiServerFlags = z
  .strictObject({
    'max-requests-inflight': integer(
      `--max-requests-inflight. ${describeDefault(D.apiServer.maxRequestsInflight)}`,
      { min: 0, max: 100_000, why: 'simulator limit' },
    ).optional(),
    'max-mutating-requests-inflight': integer(
      `--max-mutating-requests-inflight. ${describeDefault(D.apiServer.maxMutatingRequestsInflight)}`,
      { min: 0, max: 100_000, why: 'simulator limit' },
    ).optional(),
    'request-timeout': duration(`--request-timeout. ${describeDefault(D.apiServer.requestTimeout, '1m')}`, {
      min: 1,
      max: 3600,
      why: 'simulator limit',
    }).optional(),
    'enable-priority-and-fairness': z
      .boolean()
      .meta({
        description: `--enable-priority-and-fairness; false selects the legacy max-in-flight filter. ${describeDefault(D.apiServer.enablePriorityAndFairness)}`,
      })
      .optional(),
  })
  .meta({ description: 'kube-apiserver flags, named as on the command line (without "--").' });

export const FEATURE_GATES = [
  'ConsistentListFromCache',
  'ResilientWatchCacheInitialization',
  'WatchList',
  'SizeBasedListCostEstimate',
] as const;

const featureGates = z
  .strictObject(
    Object.fromEntries(FEATURE_GATES.map((g) => [g, z.boolean().optional()])) as Record<
      (typeof FEATURE_GATES)[number],
      z.ZodOptional<z.ZodBoolean>
    >,
  )
  .meta({
    description:
      'kube-apiserver feature gates that change the model; defaults follow the Kubernetes version.',
  });

const apiServer = z
  .strictObject({
    replicas: integer(
      `API-server replicas behind the load balancer. ${describeDefault(D.apiServer.replicas)}`,
      {
        min: 1,
        max: LIMITS.apiServerReplicas.max,
        why: LIMITS.apiServerReplicas.why,
      },
    ).optional(),
    cpu: quantity(
      `CPU per replica, cores. ${describeDefault(D.apiServer.cpuRule, 'by node count')}`,
      'decimal',
      {
        min: 0.1,
        max: 1024,
        why: 'simulator limit',
      },
    ).optional(),
    memory: quantity(
      `Memory limit per replica; past it the replica is OOM-killed. Default cores x 3.75Gi (${D.apiServer.memoryPerCore.source}).`,
      'bytes',
      { min: 256 * 2 ** 20, max: 16 * 2 ** 40, why: 'simulator limit' },
    ).optional(),
    restartDelay: duration(
      `From OOM kill until the replica serves again. ${describeDefault(D.apiServer.restartDelay, '30s')}`,
      { min: 0, max: 3600 },
    ).optional(),
    flags: apiServerFlags.optional(),
    featureGates: featureGates.optional(),
  })
  .meta({ description: 'kube-apiserver replicas and their size.' });

const etcd = z
  .strictObject({
    members: integer(`etcd members. ${describeDefault(D.etcd.members)}`, {
      min: 1,
      max: 9,
      why: 'etcd FAQ: clusters above 7 members are not recommended',
    }).optional(),
    cpu: quantity(`CPU per member, cores. ${describeDefault(D.etcd.cpu)}`, 'decimal', {
      min: 0.1,
      max: 1024,
      why: 'simulator limit',
    }).optional(),
    writeLatency: duration(
      `Write commit latency floor (fsync + RTT). ${describeDefault(D.etcd.writeLatency, '1.6ms')}`,
      {
        min: 0,
        max: 10,
        why: 'simulator limit',
      },
    ).optional(),
  })
  .meta({ description: 'etcd members serving this cluster.' });

const flowControl = z
  .strictObject({
    manifests: manifestRefs.optional(),
  })
  .meta({
    description:
      'FlowSchema and PriorityLevelConfiguration objects (flowcontrol.apiserver.k8s.io/v1) applied over the bootstrap configuration.',
  });

/** serve_stale: false, true (1h immediate), "30m", or {duration, mode}. */
const serveStale = (what: string, defaults: string) =>
  z
    .union([
      z.boolean(),
      duration('How long expired entries are served (mode immediate).', { min: 0, max: 7 * 86_400 }),
      z.strictObject({
        duration: duration('How long expired entries are served.').optional(),
        mode: z
          .enum(['immediate', 'verify'])
          .optional()
          .meta({ description: 'immediate (default) or verify.' }),
      }),
    ])
    .meta({
      description: `${what} serve_stale: false (off), true, a duration, or {duration, mode}. ${defaults}`,
    });

const coreDnsCache = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .meta({ description: describeDefault(D.coreDns.cacheEnabled) }),
    successTtl: duration(`Maximum TTL of cached answers. ${describeDefault(D.coreDns.successTtl, '30s')}`, {
      min: 0,
      max: 3600,
      why: 'coredns cache plugin: success TTL is capped at 3600 s',
    }).optional(),
    denialTtl: duration(`Maximum TTL of cached denials. ${describeDefault(D.coreDns.denialTtl, '30s')}`, {
      min: 0,
      max: 1800,
      why: 'coredns cache plugin: denial TTL is capped at 1800 s',
    }).optional(),
    capacity: integer(`Cache entries. ${describeDefault(D.coreDns.capacity)}`, {
      min: 0,
      max: 10_000_000,
    }).optional(),
    prefetch: integer(`prefetch AMOUNT (0 = off). ${describeDefault(D.coreDns.prefetch)}`, {
      min: 0,
      max: 1_000_000,
    }).optional(),
    serveStale: serveStale(
      'cache',
      'Default off (kubeadm does not enable it; kubernetes/kubeadm#2152).',
    ).optional(),
    servfailTtl: duration(
      `How long SERVFAIL answers are cached. ${describeDefault(D.coreDns.servfailTtl, '5s')}`,
      {
        min: 0,
        max: 300,
        why: 'coredns cache plugin: servfail DURATION is capped at 5m',
      },
    ).optional(),
  })
  .meta({ description: 'The CoreDNS cache plugin.' });

const coreDnsReplicas = z
  .union([
    integer('Fixed replica count.', { min: 1, max: 1000, why: 'simulator limit' }),
    z.strictObject({
      autoscale: z.strictObject({
        nodesPerReplica: integer(describeDefault(D.coreDns.autoscaleNodesPerReplica), {
          min: 1,
          max: 100_000,
        }).optional(),
        coresPerReplica: integer(describeDefault(D.coreDns.autoscaleCoresPerReplica), {
          min: 1,
          max: 1_000_000,
        }).optional(),
        min: integer(describeDefault(D.coreDns.autoscaleMin), { min: 1, max: 1000 }).optional(),
        coresPerNode: real(
          "Allocatable cores per node the autoscaler counts. Default: the data-plane model's.",
          {
            min: 0.1,
            max: 10_000,
          },
        ).optional(),
      }),
    }),
  ])
  .meta({
    description: `A fixed count, or {autoscale: {...}} for the cluster-proportional autoscaler's linear rule. ${describeDefault(D.coreDns.replicas)}`,
  });

const coreDns = z
  .strictObject({
    replicas: coreDnsReplicas.optional(),
    corefile: z.string().min(1).optional().meta({
      description:
        "A CoreDNS Corefile, relative to this scenario file: its kubernetes plugin ttl and cache plugin settings (TTLs, capacity, prefetch, serve_stale, servfail) become this cluster's. Fields written here in YAML take precedence.",
    }),
    recordTtl: duration(`kubernetes plugin record TTL. ${describeDefault(D.coreDns.recordTtl, '30s')}`, {
      min: 0,
      max: 3600,
      why: 'coredns kubernetes plugin: ttl range 0-3600',
    }).optional(),
    cache: coreDnsCache.optional(),
    qpsPerReplica: real(
      `Queries per second one replica answers before queuing. ${describeDefault(D.coreDns.qpsPerReplica)}`,
      {
        min: 1,
        max: 10_000_000,
      },
    ).optional(),
    memory: quantityOr(
      `Memory limit per replica, or "scaling-guide": the CoreDNS scaling guide's (pods + services) x 0.000858 MB + 49.1 MB for this cluster (Scaling_CoreDNS.md). ${describeDefault(D.coreDns.memoryLimit, '170Mi')}`,
      'bytes',
      { min: 16 * 2 ** 20, max: 2 ** 40 },
      ['scaling-guide'] as const,
    ).optional(),
    restartsPerReplicaHour: real(
      "Ordinary in-place container restarts per replica per hour (each must re-sync through the API). Default: the data-plane model's (0).",
      { min: 0, max: 3600 },
    ).optional(),
    churnPerPodHour: real(
      "Pod replacements per replica per hour (evictions, node loss; new pod, new IP). Default: the data-plane model's (0).",
      { min: 0, max: 3600 },
    ).optional(),
  })
  .meta({ description: 'Cluster CoreDNS.' });

const nodeLocal = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .meta({ description: describeDefault(D.nodeLocal.enabled) }),
    successTtl: duration(describeDefault(D.nodeLocal.successTtl, '30s'), { min: 0, max: 3600 }).optional(),
    denialTtl: duration(describeDefault(D.nodeLocal.denialTtl, '5s'), { min: 0, max: 1800 }).optional(),
    serveStale: serveStale('NodeLocal DNSCache', 'Default off (nodelocaldns.yaml).').optional(),
  })
  .meta({ description: 'NodeLocal DNSCache on every node.' });

const resolver = z
  .strictObject({
    ndots: integer(describeDefault(D.resolver.ndots), {
      min: 0,
      max: 15,
      why: 'resolv.conf(5) caps ndots at 15',
    }).optional(),
    timeout: duration(describeDefault(D.resolver.timeout, '5s'), {
      min: 0.001,
      max: 30,
      why: 'resolv.conf(5) caps timeout at 30 s',
    }).optional(),
    attempts: integer(describeDefault(D.resolver.attempts), {
      min: 1,
      max: 5,
      why: 'resolv.conf(5) caps attempts at 5',
    }).optional(),
    searchDomains: integer(describeDefault(D.resolver.searchDomains), {
      min: 0,
      max: 32,
      why: 'glibc allows 32 search domains',
    }).optional(),
  })
  .meta({ description: "Pods' resolv.conf." });

const dns = z
  .strictObject({
    coreDns: coreDns.optional(),
    nodeLocal: nodeLocal.optional(),
    resolver: resolver.optional(),
  })
  .meta({ description: 'DNS service discovery.' });

export const DNS_CACHE_KINDS = ['none', 'jvm', 'connection-pool'] as const;

const service = z
  .strictObject({
    name: dnsLabel('Service name (DNS label); other services depend on it by this name.'),
    replicas: integer(describeDefault(D.service.replicas), {
      min: 1,
      max: LIMITS.serviceReplicas.max,
      why: LIMITS.serviceReplicas.why,
    }).optional(),
    userRps: real(`Requests per second from users. ${describeDefault(D.service.userRps)}`, {
      min: 0,
      max: 10_000_000,
      why: 'simulator limit',
    }).optional(),
    dependsOn: list(z.string(), 'Services this one calls on every request, by name.', 100).optional(),
    dnsCache: z
      .enum(DNS_CACHE_KINDS)
      .optional()
      .meta({
        description: `Application DNS caching: none, jvm (30 s) or connection-pool. ${describeDefault(D.service.dnsCache)}`,
      }),
    churnPerPodHour: real(
      `Pod replacements per pod per hour in ordinary operation (new pod, new IP). ${describeDefault(D.service.churnPerPodHour)}`,
      {
        min: 0,
        max: 3600,
      },
    ).optional(),
    restartsPerPodHour: real(
      "In-place container restarts per pod per hour (same IP). Default: the data-plane model's (0).",
      {
        min: 0,
        max: 3600,
      },
    ).optional(),
    namespace: dnsLabel(
      'Namespace; decides which search domain answers a caller\'s name. Default "default".',
    ).optional(),
    headless: z.boolean().optional().meta({
      description:
        'Headless Service: DNS answers carry pod IPs; no ClusterIP / kube-proxy hop. Default false.',
    }),
  })
  .meta({ description: 'A service of the user-facing graph.' });

const dataPlane = z
  .strictObject({
    apiInitiatedChurnFraction: fraction(
      "Share of ordinary pod replacements the API initiates (they pause while it is unreachable). Default: the data-plane model's.",
    ).optional(),
    requestAttempts: integer("Attempts per call when a connection fails. Default: the data-plane model's.", {
      min: 1,
      max: 20,
    }).optional(),
    connectionLifetime: duration(
      "Lifetime of pooled connections (dnsCache: connection-pool). Default: the data-plane model's.",
      {
        min: 1,
        max: 86_400,
      },
    ).optional(),
    background: z
      .strictObject({
        namesPerNode: real('Distinct names looked up per node.', { min: 0, max: 100_000 }),
        lookupsPerNameSecond: real('Lookups per name per second.', { min: 0, max: 100_000 }),
      })
      .optional()
      .meta({ description: 'DNS traffic of pods outside the service graph (load on CoreDNS).' }),
    clusterServices: integer(
      "Services in the cluster (sizes CoreDNS LISTs and memory). Default: the data-plane model's.",
      {
        min: 0,
        max: LIMITS.services.max,
        why: LIMITS.services.why,
      },
    ).optional(),
  })
  .meta({ description: 'Data-plane settings beyond DNS and the service graph.' });

export const KUBERNETES_VERSIONS = ['1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34'] as const;

const kubernetesVersion = z
  .union([z.string(), z.number()])
  .transform((input, ctx) => {
    if (typeof input === 'number') {
      report(
        ctx,
        input,
        'bad-version',
        `the version is the number ${input}: YAML reads 1.30 as 1.3`,
        `quote it: kubernetesVersion: "${input.toFixed(2)}"`,
      );
      return z.NEVER;
    }
    const m = /^v?(1\.\d+)(\.\d+)?$/.exec(input.trim());
    const minor = m?.[1];
    if (!minor || !(KUBERNETES_VERSIONS as readonly string[]).includes(minor)) {
      report(
        ctx,
        input,
        'bad-version',
        `Kubernetes version "${input}" is not supported`,
        `use one of ${KUBERNETES_VERSIONS.join(', ')} (the simulator has version rules for these)`,
      );
      return z.NEVER;
    }
    return minor;
  })
  .meta({
    description: `Kubernetes minor version as a string ("1.30"). ${describeDefault(D.cluster.kubernetesVersion)}`,
  });

const nodeStartup = z
  .strictObject({
    provisioning: duration(
      `From a scale-up to a running kubelet on the new node. ${describeDefault(D.nodeStartup.provisioning, '3m')}`,
      { min: 0, max: 24 * 3600 },
    ).optional(),
    imageBytes: quantity(
      `Image bytes a new node pulls before all its pods serve. ${describeDefault(D.nodeStartup.imageBytes, '1Gi')}`,
      'bytes',
      { min: 0, max: 10 * 2 ** 40, why: 'simulator limit: 10Ti per node' },
    ).optional(),
    nodeBandwidth: quantity(
      `One node's image download rate, bytes per second. ${describeDefault(D.nodeStartup.nodeBandwidth, '125M')}`,
      'decimal',
      { min: 1e3, max: 1e12, why: 'simulator limit: 1k to 1T bytes/s' },
    ).optional(),
  })
  .meta({
    description:
      "What a node added by a scale-up (restore-nodes) needs before it serves users: it boots, then pulls its pods' images from its region's registry, sharing the registry's bandwidth with every node pulling there (fleet.registryBandwidth).",
  });

/** Every field a cluster may set; shared by clusters[] entries and clusterDefaults. */
const clusterFields = {
  region: z
    .string()
    .min(1)
    .max(63)
    .optional()
    .meta({ description: describeDefault(D.cluster.region) }),
  zones: integer(`Failure zones the nodes spread over. ${describeDefault(D.cluster.zones)}`, {
    min: 1,
    max: 32,
    why: 'simulator limit',
  }).optional(),
  nodes: integer('Nodes in the cluster (required, here or in clusterDefaults).', {
    min: 1,
    max: LIMITS.nodes.max,
    why: LIMITS.nodes.why,
  }).optional(),
  podsPerNode: integer(`Pods per node. ${describeDefault(D.cluster.podsPerNode)}`, {
    min: 0,
    max: LIMITS.podsPerNode.max,
    why: LIMITS.podsPerNode.why,
  }).optional(),
  kubernetesVersion: kubernetesVersion.optional(),
  labels: labels.optional(),
  trafficWeight: real(
    `Share of fleet user traffic (global balancer weight). ${describeDefault(D.cluster.trafficWeight)}`,
    {
      min: 0,
      max: 1_000_000,
    },
  ).optional(),
  fidelity: z
    .enum(['exact', 'aggregate'])
    .optional()
    .meta({
      description: `exact: every client request simulated; aggregate: identical clients grouped. ${describeDefault(D.cluster.fidelity)}`,
    }),
  apiServer: apiServer.optional(),
  etcd: etcd.optional(),
  flowControl: flowControl.optional(),
  dns: dns.optional(),
  services: list(service, 'The service graph running in this cluster.', LIMITS.services.max).optional(),
  dataPlane: dataPlane.optional(),
  nodeStartup: nodeStartup.optional(),
};

const clusterEntry = z
  .strictObject({
    name: dnsLabel('Cluster name; with count, a pattern containing "{index}" or "{index:03}".', true),
    count: integer('Expands this entry into this many clusters named by the pattern (1-based index).', {
      min: 1,
      max: LIMITS.clusters.max,
      why: LIMITS.clusters.why,
    }).optional(),
    ...clusterFields,
  })
  .meta({ description: 'A cluster, or with count a group of identical clusters.' });

const clusterDefaults = z.strictObject(clusterFields).meta({
  description: 'Fields applied to every cluster; an entry in clusters overrides them field by field.',
});

// ---------------------------------------------------------------------------------------------
// Workloads and access profiles

export const VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;
export const SCOPES = ['resource', 'namespace', 'cluster'] as const;
export const RESOURCE_VERSIONS = ['', '0', 'exact', 'continue'] as const;

const resourceVersion = z
  .union([z.string(), z.number()])
  .transform((input, ctx) => {
    const s = typeof input === 'number' ? String(input) : input;
    if ((RESOURCE_VERSIONS as readonly string[]).includes(s)) return s as (typeof RESOURCE_VERSIONS)[number];
    report(
      ctx,
      input,
      'invalid-value',
      `resourceVersion ${JSON.stringify(input)} is not one the model knows`,
      'use "" (consistent read), "0" (any, served from the watch cache), exact (resourceVersionMatch=Exact) or continue (a continue token)',
    );
    return z.NEVER;
  })
  .meta({
    description:
      'resourceVersion semantics of the LIST: "" (consistent), "0" (any), exact, or continue. Default "0" for watch (reflector.go), "" for poll (ListOptions zero value).',
  });

const returns = z
  .union([z.enum(['per-node', 'all']), integer('A fixed number of objects.', { min: 0, max: 100_000_000 })])
  .meta({
    description:
      "Objects a call returns: a number, per-node (the objects on the caller's node) or all. Default: per-node for a LIST with a spec.nodeName field selector, all for other LISTs, 1 otherwise.",
  });

const clientConfig = z
  .strictObject({
    qps: real(`rest.Config.QPS. ${describeDefault(D.accessProfile.qps)}`, {
      min: 0.001,
      max: 100_000,
    }).optional(),
    burst: integer(`rest.Config.Burst. ${describeDefault(D.accessProfile.burst)}`, {
      min: 1,
      max: 100_000,
    }).optional(),
    timeout: duration(`rest.Config.Timeout; 0 = none. ${describeDefault(D.accessProfile.timeout, '0s')}`, {
      min: 0,
      max: 3600,
    }).optional(),
  })
  .meta({ description: 'client-go settings of the calling process.' });

const accessProfile = z
  .strictObject({
    name: z.string().min(1).max(63).meta({ description: 'Name of this call pattern, for reports.' }),
    verb: z.enum(VERBS).meta({ description: 'API verb.' }),
    resource: z
      .string()
      .min(1)
      .max(253)
      .meta({ description: 'Plural resource, e.g. pods, nodes, endpointslices.' }),
    apiGroup: z
      .string()
      .max(253)
      .optional()
      .meta({ description: `API group. ${describeDefault(D.accessProfile.apiGroup)}` }),
    scope: z.enum(SCOPES).optional().meta({
      description:
        'resource, namespace or cluster. Default cluster for list/watch, namespace for create, resource otherwise.',
    }),
    resourceVersion: resourceVersion.optional(),
    labelSelector: z
      .string()
      .max(1000)
      .optional()
      .meta({ description: 'The label selector, as written in the request.' }),
    fieldSelector: z.string().max(1000).optional().meta({
      description: 'The field selector, as written in the request (e.g. spec.nodeName=$(NODE_NAME)).',
    }),
    returns: returns.optional(),
    limit: integer('Page size (limit); 0 = none. Default 500 for watch (pager.go), 0 for poll.', {
      min: 0,
      max: 1_000_000,
    }).optional(),
    mode: z.enum(['poll', 'watch']).meta({
      description:
        'poll repeats the call every period; watch is an informer (list, then watch, relist on break).',
    }),
    period: duration('Seconds between calls (poll).', {
      min: 0.1,
      max: 86_400,
      why: 'simulator limit: 100ms to 24h',
    }).optional(),
    jitter: real(
      `client-go wait.Jitter factor: waits are period x (1 + jitter x U[0,1)). ${describeDefault(D.accessProfile.jitter)}`,
      {
        min: 0,
        max: 10,
      },
    ).optional(),
    client: clientConfig.optional(),
  })
  .meta({ description: 'What each pod of the workload does to the API server.' });

const workload = z
  .strictObject({
    name: dnsSubdomain(
      'Workload name; taken from the DaemonSet/Deployment when manifests are given.',
    ).optional(),
    manifests: manifestRefs.optional(),
    kind: z
      .enum(['DaemonSet', 'Deployment'])
      .optional()
      .meta({ description: 'Inline workloads only (manifests give it otherwise).' }),
    namespace: dnsLabel(`Inline workloads only. ${describeDefault(D.workload.namespace)}`).optional(),
    serviceAccount: dnsSubdomain(
      `Inline workloads only. ${describeDefault(D.workload.serviceAccount)}`,
    ).optional(),
    replicas: integer(`Inline Deployments only. ${describeDefault(D.workload.deploymentReplicas)}`, {
      min: 0,
      max: 100_000,
    }).optional(),
    maxUnavailable: z
      .union([integer('Pods.', { min: 0, max: 100_000 }), z.string().regex(/^\d{1,3}%$/)])
      .optional()
      .meta({
        description: `Inline DaemonSets only: rolling-update maxUnavailable (count or "10%"). ${describeDefault(D.workload.daemonSetMaxUnavailable)}`,
      }),
    clusters: clusterSelector
      .optional()
      .meta({ description: 'Clusters the workload exists in. Default all.' }),
    startAt: duration(
      'When the workload is created, since scenario start. Default 0; not allowed when a rollout deploys it.',
    ).optional(),
    podStartTime: duration(
      `From pod creation to running. ${describeDefault(D.workload.podStartTime, '5s')}`,
      {
        min: 0,
        max: 3600,
      },
    ).optional(),
    restartOnApiFailure: z
      .boolean()
      .optional()
      .meta({
        description: `Pods restart (and relist) when their API calls keep failing. ${describeDefault(D.workload.restartOnApiFailure)}`,
      }),
    accessProfiles: list(accessProfile, 'What each pod does to the API server.', 50).optional(),
  })
  .meta({
    description: 'A workload: real manifests or an inline description, plus what it does to the API server.',
  });

// ---------------------------------------------------------------------------------------------
// Rollout (maps onto src/model/rollout/types.ts RolloutConfig)

export const CLUSTER_ORDERS = ['listed', 'largest-first', 'smallest-first', 'shuffled'] as const;

const order = z.enum(CLUSTER_ORDERS).optional().meta({
  description:
    'Order clusters are taken in: listed, largest-first, smallest-first or shuffled (seeded). Default listed.',
});

const allAtOnce = z.strictObject({
  kind: z.literal('all-at-once'),
  window: duration(
    `Every cluster gets the change within this window. ${describeDefault(D.rollout.window, '0s')}`,
    {
      min: 0,
      max: 30 * 86_400,
    },
  ).optional(),
  order,
  spacing: z.enum(['even', 'random']).optional().meta({
    description: 'even: evenly spaced over the window; random: seeded uniform times. Default even.',
  }),
});

const wave = z
  .strictObject({
    name: z.string().min(1).max(63).optional().meta({ description: 'Wave name for reports.' }),
    names: list(z.string(), 'These clusters.', 5000).optional(),
    matchLabels: labels.optional().meta({ description: 'Clusters whose labels include all of these.' }),
    percent: fraction(
      'ceil(percent x fleet size) of the clusters not yet planned, in strategy order ("10%").',
      {
        min: 0.000001,
        max: 1,
      },
    ).optional(),
    count: integer('This many of the clusters not yet planned, in strategy order.', {
      min: 1,
      max: LIMITS.clusters.max,
    }).optional(),
    rest: z.literal(true).optional().meta({ description: 'Every cluster not yet planned.' }),
    spread: duration("The wave's deploys are spread evenly over this window. Default 0s.", {
      min: 0,
      max: 30 * 86_400,
    }).optional(),
    bake: duration("Overrides the rollout's bake time for this wave.", {
      min: 0,
      max: 30 * 86_400,
    }).optional(),
  })
  .meta({
    description: 'One wave; select clusters with exactly one of names, matchLabels, percent, count or rest.',
  });

const wavesStrategy = z.strictObject({
  kind: z.literal('waves'),
  waves: z.array(wave).min(1).max(100).meta({ description: 'Waves in order.' }),
  order,
  remainder: z.enum(['final-wave', 'skip']).optional().meta({
    description:
      'Clusters no wave selected: a last wave named "remainder" (final-wave, default) or never (skip).',
  }),
});

const strategy = z.discriminatedUnion('kind', [
  allAtOnce,
  wavesStrategy,
  z.strictObject({
    kind: z.literal('canary'),
    canary: z
      .string()
      .min(1)
      .meta({ description: 'The canary: a cluster name, or "largest" (the cluster with the most nodes).' }),
    bake: duration("Bake time after the canary. Default: the rollout's bake.", {
      min: 0,
      max: 30 * 86_400,
    }).optional(),
    afterCanary: z
      .discriminatedUnion('kind', [allAtOnce, wavesStrategy])
      .meta({ description: 'How the rest of the fleet follows: an all-at-once or waves strategy.' }),
  }),
]);

export const GATE_SIGNALS = [
  'api-p99-seconds',
  'api-error-fraction',
  'api-saturated',
  'apf-rejections-per-second',
  'etcd-p99-seconds',
  'dns-servfail-fraction',
  'service-availability',
] as const;

const gateBound = <S extends (typeof GATE_SIGNALS)[number], T extends z.ZodType>(
  signal: S,
  bound: T,
  meaning: string,
) =>
  z.strictObject({
    signal: z.literal(signal),
    max: bound.optional().meta({ description: `Fails above this ${meaning}.` }),
    min: bound.optional().meta({ description: `Fails below this ${meaning}.` }),
  });

const gateCheck = z.discriminatedUnion('signal', [
  gateBound(
    'api-p99-seconds',
    duration('Client-observed API p99.', { min: 0, max: 3600 }),
    'client-observed API p99 latency',
  ),
  gateBound(
    'api-error-fraction',
    fraction('Fraction of API requests failing.'),
    'fraction of API requests failing (429, 5xx, no answer)',
  ),
  gateBound('api-saturated', integer('0 or 1.', { min: 0, max: 1 }), 'saturation flag (1 while saturated)'),
  gateBound(
    'apf-rejections-per-second',
    real('Rejections per second.', { min: 0, max: 1e9 }),
    'rate of APF rejections per second',
  ),
  gateBound(
    'etcd-p99-seconds',
    duration('etcd request p99.', { min: 0, max: 3600 }),
    'etcd request p99 latency',
  ),
  gateBound(
    'dns-servfail-fraction',
    fraction('Fraction of DNS answers that are SERVFAIL.'),
    'SERVFAIL fraction',
  ),
  gateBound(
    'service-availability',
    fraction('Fraction of user requests that succeed.'),
    'service availability',
  ),
]);

const gate = z
  .strictObject({
    checks: z
      .array(gateCheck)
      .min(1)
      .max(50)
      .meta({ description: 'Bounds on control-plane and service signals.' }),
    interval: duration(`Seconds between measurements. ${describeDefault(D.rollout.gateInterval, '1m')}`, {
      min: 1,
      max: 86_400,
    }).optional(),
    failureLimit: integer(
      `Failed measurements tolerated per wave. ${describeDefault(D.rollout.gateFailureLimit)}`,
      {
        min: 0,
        max: 10_000,
      },
    ).optional(),
    scope: z.enum(['wave', 'deployed']).optional().meta({
      description: 'Clusters measured: the current wave, or every cluster deployed so far. Default wave.',
    }),
  })
  .meta({ description: 'Analysis between waves, like an Argo Rollouts AnalysisRun.' });

const retryPolicy = z
  .strictObject({
    maxAttempts: integer(`Attempts in total. ${describeDefault(D.rollout.retryMaxAttempts)}`, {
      min: 1,
      max: 1000,
    }).optional(),
    initialBackoff: duration(describeDefault(D.rollout.retryInitialBackoff, '5s'), {
      min: 0,
      max: 86_400,
    }).optional(),
    factor: real(describeDefault(D.rollout.retryFactor), { min: 1, max: 100 }).optional(),
    maxBackoff: duration(describeDefault(D.rollout.retryMaxBackoff, '3m'), {
      min: 0,
      max: 86_400,
    }).optional(),
    jitter: real('Each wait stretched by U[0, jitter) of itself. Default 0.', { min: 0, max: 10 }).optional(),
  })
  .meta({ description: "Retries of an automatic rollback (Argo CD's retry.backoff shape)." });

const rollout = z
  .strictObject({
    name: z
      .string()
      .min(1)
      .max(63)
      .optional()
      .meta({ description: 'Rollout name for reports. Default: the workload name.' }),
    workload: z.string().min(1).meta({ description: 'The workload (by name) this rollout deploys.' }),
    startAt: duration(`When the pipeline starts. ${describeDefault(D.rollout.startAt, '0s')}`).optional(),
    clusters: clusterSelector
      .optional()
      .meta({ description: "Clusters to roll out to. Default: the workload's clusters." }),
    strategy,
    bake: duration(
      `Wait after a wave's last deploy before the next wave. ${describeDefault(D.rollout.bake, '0s')}`,
      {
        min: 0,
        max: 30 * 86_400,
      },
    ).optional(),
    gate: gate.optional(),
    autoRollback: z.boolean().optional().meta({
      description:
        'On a failed gate, roll back the clusters that got the change (through their API servers). Default false.',
    }),
    rollbackScope: z
      .enum(['all-deployed', 'failed-wave'])
      .optional()
      .meta({ description: 'Which clusters an automatic rollback reverts. Default all-deployed.' }),
    rollbackRetry: retryPolicy.optional(),
  })
  .meta({ description: 'How a change reaches the fleet.' });

// ---------------------------------------------------------------------------------------------
// Response playbook (maps onto src/model/response/types.ts ResponseConfig)

export const CLIENT_CLASSES = [
  'agent',
  'kubelet',
  'kube-proxy',
  'coredns',
  'controller-manager',
  'scheduler',
  'operator',
] as const;

const after = z
  .union([z.enum(['start', 'detection', 'customer-impact']), z.strictObject({ action: z.string().min(1) })])
  .meta({
    description:
      'What starts the decision clock: start, detection (first alert firing in the fleet), customer-impact, or {action: NAME} (that action completed in the cluster).',
  });

const actionCommon = {
  name: z.string().min(1).max(63).meta({ description: 'Action name; other actions refer to it.' }),
  after,
  decisionDelay: duration('Human time from the trigger to starting the action. Default 0s.', {
    min: 0,
    max: 30 * 86_400,
  }).optional(),
  duration: duration(
    'Hands-on time per cluster. Default 0s. What the action does then acts in the cluster 10 s later (fleet.commandLatency, docs/decisions.md).',
    { min: 0, max: 30 * 86_400 },
  ).optional(),
  clusters: z
    .union([z.enum(['affected', 'impacted', 'all']), z.array(z.string()).min(1).max(5000)])
    .optional()
    .meta({
      description:
        'affected (clusters showing trouble when the action runs), impacted (clusters whose customers see impact then: availability below 99%), all, or a list of names. Default affected.',
    }),
  requiresApi: z
    .boolean()
    .optional()
    .meta({ description: "Wait until the cluster's API answers a probe before acting. Default false." }),
  retryEvery: duration('Wait between failed attempts. Default 1m.', { min: 1, max: 86_400 }).optional(),
  maxAttempts: integer('Attempts per cluster before giving up. Default 1.', {
    min: 1,
    max: 10_000,
  }).optional(),
  manual: z
    .boolean()
    .optional()
    .meta({ description: 'Uses one of the limited operators (true, default) or is automation (false).' }),
};

const action = z.discriminatedUnion('action', [
  z.strictObject({
    action: z.literal('kubectl-rollback'),
    workload: z
      .string()
      .min(1)
      .meta({ description: 'Workload removed through the API (kubectl delete / rollout undo).' }),
    ...actionCommon,
  }),
  z.strictObject({
    action: z.literal('scale-nodes'),
    to: fraction('Node pools scaled to this share of their current size ("50%").', { min: 0, max: 1 }),
    ...actionCommon,
  }),
  z.strictObject({
    action: z.literal('restore-nodes'),
    ...actionCommon,
  }),
  z.strictObject({
    action: z.literal('block-client-class'),
    clientClass: z
      .enum(CLIENT_CLASSES)
      .meta({ description: 'Client class whose network path to the API is changed.' }),
    blocked: z.boolean().optional().meta({ description: 'true blocks (default), false unblocks.' }),
    ...actionCommon,
  }),
  z.strictObject({
    action: z.literal('scale-apiservers'),
    replicas: integer('Target replica count.', {
      min: 1,
      max: LIMITS.apiServerReplicas.max,
      why: LIMITS.apiServerReplicas.why,
    }),
    provisioningDelay: duration(
      `Until new replicas serve (with empty caches). ${describeDefault(D.response.provisioningDelay, '10m')}`,
      {
        min: 0,
        max: 86_400,
      },
    ).optional(),
    ...actionCommon,
  }),
  z.strictObject({
    action: z.literal('apply-apf'),
    manifests: manifestRefs,
    ...actionCommon,
  }),
  z.strictObject({
    action: z.literal('kill-switch'),
    workload: z
      .string()
      .min(1)
      .meta({ description: 'Workload whose pods are stopped node by node, without the API server.' }),
    timePerNode: duration(
      `Time to reach one node. ${describeDefault(D.response.killSwitchTimePerNode, '10s')}`,
      {
        min: 0.001,
        max: 3600,
      },
    ).optional(),
    parallelism: integer(`Nodes handled at once. ${describeDefault(D.response.killSwitchParallelism)}`, {
      min: 1,
      max: 100_000,
    }).optional(),
    ...actionCommon,
  }),
  z.strictObject({
    action: z.literal('shift-traffic'),
    away: z
      .boolean()
      .optional()
      .meta({ description: 'true moves user traffic away (default), false brings it back.' }),
    ...actionCommon,
  }),
]);

const response = z
  .strictObject({
    operators: integer(`Engineers working clusters in parallel. ${describeDefault(D.response.operators)}`, {
      min: 1,
      max: 1000,
    }).optional(),
    actions: list(action, 'The playbook: actions with triggers, delays, durations and prerequisites.', 200),
  })
  .meta({ description: 'Incident response as scenario input.' });

// ---------------------------------------------------------------------------------------------
// Alerts, faults, variants

const alertRule = z
  .strictObject({
    alert: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      .meta({ description: 'Alert name (letters, digits and underscores).' }),
    expr: z.string().min(1).max(10_000).meta({
      description:
        'PromQL over the simulated metrics: selectors with = matchers, rate, increase, avg/max/min_over_time, sum, + - * /, comparisons, and, or.',
    }),
    for: duration(`Prometheus "for". ${describeDefault(D.alerts.for, '0s')}`, {
      min: 0,
      max: 7 * 86_400,
    }).optional(),
    severity: z
      .enum(['critical', 'warning', 'info'])
      .optional()
      .meta({ description: `Severity. Default labels.severity, else ${D.alerts.severity.value}.` }),
    labels: labels.optional(),
    annotations: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'Free text; annotations.summary is shown in reports.' }),
  })
  .meta({ description: 'A Prometheus alerting rule.' });

const alerts = z
  .strictObject({
    evaluationInterval: duration(
      `Rule evaluation interval. ${describeDefault(D.alerts.evaluationInterval, '30s')}`,
      {
        min: 1,
        max: 3600,
      },
    ).optional(),
    defaultRules: z.boolean().optional().meta({
      description:
        'Include the rules stormglass ships (kubernetes-mixin KubeAPIErrorBudgetBurn and KubeAPITerminatedRequests, CoreDNS SERVFAIL, APF rejections, node readiness, availability). Default true.',
    }),
    rules: list(alertRule, 'Your own rules.', 500).optional(),
  })
  .meta({ description: 'Detection: alert rules evaluated on simulated metrics like Prometheus does.' });

const fault = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('apiserver-unreachable'),
    clusters: clusterSelector.optional().meta({ description: 'Default all.' }),
    at: duration('Start, since scenario start.'),
    duration: duration('How long every replica is unreachable.', { min: 0.001, max: LIMITS.durationMax.max }),
  }),
  z.strictObject({
    kind: z.literal('coredns-restart'),
    clusters: clusterSelector.optional().meta({ description: 'Default all.' }),
    at: duration('When CoreDNS pods restart (losing their informer caches).'),
  }),
]);

const variant = z
  .strictObject({
    description: text('One line: what this variant changes.', 300).optional(),
    patch: z.record(z.string(), z.unknown()).meta({
      description:
        'A merge patch over this scenario (RFC 7386; lists of named items merge by name; null deletes). metadata and variants cannot be patched.',
    }),
  })
  .meta({ description: 'A named what-if: an overlay used by `run --variant` and `compare`.' });

export const scenarioSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION).meta({ description: `Always ${API_VERSION}.` }),
    kind: z.literal('Scenario').meta({ description: 'Always Scenario.' }),
    metadata: z.strictObject({
      name: dnsLabel('Scenario name (used by `stormglass run <name>` for built-ins and in results).'),
      description: text('One line, shown by `stormglass list`.', 300).optional(),
      labels: labels.optional(),
    }),
    duration: duration('Simulated time to run.', {
      min: 1,
      max: LIMITS.durationMax.max,
      why: LIMITS.durationMax.why,
    }),
    seed: integer(`Random seed; --seed overrides. ${describeDefault(D.seed)}`, {
      min: 0,
      max: 2 ** 32 - 1,
    }).optional(),
    resolution: duration(`Time-series resolution. ${describeDefault(D.resolution, '10s')}`, {
      min: 1,
      max: 3600,
      why: 'simulator limit: 1 s to 1 h',
    }).optional(),
    fleet: z
      .strictObject({
        trafficHeadroom: fraction(
          `How far a cluster's serving nodes can go over its normal traffic share when traffic moves to it (0.5 = +50%). ${describeDefault(D.fleet.trafficHeadroom)}`,
          { min: 0, max: 10, why: 'simulator limit: up to +1000%' },
        ).optional(),
        registryBandwidth: quantity(
          `Image registry bandwidth per region, bytes per second, shared by every node pulling there. ${describeDefault(D.fleet.registryBandwidth, '25G')}`,
          'decimal',
          { min: 1e3, max: 1e15, why: 'simulator limit' },
        ).optional(),
      })
      .optional()
      .meta({ description: 'What the clusters share: the global balancer and the image registries.' }),
    clusterDefaults: clusterDefaults.optional(),
    clusters: z
      .array(clusterEntry)
      .min(1)
      .max(LIMITS.clusters.max)
      .meta({ description: 'Clusters of the fleet.' }),
    workloads: list(workload, 'Workloads whose API load is simulated.', LIMITS.workloads.max).optional(),
    rollout: rollout.optional(),
    response: response.optional(),
    alerts: alerts.optional(),
    faults: list(fault, 'Injected faults (game days).', 1000).optional(),
    variants: z
      .record(z.string(), variant)
      .optional()
      .meta({ description: 'Named what-ifs, by name (RFC 1123 label).' }),
  })
  .meta({ title: 'stormglass Scenario', description: 'A stormglass scenario (stormglass.dev/v1alpha1).' });

export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ParsedScenario = z.output<typeof scenarioSchema>;
export type ParsedCluster = z.output<typeof clusterEntry>;
export type ParsedClusterFields = z.output<typeof clusterDefaults>;
export type ParsedWorkload = z.output<typeof workload>;
export type ParsedAccessProfile = z.output<typeof accessProfile>;
export type ParsedSelector = z.output<typeof clusterSelector>;
export type ParsedRollout = z.output<typeof rollout>;
export type ParsedGate = z.output<typeof gate>;
export type ParsedStrategy = z.output<typeof strategy>;
export type ParsedWave = z.output<typeof wave>;
export type ParsedAlertRule = z.output<typeof alertRule>;
export type ParsedAction = z.output<typeof action>;
export type ParsedAlerts = z.output<typeof alerts>;
export type ParsedFault = z.output<typeof fault>;
export type ParsedService = z.output<typeof service>;
export type ParsedServeStale = z.output<ReturnType<typeof serveStale>>;

/** The cluster fields schema, for validating a variant's clusterDefaults in isolation if needed. */
export const clusterDefaultsSchema = clusterDefaults;
