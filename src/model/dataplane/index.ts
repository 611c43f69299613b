/**
 * The data plane: CoreDNS, NodeLocal DNSCache, client resolvers, pods and endpoints, and the
 * user-facing services that depend on them. See docs/dataplane.md.
 */
export type { InformerFactory, ReplicaAnswer, WarmableInformer } from './coredns.js';
export {
  createDataPlane,
  type DataPlane,
  type DataPlaneOptions,
  type DataPlaneSummary,
} from './dataplane.js';
export {
  CacheCohort,
  type CacheCohortConfig,
  type CohortStep,
  directLookup,
  type UpstreamOutcome,
} from './dns-cache.js';
export { DATAPLANE_PARAMETERS } from './parameters.js';
