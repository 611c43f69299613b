export * from './default-gate.js';
export * from './plan.js';
export * from './rollout-controller.js';
export * from './types.js';
