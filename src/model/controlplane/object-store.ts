/**
 * What etcd holds, per resource: object counts derived from the cluster's shape, protobuf sizes,
 * and write counters that drive watch-cache and fan-out work. Counts follow scaling and workloads.
 */
import type { ParameterDeclaration } from '../component.js';

export interface ResourceInfo {
  readonly name: string;
  /** Position in ObjectStore.resources (per-resource state elsewhere is kept in arrays by it). */
  readonly index: number;
  readonly apiGroup: string;
  /** Protobuf size of one object as stored in etcd, bytes. */
  readonly bytes: number;
  /** The watch cache indexes this resource by node (pods: spec.nodeName, SelectorIndex). */
  readonly isNodeIndexed: boolean;
  /** Objects stored now. */
  count: number;
  /** Writes committed so far (weighted), read by each replica's cacher. */
  writes: number;
}

export interface ObjectStore {
  get(resource: string): ResourceInfo;
  /** Every resource with a watch cache, in a stable order. */
  readonly resources: readonly ResourceInfo[];
  readonly nodes: number;
  readonly namespaces: number;
  /** Recomputes shape-derived counts for a new node count (scaling). */
  setNodes(nodes: number): void;
  /** Pods added by workloads beyond the base pods per node (DaemonSet pods), may be negative. */
  addPods(delta: number): void;
  /** Workload pods per node on average (what a kubelet's pod list returns beyond podsPerNode). */
  readonly extraPodsPerNode: number;
  /** Total protobuf bytes of every object (watch-cache sizing). */
  totalBytes(): number;
}

const KIB = 1024;

/** Sizes (bytes) and shape rules; sizes are fitted unless a source says otherwise. */
export const OBJECT_SIZES = {
  pods: 4 * KIB,
  nodes: 16 * KIB,
  leases: 0.4 * KIB,
  endpointslices: 4 * KIB,
  services: 1 * KIB,
  namespaces: 0.5 * KIB,
  configmaps: 4 * KIB,
  secrets: 2 * KIB,
  serviceaccounts: 0.5 * KIB,
  deployments: 4 * KIB,
  replicasets: 4 * KIB,
  daemonsets: 4 * KIB,
  default: 2 * KIB,
} as const;

/** Services per node when the scenario does not say (shared with the data-plane model). */
export const SERVICES_PER_NODE = 1.64;
/** Services per namespace on average. */
export const SERVICES_PER_NAMESPACE = 20;

export const OBJECT_STORE_PARAMETERS: readonly ParameterDeclaration[] = [
  {
    name: 'objects.pod.bytes',
    value: OBJECT_SIZES.pods,
    unit: 'bytes',
    source: 'k8s-mechanics §3.3 ("pod sizes of a few KB in protobuf ... typical but unverified")',
    fitted:
      '4 KiB: a production pod with status, managedFields, env and volumes in protobuf; kubemark pods are ~2 KiB, real ones often larger.',
  },
  {
    name: 'objects.node.bytes',
    value: OBJECT_SIZES.nodes,
    unit: 'bytes',
    source: 'KEP-589 (efficient node heartbeats): Node objects of 15-20 KB (§4)',
  },
  {
    name: 'objects.lease.bytes',
    value: OBJECT_SIZES.leases,
    unit: 'bytes',
    source: 'fitted',
    fitted: 'A Lease is metadata plus four spec fields; KEP-589 sized them to make heartbeats cheap.',
  },
  {
    name: 'objects.endpointslice.bytes',
    value: OBJECT_SIZES.endpointslices,
    unit: 'bytes',
    source: 'fitted',
    fitted: 'About 30 endpoints of ~100 bytes plus metadata.',
  },
  {
    name: 'objects.service.bytes',
    value: OBJECT_SIZES.services,
    unit: 'bytes',
    source: 'fitted',
    fitted: 'Small spec plus metadata.',
  },
  {
    name: 'objects.default.bytes',
    value: OBJECT_SIZES.default,
    unit: 'bytes',
    source: 'fitted',
    fitted: 'Any other resource (configmaps 4 KiB, secrets 2 KiB, workloads 4 KiB, namespaces 0.5 KiB).',
  },
  {
    name: 'objects.servicesPerNode',
    value: SERVICES_PER_NODE,
    unit: 'services/node',
    source:
      'kubernetes/dns docs/scaling (Scaling_CoreDNS.md) e2e perf data: 820 Services at 500 nodes ... 8,200 at 5,000; one EndpointSlice per Service',
  },
  {
    name: 'objects.shape',
    value:
      'per namespace: 3 ConfigMaps, 4 Secrets, 3 ServiceAccounts; per Service: 1 EndpointSlice, 1 Deployment, 3 ReplicaSets; leases = nodes + 10',
    unit: 'objects',
    source: 'fitted',
    fitted:
      'Only pods, nodes, leases, Services and EndpointSlices matter for the FM-009 path; the rest sizes the watch cache and the cache rebuild after a restart.',
  },
  {
    name: 'objects.servicesPerNamespace',
    value: SERVICES_PER_NAMESPACE,
    unit: 'services/namespace',
    source: 'fitted',
    fitted: 'Gives 250 namespaces at 5,000 Services, far below the 10,000 threshold (§8).',
  },
];

