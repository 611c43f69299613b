/**
 * API Priority and Fairness (and the legacy max-in-flight filter) for one kube-apiserver replica.
 * See apf-filter.ts for the entry point and priority-level.ts for fair queuing.
 */
export { type ApfInspection, createApfFilter, type LevelSnapshot } from './apf-filter.js';
export * from './bootstrap.js';
export { type DigestedConfig, digestConfiguration, type LevelSpec } from './config.js';
export { APF_PARAMETERS, requestWaitLimit } from './parameters.js';
export { ApfRequest, membersAtOnce } from './priority-level.js';
export type { ApfFilter, ApfOptions, Classification } from './types.js';
export type { WorkEstimate, WorkInput } from './work-estimator.js';
