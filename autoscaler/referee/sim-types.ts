// What one simulated run is given and what it reports.
import type { ServiceModel } from './model.js';

export interface TimelinePoint {
  t: number;
  offeredRps: number;
  replicas: number;
  ready: number;
  /** True p99 of the requests that arrived in this step (seconds), null without any. */
  p99: number | null;
  violating: number;
}

export interface RunResult {
  trace: string;
  family: string;
  setting: string;
  seed: number;
  requests: number;
  violating: number;
  failed: number;
  replicaSeconds: number;
  directionChanges: number;
  scaleEvents: number;
  /** Seconds from the trace's step until the last 5 s with over 1 % violating requests (null: no step). */
  recoverySeconds: number | null;
  timeline: TimelinePoint[];
}

export interface RunOptions {
  model: ServiceModel;
  minReplicas: number;
  maxReplicas: number;
  /** Keep the timeline (memory): only for the runs that are drawn. */
  timeline: boolean;
  /** A leader change of our autoscaler at this time (seconds), for policies that support it. */
  failoverAt?: number;
  /** Unmeasured seconds at the trace's starting load before it begins (0: a cold start). */
  warmupSeconds?: number;
}
