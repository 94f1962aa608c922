export * from './aggregate.js';
export * from './errors.js';
export * from './figures.js';
export * from './locks.js';
export * from './status.js';
export * from './submit.js';
export * from './targets.js';
