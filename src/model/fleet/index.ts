export * from './balancer.js';
export * from './fleet.js';
export * from './milestones.js';

/**
 * Clusters with at least this many nodes count as "large" for the changeReachedLargeCluster
 * milestone (docs/results.md). Fitted: the postmortem only says the impact was "specific to
 * clusters exceeding a certain size"; 2,000 nodes is where a per-node, cluster-size-proportional
 * LIST on a default 3-replica control plane starts to exceed its CPU (docs/fm-009.md).
 */
export const LARGE_CLUSTER_NODES = 2000;
