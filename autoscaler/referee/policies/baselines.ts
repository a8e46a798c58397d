// The baselines, each reading through its own real pipeline (see types.ts).
import type { Bounds, Policy, World } from './types.js';
import {
  DEFAULT_SCALE_DOWN,
  DEFAULT_SCALE_UP,
  HpaNormalizer,
  externalPerPodReplicas,
  resourceReplicas,
} from './hpa.js';

/** The replica's CPU request: 250m, as the chart sets it (and the quota the model enforces). */
export const CPU_REQUEST_CORES = 0.25;

/** HPA v2 on CPU utilisation (Resource metric, metrics-server), 15 s sync. */
export class HpaCpu implements Policy {
  readonly family = 'HPA (CPU)';
  readonly periodSeconds = 15;
  readonly setting: string;
  private readonly normalizer: HpaNormalizer;

  constructor(
    private readonly targetPercent: number,
    private readonly bounds: Bounds,
    /** Each pod's CPU request in cores (the closed-loop run's replicas request 100m). */
    private readonly requestCores = CPU_REQUEST_CORES,
    /** behavior.scaleDown.stabilizationWindowSeconds (default 300 s). */
    scaleDownWindowSeconds = DEFAULT_SCALE_DOWN.stabilizationWindowSeconds,
  ) {
    this.setting =
      scaleDownWindowSeconds === DEFAULT_SCALE_DOWN.stabilizationWindowSeconds
        ? `${targetPercent}%`
        : `${targetPercent}%, down ${scaleDownWindowSeconds} s`;
    this.normalizer = new HpaNormalizer(DEFAULT_SCALE_UP, {
      ...DEFAULT_SCALE_DOWN,
      stabilizationWindowSeconds: scaleDownWindowSeconds,
    });
  }

  evaluate(w: World): void {
    const current = w.replicas;
    const metrics = w.podCpu();
    if (metrics === null) return; // "failed to get cpu utilization": no change this sync
    const r = resourceReplicas(current, w.pods(), metrics, this.requestCores, this.targetPercent, w.now);
    if (r === null) return;
    const desired = this.normalizer.normalize(
      current,
      r.replicas,
      this.bounds.minReplicas,
      this.bounds.maxReplicas,
      w.now,
    );
    if (desired !== current) {
      this.normalizer.recordScale(current, desired, w.now);
      w.scale(desired);
    }
  }
}

/** One Prometheus query's answer as KEDA's scaler reads it: the values of the series it returned, or an error (a non-2xx, an unreachable server). */
export type PromAnswer = { kind: 'ok'; series: readonly number[] } | { kind: 'error'; message: string };

/**
 * What KEDA's Prometheus scaler makes of a query's answer (kedacore/keda v2.16
 * pkg/scalers/prometheus_scaler.go, ExecutePromQuery): an empty result or an infinite value reads
 * as 0 when `ignoreNullValues` is true (its default), else it is an error; several series are an
 * error (the query must aggregate to one); so is a failed request.
 */
export function prometheusScalerValue(
  answer: PromAnswer,
  ignoreNullValues = true,
): { kind: 'ok'; value: number } | { kind: 'error'; message: string } {
  if (answer.kind === 'error') return answer;
  if (answer.series.length === 0)
    return ignoreNullValues ? { kind: 'ok', value: 0 } : { kind: 'error', message: 'the result is empty' };
  if (answer.series.length > 1) return { kind: 'error', message: 'the query returned multiple elements' };
  const v = answer.series[0]!;
  if (!Number.isFinite(v))
    return ignoreNullValues
      ? { kind: 'ok', value: 0 }
      : { kind: 'error', message: `the query returned ${v}` };
  return { kind: 'ok', value: v };
}

export interface FallbackSpec {
  failureThreshold: number;
  replicas: number;
}

/**
 * KEDA's fallback (kedacore/keda v2.16 pkg/fallback/fallback.go, GetMetricsWithFallback), for a
 * metric with an AverageValue target: a good reading resets the failure count; a failure adds
 * one, and once the count is *more than* `failureThreshold` KEDA answers `replicas x target`
 * (10 replicas at an AverageValue of 10: 100), so the HPA's ceil(100 / 10) asks for exactly the
 * fallback replicas. Without a fallback, or below the threshold, the error goes to the HPA,
 * which then leaves the scale as it is.
 */
