import type { ResolvedSpec } from '../api/crd.js';
import type { MetricReading } from '../metrics/types.js';

/** What the scale target reports: `replicas` includes starting ones, `readyReplicas` serve now. */
export interface TargetObservation {
  replicas: number;
  readyReplicas: number;
}

export interface DeciderInput {
  spec: ResolvedSpec;
  target: TargetObservation;
  reading: MetricReading;
}

export interface Recommendation {
  /** Epoch milliseconds. */
  at: number;
  replicas: number;
}

/**
 * Everything the decider remembers between evaluations. Owned by the caller (the reconciler keeps
 * one per LatencyAutoscaler and persists `capacityEstimate` in status), passed in, and returned
 * anew: the decider itself holds nothing.
 */
export interface DeciderState {
  recommendations: readonly Recommendation[];
  /** Learned RPS per replica within the objective; null until first learned. */
  capacityEstimate: number | null;
  /** Epoch ms until which a burst is considered in progress (no scale-down before it). */
  burstUntil: number | null;
  /** Epoch ms of the last scale this decider asked for. */
  lastScaleTime: number | null;
  /**
   * The highest RPS per ready replica recently served within the objective, and when it was last
   * confirmed. A breach at or below that load is not the load's fault (see learnCapacity).
   */
  healthy: { rpsPerReplica: number; at: number } | null;
}

export const INITIAL_STATE: DeciderState = {
  recommendations: [],
  capacityEstimate: null,
  burstUntil: null,
  lastScaleTime: null,
  healthy: null,
};

/**
 * Scale: desired differs from current, act. Hold: the numbers were read and the answer is "stay".
 * NoData: the numbers could not be trusted; stay (only min/max bounds are still enforced).
 */
export type Outcome = 'Scale' | 'Hold' | 'NoData';

/** Who the decider blames for the latency it sees. */
export type Attribution = 'WithinObjective' | 'Load' | 'Downstream' | 'Unknown';

/** One named step of normalisation and what it did; reasons are PascalCase. */
export interface Step {
  step: 'Size' | 'Stabilize' | 'BurstGuard' | 'Hold' | 'RateLimit' | 'Clamp';
  from: number;
  to: number;
  reason: string;
}

export interface Observed {
  rps: number;
  latencySeconds: number | null;
  withinObjective: number | null;
  /** Short-window RPS per ready replica; null without ready replicas. */
  rpsPerReplica: number | null;
}

export interface Decision {
  outcome: Outcome;
  currentReplicas: number;
  desiredReplicas: number;
  /** The PascalCase reason for the final number, e.g. `LoadAboveCapacity`, `ScaleDownStabilized`. */
  reason: string;
  /** A sentence with the numbers behind it. */
  message: string;
  /** Only the steps that changed the number. */
  steps: Step[];
  observed: Observed | null;
  capacityEstimate: number | null;
  attribution: Attribution;
  burst: boolean;
  /** Set when the metrics could not be used (outcome NoData). */
  metricsProblem: { reason: string; message: string } | null;
}

export interface DecideResult {
  decision: Decision;
  state: DeciderState;
}
