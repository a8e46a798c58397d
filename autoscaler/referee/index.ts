// The referee's public face: what the closed-loop runs (experiment/) reuse of the simulation, the
// policies and the traces, so that a run on real replicas and its simulated prediction share one model.
export { OBJECTIVE_SECONDS, simulate } from './sim.js';
export type { RunResult } from './sim.js';
export { IMAGES_250M } from './model.js';
export type { ServiceModel } from './model.js';
export type { Trace } from './traces.js';
export { HpaCpu } from './policies/baselines.js';
export { Ours } from './policies/ours.js';
export type { Bounds, PodCpu, PodView, World } from './policies/types.js';
