/**
 * CoreDNS as an API client only: per replica, informers on Services, EndpointSlices and Namespaces
 * under the kubeadm service account kube-system/coredns (workload-high, one flow for the whole
 * kube-system namespace), with client-go's default 5 QPS / 10 burst. DNS behaviour belongs to the
 * data plane; a data-plane model that runs its own CoreDNS informers switches these off.
 */
import type { Simulation } from '../../engine/index.js';
import type { EventLog } from '../component.js';
import type { CoreDnsConfig } from '../config.js';
import { DEFAULT_RATE, serviceAccountIdentity } from '../client/identities.js';
import { createReflector, type Reflector } from '../client/reflector.js';
import type { ClusterApi } from '../controlplane/control-plane.js';
import type { ObjectStore } from '../controlplane/object-store.js';

/** Replicas by the cluster-proportional autoscaler's linear rule (cores per node assumed 16). */
export function coreDnsReplicas(config: CoreDnsConfig, nodes: number): number {
  const r = config.replicas;
  if (r.kind === 'fixed') return r.count;
  const cores = nodes * (r.coresPerNode ?? 16);
  return Math.max(r.min, Math.ceil(nodes / r.nodesPerReplica), Math.ceil(cores / r.coresPerReplica));
}

export function createCoreDnsWatchers(
  sim: Simulation,
  options: {
    readonly api: ClusterApi;
    readonly store: ObjectStore;
    readonly log: EventLog;
    readonly cluster: string;
    readonly replicas: number;
  },
): Reflector[] {
  const identity = serviceAccountIdentity('kube-system', 'coredns', 'coredns');
  const out: Reflector[] = [];
  for (let i = 0; i < options.replicas; i++) {
    for (const [resource, apiGroup] of [
      ['services', ''],
      ['endpointslices', 'discovery.k8s.io'],
      ['namespaces', ''],
    ] as const) {
      out.push(
        createReflector(sim, options.api, {
          name: `coredns-${i}/${resource}`,
          identity,
          resource,
          apiGroup,
          objects: () => options.store.get(resource).count,
          client: DEFAULT_RATE,
          log: options.log,
          cluster: options.cluster,
        }),
      );
    }
  }
  return out;
}
