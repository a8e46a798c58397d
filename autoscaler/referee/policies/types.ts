// What a policy under test sees of the simulated world, and the one thing it can do: scale.
// Each policy reads through the pipeline its real counterpart uses (Prometheus, metrics-server,
// Knative's own per-second stats, a router's latency log); in a metrics outage that pipeline
// answers nothing.

/** A pod as the HPA's replica calculator sees it. */
export interface PodView {
  id: number;
  /** Pending until the container runs; the HPA ignores pending pods for CPU. */
  phase: 'Pending' | 'Running';
  ready: boolean;
  /** Seconds (simulation time). */
  startTime: number;
  /** When the Ready condition last changed (the start if it never did). */
  readyTransitionTime: number;
  /** Being deleted (draining): the HPA ignores it. */
  deleting: boolean;
}

/** One metrics-server reading: average cores over `window` seconds ending at `timestamp`. */
export interface PodCpu {
  cores: number;
  timestamp: number;
  window: number;
}

/** Prometheus as a query API (null answers: no series had a value). */
export interface PrometheusView {
  sumRate(metric: 'requests' | 'cpu' | { bucket: number }, range: number): number | null;
  quantile(q: number, range: number): number | null;
  newestSample(): number | null;
}

export interface World {
  /** Simulation seconds. */
  now: number;
  /** The scale subresource: spec.replicas (asked for) and ready ones. */
  replicas: number;
  readyReplicas: number;
  pods(): PodView[];
  /** metrics-server; null in an outage. */
  podCpu(): Map<number, PodCpu> | null;
  /** Prometheus; null in an outage (queries fail). */
  prometheus(): PrometheusView | null;
  /**
   * Knative's collector: requests arriving at the pods' queue-proxies per second (failed,
   * rejected and timed-out ones included), averaged over the last `seconds`; null in an outage.
   */
  knativeRps(seconds: number): number | null;
  /**
   * Knative's collector in concurrency mode: the time-averaged number of requests in flight at
   * the pods (summed over pods) over the last `seconds`; null in an outage. Absent in worlds
   * without such a collector (the closed loop's).
   */
  knativeConcurrency?(seconds: number): number | null;
  /** The router's p-quantile of responses in the last `seconds`; null in an outage or without traffic. */
  routerQuantile(q: number, seconds: number): number | null;
  scale(replicas: number): void;
}

export interface Policy {
  /** e.g. "HPA (CPU)". */
  readonly family: string;
  /** The setting of its own target, e.g. "70%". */
  readonly setting: string;
  /** Seconds between evaluations (its sync period or tick). */
  readonly periodSeconds: number;
  evaluate(world: World): void | Promise<void>;
}

export interface Bounds {
  minReplicas: number;
  maxReplicas: number;
}
