export * from './alert-engine.js';
export * from './default-rules.js';
export * from './types.js';
