export * from './types.js';
export type * from './source.js';
export * from './prometheus.js';