export function withFallback(
  reading: { kind: 'ok'; value: number } | { kind: 'error'; message: string },
  failures: number,
  averageValue: number,
  fallback: FallbackSpec | null,
): { result: { kind: 'ok'; value: number } | { kind: 'error'; message: string }; failures: number } {
  if (reading.kind === 'ok') return { result: reading, failures: 0 };
  const n = failures + 1;
  if (
    fallback !== null &&
    fallback.failureThreshold >= 0 &&
    fallback.replicas >= 0 &&
    n > fallback.failureThreshold
  )
    return { result: { kind: 'ok', value: fallback.replicas * averageValue }, failures: n };
  return { result: reading, failures: n };
}

/**
 * KEDA's Prometheus scaler (kedacore/keda v2.16) feeding an HPA an External metric with an
 * AverageValue target. The query is `sum(rate(http_requests_total[1m]))`; with
 * `useCachedMetrics` false (the default) the metrics adapter runs it at every HPA sync (15 s),
 * so the HPA sees a value at most one sync old; `pollingInterval` (30 s) only drives activation
 * (0 <-> 1 replicas), which minReplicas 1 never uses. Fallback after more than
 * `failureThreshold` (3) consecutive failed queries: the fourth, 60 s into an outage.
 * `scaleDownWindowSeconds` is the HPA's `behavior.scaleDown.stabilizationWindowSeconds`
 * (advanced.horizontalPodAutoscalerConfig in the ScaledObject), 300 s by default.
 */
export class Keda implements Policy {
  readonly family = 'KEDA (HPA on RPS)';
  readonly periodSeconds = 15;
  readonly setting: string;
  private readonly normalizer: HpaNormalizer;
  /** The ScaledObject's status.health[metric].numberOfFailures. */
  failures = 0;

  constructor(
    private readonly targetRpsPerReplica: number,
    private readonly bounds: Bounds,
    private readonly fallbackReplicas: number,
    scaleDownWindowSeconds = DEFAULT_SCALE_DOWN.stabilizationWindowSeconds,
    private readonly rangeSeconds = 60,
    private readonly failureThreshold = 3,
  ) {
    this.setting =
      scaleDownWindowSeconds === DEFAULT_SCALE_DOWN.stabilizationWindowSeconds
        ? `${targetRpsPerReplica} RPS`
        : `${targetRpsPerReplica} RPS, down ${scaleDownWindowSeconds} s`;
    this.normalizer = new HpaNormalizer(DEFAULT_SCALE_UP, {
      ...DEFAULT_SCALE_DOWN,
      stabilizationWindowSeconds: scaleDownWindowSeconds,
    });
  }

  /** One query through the scaler and the fallback, as the metrics adapter serves the HPA. */
  private query(w: World): { kind: 'ok'; value: number } | { kind: 'error'; message: string } {
    const p = w.prometheus();
    const rps = p === null ? null : p.sumRate('requests', this.rangeSeconds);
    const answer: PromAnswer =
      p === null
        ? { kind: 'error', message: 'connection refused' }
        : { kind: 'ok', series: rps === null ? [] : [rps] };
    const { result, failures } = withFallback(
      prometheusScalerValue(answer),
      this.failures,
      this.targetRpsPerReplica,
      { failureThreshold: this.failureThreshold, replicas: this.fallbackReplicas },
    );
    this.failures = failures;
    return result;
  }

  evaluate(w: World): void {
    const value = this.query(w);
    if (value.kind === 'error') return; // FailedGetExternalMetric: the HPA leaves the scale
    const current = w.replicas;
    const proposal = externalPerPodReplicas(current, value.value, this.targetRpsPerReplica);
    const desired = this.normalizer.normalize(
      current,
      proposal,
      this.bounds.minReplicas,
      this.bounds.maxReplicas,
      w.now,
    );
    if (desired !== current) {
      this.normalizer.recordScale(current, desired, w.now);
      w.scale(desired);
    }
  }
}

export interface KpaSpec {
  /** Per pod, already times the target utilisation: RPS 210 x 0.7 = 147, or concurrency 100 x 0.7 = 70. */
  targetValue: number;
  /** As a ratio: the default 200 % is 2. */
  panicThreshold: number;
  maxScaleUpRate: number;
  maxScaleDownRate: number;
  stableWindowSeconds: number;
}

/**
 * The decision of Knative's autoscaler (knative/serving v1.16 pkg/autoscaler/scaling/
 * autoscaler.go, `Scale`), as a pure step with its two pieces of memory (panic time, most pods
 * asked for while panicking). Worked example, target 10 per pod, 2 ready pods, panic window
 * 31: ceil(31 / 10) = 4 pods is 4 / 2 = 200 % of ready, so it panics (31 / 10 / 2 = 1.55 would
 * not), and asks for 4 even if the stable window says 1.
 */
