export * from './random.js';
export * from './simulation.js';
export * from './time.js';
export * from './recorder.js';
