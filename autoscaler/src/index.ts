export * from './api/types.js';
export * from './api/crd.js';
export * from './api/yaml.js';
export * from './metrics/types.js';
export * from './decider/index.js';
