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
  /**
   * RPS per replica within the objective at the basis cost per request, as last set (learned or
   * configured); null until known. A learned value decays toward the configured one from
   * `capacityAt` (see currentCapacity).
   */
  capacityEstimate: number | null;
  capacityAt: number | null;
  capacitySource: CapacitySource;
  /** CPU seconds per request at which the capacity holds (see assessCost); null until seen. */
  costBasis: number | null;
  /** The last measured cost ratio (1 within the band), kept while the load is too low to measure. */
  costRatio: number;
  /** Epoch ms since which the metrics have been unusable (bounded hold, then fallback). */
  noDataSince: number | null;
  /** Epoch ms since which a breach has been blamed on something other than load, unconfirmed. */
  unexplainedSince: number | null;
  /** Epoch ms until which a burst is considered in progress (no scale-down before it). */
  burstUntil: number | null;
  /** Epoch ms of the last scale this decider asked for. */
  lastScaleTime: number | null;
  /**
   * Epoch ms of this decider's first usable reading. Until a long window has passed since, rates
   * may under-read (a new series' first window) and nothing is scaled down.
   */
  observingSince: number | null;
  /**
   * The highest RPS per ready replica recently served within the objective, and when it was last
   * confirmed. A breach at or below that load is not the load's fault (see learnCapacity).
   */
  healthy: { rpsPerReplica: number; at: number } | null;
}

export const INITIAL_STATE: DeciderState = {
  recommendations: [],
  capacityEstimate: null,
  capacityAt: null,
  capacitySource: 'None',
  costBasis: null,
  costRatio: 1,
  noDataSince: null,
  unexplainedSince: null,
  burstUntil: null,
  lastScaleTime: null,
  observingSince: null,
  healthy: null,
};

/**
 * Scale: desired differs from current, act. Hold: the numbers were read and the answer is "stay".
 * NoData: the numbers could not be trusted; stay (only min/max bounds are still enforced).
 */
export type Outcome = 'Scale' | 'Hold' | 'NoData';

/** Who the decider blames for the latency it sees. */
export type Attribution = 'WithinObjective' | 'Load' | 'Downstream' | 'Unknown';

/**
 * Which capacity sizing uses: the configured one; one learned from a breach (decaying back to the
 * configured one); only a lower bound (healthy at that load, nothing configured: good for going
 * down, never a reason to go up); none yet.
 */
export type CapacitySource = 'Configured' | 'Learned' | 'LowerBound' | 'None';

/** Why the metrics could not be used. */
export type MetricsReason =
  'MetricsMissing' | 'MetricsUnavailable' | 'MetricsInvalid' | 'MetricsStale' | 'MetricsContradictory';

/** Every reason a decision or one of its steps can give (PascalCase, machine-readable). */
export type Reason =
  | MetricsReason
  | 'MetricsFallback'
  | 'CapacityUnknown'
  | 'CapacityLowerBoundOnly'
  | 'LoadAboveCapacity'
  | 'LoadBelowCapacity'
  | 'LoadMatchesCapacity'
  | 'CostPerRequestChanged'
  | 'LatencyAboveObjective'
  | 'LatencyNotExplainedByLoad'
  | 'UnexplainedLatencyTimeout'
  | 'DownstreamSlowdown'
  | 'WaitingForStartingReplicas'
  | 'ScaleUpStabilized'
  | 'ScaleDownStabilized'
  | 'BurstInProgress'
  | 'ScaleDownHold'
  | 'ScaleUpLimit'
  | 'ScaleDownLimit'
  | 'TooFewReplicas'
  | 'TooManyReplicas';

/** One named step of normalisation and what it did; reasons are PascalCase. */
export interface Step {
  step: 'NoData' | 'Size' | 'Unexplained' | 'Stabilize' | 'BurstGuard' | 'Hold' | 'RateLimit' | 'Clamp';
  from: number;
  to: number;
  reason: Reason;
}

export interface Observed {
  rps: number;
  /** Requests per second counted as they arrive, when the reading had a usable value. */
  arrivingRps: number | null;
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
  reason: Reason;
  /** A sentence with the numbers behind it. */
  message: string;
  /** Only the steps that changed the number. */
  steps: Step[];
  observed: Observed | null;
  /** The capacity sizing used (RPS per replica at today's cost per request), and where it came from. */
  capacityEstimate: number | null;
  capacitySource: CapacitySource;
  /** Cost per request now / the basis cost; 1 when unknown or within the band. */
  costRatio: number;
  attribution: Attribution;
  burst: boolean;
  /** Set when the metrics could not be used (outcome NoData). */
  metricsProblem: { reason: MetricsReason; message: string } | null;
}

export interface DecideResult {
  decision: Decision;
  state: DeciderState;
}
