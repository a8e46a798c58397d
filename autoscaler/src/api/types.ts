// TypeScript view of the LatencyAutoscaler custom resource (laas.dev/v1alpha1).
// The OpenAPI schema in ./crd.ts is the single source of validation and defaults; these types
// describe what a reader sees after the API server has applied those defaults. Fields that have a
// schema default are still optional here, because an object read from an older API server (or
// built by hand in a test) may lack them: `resolveSpec` fills them in one place.

export const GROUP = 'laas.dev';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const KIND = 'LatencyAutoscaler';
export const PLURAL = 'latencyautoscalers';
export const SINGULAR = 'latencyautoscaler';
export const SHORT_NAMES = ['lat'];

export interface ScaleTargetRef {
  apiVersion?: string; // only apps/v1
  kind: 'Deployment';
  name: string;
}

export interface Objective {
  /** The latency quantile that must stay under `latencyMilliseconds`; 0.99 means p99. */
  quantile?: number;
  latencyMilliseconds?: number;
}

export interface Capacity {
  /** Requests per second one replica serves within the objective. Absent: learned. */
  rpsPerReplica?: number;
  /** The share of capacity to plan for; 0.7 leaves 30% head room for bursts inside one window. */
  targetUtilization?: number;
  /** Learning never takes the capacity below this (default: half the configured one, else 1). */
  minRpsPerReplica?: number;
  /** A learned capacity returns halfway to the configured one in this many seconds (default 600). */
  halfLifeSeconds?: number;
}

export interface MetricQueries {
  /** PromQL returning one series: requests per second over the short window. */
  rps: string;
  /** PromQL returning one series: requests per second over the long window (defaults to `rps`). */
  rpsLong?: string;
  /** PromQL returning one series: the latency quantile in seconds. */
  latency: string;
  /** PromQL returning one series: the fraction of requests within the objective (0..1). */
  withinObjective?: string;
  /** PromQL returning one series: CPU seconds per second of all replicas (cost of a request). */
  cpu?: string;
}

export interface MetricsSpec {
  prometheusUrl: string;
  /** Label matchers picking the service's series, e.g. `{service="images"}` or `job="images"`. */
  selector?: string;
  /** Explicit queries instead of the selector. */
  queries?: MetricQueries;
  /** Prometheus' scrape interval for these series; windows must be at least 4x of it. */
  scrapeIntervalSeconds?: number;
  shortWindowSeconds?: number;
  longWindowSeconds?: number;
  /** A reading older than this is stale and the autoscaler holds. */
  maxAgeSeconds?: number;
  /** Unusable metrics hold the replica count this long, then `fallbackReplicas` applies (default 60). */
  noDataHoldSeconds?: number;
  /**
   * Read `http_requests_received_total` (requests counted as they arrive, before the handler) and
   * size from it too (default true). Off: sizing from the completed-request rates alone.
   */
  useArrivals?: boolean;
}

export interface ScaleUpBehavior {
  /** A higher recommendation must persist this long before acting (a burst skips it). */
  windowSeconds?: number;
  /** Short-window RPS at or above this multiple of the planned capacity is a burst. */
  burstThreshold?: number;
  /** At most this many percent more replicas per step ... */
  maxStepPercent?: number;
  /** ... or this many replicas, whichever is larger. */
  maxStepReplicas?: number;
  /**
   * A latency breach the load does not explain, with no CPU evidence either way, holds at most
   * this long; then one replica is added (and again after as long, while it lasts). Default 60.
   */
  unexplainedLatencySeconds?: number;
}

export interface ScaleDownBehavior {
  /** The highest recommendation of this window is used when going down. */
  windowSeconds?: number;
  /** The minimum time after any scale before scaling down. */
  holdSeconds?: number;
  /** At most this many percent fewer replicas per step (50: at most halve). */
  maxStepPercent?: number;
  /** A dead band in replicas (not percent): go down only if the load fits with this much to spare. */
  hysteresisReplicas?: number;
}

export interface Behavior {
  scaleUp?: ScaleUpBehavior;
  scaleDown?: ScaleDownBehavior;
}

export interface LatencyAutoscalerSpec {
  scaleTargetRef: ScaleTargetRef;
  minReplicas?: number;
  maxReplicas: number;
  objective?: Objective;
  capacity?: Capacity;
  metrics: MetricsSpec;
  behavior?: Behavior;
  /**
   * Replicas to go to when the metrics stay unusable for longer than `metrics.noDataHoldSeconds`
   * (as KEDA's fallback.replicas); never a scale-down. Absent: hold the current count.
   */
  fallbackReplicas?: number;
}

export type ConditionType = 'Ready' | 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface Condition {
  type: ConditionType;
  status: ConditionStatus;
  /** PascalCase, machine-readable. */
  reason: string;
  message: string;
  lastTransitionTime: string;
}

export interface LatencyAutoscalerStatus {
  observedGeneration?: number;
  replicas?: number;
  readyReplicas?: number;
  desiredReplicas?: number;
  /** Numbers are strings where they are fractional, so that status diffs are stable and JSON-safe. */
  observedRPS?: string;
  /** Requests per second counted as they arrive; absent when none were read. */
  observedArrivingRPS?: string;
  observedLatencyMilliseconds?: string;
  rpsPerReplica?: string;
  capacityEstimate?: string;
  /** Configured, Learned, LowerBound or None: which capacity `capacityEstimate` is. */
  capacitySource?: string;
  lastScaleTime?: string;
  /** What the decision windows need to survive a restart or a leader change. */
  memory?: DeciderMemory;
  conditions?: Condition[];
}

/** Times are RFC 3339, numbers strings (3 significant digits), as elsewhere in the status. */
export interface DeciderMemory {
  /** The capacity estimate was set at this time (a learned one decays from here). */
  capacityEstimateTime?: string;
  /** CPU seconds per request at which the capacity holds, and the last measured ratio to it. */
  costPerRequestSeconds?: string;
  costRatio?: string;
  /** The highest recommendation of the scale-down window, and (to 30 s) when it was last made. */
  highestRecommendation?: number;
  highestRecommendationTime?: string;
  burstUntil?: string;
  metricsMissingSince?: string;
  unexplainedLatencySince?: string;
}

export interface ObjectMeta {
  name: string;
  namespace: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
}

export interface LatencyAutoscaler {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: ObjectMeta;
  spec: LatencyAutoscalerSpec;
  status?: LatencyAutoscalerStatus;
}
