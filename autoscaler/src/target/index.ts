export * from './types.js';
export * from './deployment.js';
export { statusOf, toTargetError } from './kube-errors.js';