function sizeOf(resource: string): number {
  return (OBJECT_SIZES as Record<string, number>)[resource] ?? OBJECT_SIZES.default;
}

const GROUPS: Record<string, string> = {
  leases: 'coordination.k8s.io',
  endpointslices: 'discovery.k8s.io',
  deployments: 'apps',
  replicasets: 'apps',
  daemonsets: 'apps',
};

/** `services`: fixed Service count (scenario), or undefined for SERVICES_PER_NODE x nodes. */
export function createObjectStore(nodes: number, podsPerNode: number, serviceCount?: number): ObjectStore {
  const byName = new Map<string, ResourceInfo>();
  /** Every name asked for (resources and subresources) and what it resolves to. */
  const aliases = new Map<string, ResourceInfo>();
  const resources: ResourceInfo[] = [];
  let nodeCount = nodes;
  let extraPods = 0;
  let namespaceCount = 1;

  const define = (name: string, isNodeIndexed = false): ResourceInfo => {
    const info: ResourceInfo = {
      name,
      index: resources.length,
      apiGroup: GROUPS[name] ?? '',
      bytes: sizeOf(name),
      isNodeIndexed,
      count: 0,
      writes: 0,
    };
    byName.set(name, info);
    resources.push(info);
    return info;
  };
  const pods = define('pods', true);
  const nodeObjects = define('nodes');
  const leases = define('leases');
  const endpointslices = define('endpointslices');
  const services = define('services');
  const namespaces = define('namespaces');
  const configmaps = define('configmaps');
  const secrets = define('secrets');
  const serviceaccounts = define('serviceaccounts');
  const deployments = define('deployments');
  const replicasets = define('replicasets');
  const daemonsets = define('daemonsets');

  const recompute = (): void => {
    const basePods = nodeCount * podsPerNode;
    pods.count = basePods + extraPods;
    nodeObjects.count = nodeCount;
    // Node leases plus leader-election leases (KCM, scheduler, apiserver identity leases).
    leases.count = nodeCount + 10;
    services.count =
      serviceCount === undefined ? Math.max(10, Math.ceil(SERVICES_PER_NODE * nodeCount)) : serviceCount;
    endpointslices.count = services.count;
    namespaceCount = Math.max(5, Math.ceil(services.count / SERVICES_PER_NAMESPACE));
    namespaces.count = namespaceCount;
    configmaps.count = namespaceCount * 3;
    secrets.count = namespaceCount * 4;
    serviceaccounts.count = namespaceCount * 3;
    deployments.count = services.count;
    replicasets.count = services.count * 3;
    daemonsets.count = Math.max(daemonsets.count, 5);
  };
  recompute();

  return {
    get(name) {
      // NOTE: runs per request: one lookup, subresource names included once seen (aliases).
      const known = aliases.get(name);
      if (known !== undefined) return known;
      // Subresources (nodes/status, pods/binding) are stored with their parent.
      const slash = name.indexOf('/');
      const resource = slash < 0 ? name : name.slice(0, slash);
      let info = byName.get(resource);
      if (!info) {
        // A resource the shape does not know (a CRD an agent reads): small and empty until written.
        info = define(resource);
        info.count = 100;
      }
      aliases.set(name, info);
      return info;
    },
    resources,
    get nodes() {
      return nodeCount;
    },
    get namespaces() {
      return namespaceCount;
    },
    setNodes(n) {
      nodeCount = n;
      recompute();
    },
    addPods(delta) {
      extraPods = Math.max(0, extraPods + delta);
      recompute();
    },
    get extraPodsPerNode() {
      return nodeCount > 0 ? extraPods / nodeCount : 0;
    },
    totalBytes() {
      let total = 0;
      for (const r of resources) total += r.count * r.bytes;
      return total;
    },
  };
}
