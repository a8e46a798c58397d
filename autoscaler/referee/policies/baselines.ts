// The baselines, each reading through its own real pipeline (see types.ts).
import type { Bounds, Policy, World } from './types.js';
import { HpaNormalizer, externalPerPodReplicas, resourceReplicas } from './hpa.js';

/** The replica's CPU request: 250m, as the chart sets it (and the quota the model enforces). */
export const CPU_REQUEST_CORES = 0.25;

/** HPA v2 on CPU utilisation (Resource metric, metrics-server), 15 s sync. */
export class HpaCpu implements Policy {
  readonly family = 'HPA (CPU)';
  readonly periodSeconds = 15;
  readonly setting: string;
  private readonly normalizer = new HpaNormalizer();

  constructor(
    private readonly targetPercent: number,
    private readonly bounds: Bounds,
    /** Each pod's CPU request in cores (the closed-loop run's replicas request 100m). */
    private readonly requestCores = CPU_REQUEST_CORES,
  ) {
    this.setting = `${targetPercent}%`;
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

/**
 * KEDA's Prometheus scaler (kedacore/keda v2.16 pkg/scalers/prometheus_scaler.go) feeding an
 * HPA an External metric with an AverageValue target: the query is
 * `sum(rate(http_requests_total[1m]))`, polled every 30 s (pollingInterval; the metrics adapter
 * serves the last polled value, `useCachedMetrics`), and after 3 failed polls
 * (fallback.failureThreshold) KEDA reports `fallbackReplicas x target` so the HPA goes to
 * fallback.replicas (pkg/fallback/fallback.go).
 */
export class Keda implements Policy {
  readonly family = 'KEDA (HPA on RPS)';
  readonly periodSeconds = 15;
  readonly setting: string;
  private readonly normalizer = new HpaNormalizer();
  private value: number | null = null;
  private polledAt = -Infinity;
  private failures = 0;

  constructor(
    private readonly targetRpsPerReplica: number,
    private readonly bounds: Bounds,
    private readonly fallbackReplicas: number,
    private readonly pollingSeconds = 30,
    private readonly rangeSeconds = 60,
  ) {
    this.setting = `${targetRpsPerReplica} RPS`;
  }

  private poll(w: World): void {
    if (w.now - this.polledAt < this.pollingSeconds) return;
    this.polledAt = w.now;
    const rps = w.prometheus()?.sumRate('requests', this.rangeSeconds) ?? null;
    if (rps === null) {
      this.failures++;
      this.value = this.failures >= 3 ? this.fallbackReplicas * this.targetRpsPerReplica : null;
    } else {
      this.failures = 0;
      this.value = rps;
    }
  }

  evaluate(w: World): void {
    this.poll(w);
    if (this.value === null) return;
    const current = w.replicas;
    const proposal = externalPerPodReplicas(current, this.value, this.targetRpsPerReplica);
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

/**
 * Knative's KPA (knative/serving v1.16 pkg/autoscaler/scaling/autoscaler.go `Scale`), in RPS
 * mode: a 2 s tick; stable window 60 s and panic window 6 s (10 %) of the collector's per-second
 * totals; target = per-pod RPS x target utilisation 0.7; max scale-up rate 1000, max scale-down
 * rate 2 (at most halve per tick); panic when the panic window asks for >= 2x the ready pods
 * (panic threshold 200 %), stay in panic until a stable window passes below it, and never scale
 * down while panicking.
 */
export class Kpa implements Policy {
  readonly family = 'Knative KPA';
  readonly periodSeconds = 2;
  readonly setting: string;
  private panicTime: number | null = null;
  private maxPanicPods = 0;

  constructor(
    private readonly targetRpsPerPod: number,
    private readonly bounds: Bounds,
    private readonly utilization = 0.7,
    private readonly stableWindow = 60,
    private readonly panicWindow = 6,
    private readonly panicThreshold = 2,
    private readonly maxScaleUpRate = 1000,
    private readonly maxScaleDownRate = 2,
  ) {
    this.setting = `${targetRpsPerPod} RPS`;
  }

  evaluate(w: World): void {
    const stable = w.knativeRps(this.stableWindow);
    const panic = w.knativeRps(this.panicWindow);
    if (stable === null || panic === null) return; // ErrNoData: no decision
    const target = this.targetRpsPerPod * this.utilization;
    const ready = Math.max(1, w.readyReplicas);
    const maxUp = Math.ceil(this.maxScaleUpRate * ready);
    const maxDown = Math.floor(ready / this.maxScaleDownRate);
    const dspc = Math.ceil(stable / target);
    const dppc = Math.ceil(panic / target);
    const stablePods = Math.min(Math.max(dspc, maxDown), maxUp);
    const panicPods = Math.min(Math.max(dppc, maxDown), maxUp);
    const over = panic / target / ready >= this.panicThreshold;
    if (over) this.panicTime = w.now;
    else if (this.panicTime !== null && this.panicTime + this.stableWindow < w.now) {
      this.panicTime = null;
      this.maxPanicPods = 0;
    }
    let desired = stablePods;
    if (this.panicTime !== null) {
      desired = Math.max(desired, panicPods);
      if (desired > this.maxPanicPods) this.maxPanicPods = desired;
      else desired = this.maxPanicPods;
    }
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
