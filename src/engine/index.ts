export * from './priority.js';
export * from './random.js';
export * from './simulation.js';
export * from './time.js';
export * from './recorder.js';
export * from './process.js';
export * from './resource.js';
export * from './queueing.js';