export class KpaDecider {
  panicTime: number | null = null;
  maxPanicPods = 0;

  constructor(readonly spec: KpaSpec) {}

  scale(stable: number, panic: number, readyPods: number, now: number): number {
    const s = this.spec;
    // No ready pods (endpoints not found) count as one, so the rates still allow a first step.
    const ready = Math.max(1, readyPods);
    const maxUp = Math.ceil(s.maxScaleUpRate * ready);
    const maxDown = Math.floor(ready / s.maxScaleDownRate);
    const dspc = Math.ceil(stable / s.targetValue);
    const dppc = Math.ceil(panic / s.targetValue);
    const stablePods = Math.min(Math.max(dspc, maxDown), maxUp);
    const panicPods = Math.min(Math.max(dppc, maxDown), maxUp);
    const over = dppc / ready >= s.panicThreshold;
    if (over) this.panicTime = now;
    else if (this.panicTime !== null && this.panicTime + s.stableWindowSeconds < now) {
      // The surge has reached the stable window: back to stable mode.
      this.panicTime = null;
      this.maxPanicPods = 0;
    }
    if (this.panicTime === null) return stablePods;
    // Panicking: the larger of the two windows, and never below what panic already asked for.
    const desired = Math.max(stablePods, panicPods);
    if (desired > this.maxPanicPods) this.maxPanicPods = desired;
    return this.maxPanicPods;
  }
}

export type KpaMetric = 'rps' | 'concurrency';

/**
 * Knative's KPA driving the simulated Deployment: a 2 s tick; stable window 60 s and panic
 * window 6 s (10 %) of the collector's per-second values; max scale-up rate 1000, max
 * scale-down rate 2. The signal is what each pod's queue-proxy counts as a request *arrives*,
 * before its breaker and the app, so 503s and timeouts count: in RPS mode the requests
 * arriving per second, in concurrency mode (Knative's default: 100 per pod x 0.7) the average
 * number in flight. The collector scrapes the pods every second, not through Prometheus.
 */
export class Kpa implements Policy {
  readonly family: string;
  readonly periodSeconds = 2;
  readonly setting: string;
  readonly decider: KpaDecider;

  constructor(
    readonly target: number,
    private readonly bounds: Bounds,
    readonly metric: KpaMetric = 'rps',
    panicThreshold = 2,
    utilization = 0.7,
    private readonly stableWindow = 60,
    private readonly panicWindow = 6,
  ) {
    this.family = metric === 'rps' ? 'Knative KPA' : 'Knative KPA (concurrency)';
    const unit = metric === 'rps' ? 'RPS' : 'in flight';
    this.setting =
      panicThreshold === 2 ? `${target} ${unit}` : `${target} ${unit}, panic ${panicThreshold * 100} %`;
    this.decider = new KpaDecider({
      targetValue: target * utilization,
      panicThreshold,
      maxScaleUpRate: 1000,
      maxScaleDownRate: 2,
      stableWindowSeconds: stableWindow,
    });
  }

  evaluate(w: World): void {
    const read = (seconds: number): number | null =>
      this.metric === 'rps' ? w.knativeRps(seconds) : (w.knativeConcurrency?.(seconds) ?? null);
    const stable = read(this.stableWindow);
    const panic = read(this.panicWindow);
    if (stable === null || panic === null) return; // ErrNoData: no decision
    let desired = this.decider.scale(stable, panic, w.readyReplicas, w.now);
    desired = Math.min(this.bounds.maxReplicas, Math.max(this.bounds.minReplicas, desired));
    if (desired !== w.replicas) w.scale(desired);
  }
}

/**
 * Heroku's response-time autoscaling (documented behaviour; the code is not public): the p95
 * response time of the last minute against a goal; one dyno per event, events at least a minute
 * apart. Down by one when p95 is under half the goal (our reading of "well below").
 */
export class Heroku implements Policy {
  readonly family = 'Heroku (p95)';
  readonly periodSeconds = 60;
  readonly setting: string;

  constructor(
    private readonly goalMs: number,
    private readonly bounds: Bounds,
  ) {
    this.setting = `p95 ${goalMs} ms`;
  }

  evaluate(w: World): void {
    const p95 = w.routerQuantile(0.95, 60);
    if (p95 === null) return;
    const goal = this.goalMs / 1000;
    let desired = w.replicas;
    if (p95 > goal) desired += 1;
    else if (p95 < goal / 2) desired -= 1;
    desired = Math.min(this.bounds.maxReplicas, Math.max(this.bounds.minReplicas, desired));
    if (desired !== w.replicas) w.scale(desired);
  }
}
