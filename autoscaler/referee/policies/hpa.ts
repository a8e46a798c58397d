// The Kubernetes HPA (autoscaling/v2), ported in our own words from kubernetes/kubernetes v1.33:
//   pkg/controller/podautoscaler/replica_calculator.go  groupPods, GetResourceReplicas,
//                                                       GetExternalPerPodMetricReplicas
//   pkg/controller/podautoscaler/horizontal.go          reconcileAutoscaler,
//     stabilizeRecommendationWithBehaviors, convertDesiredReplicasWithBehaviorRate,
//     calculateScaleUpLimitWithScalingRules, calculateScaleDownLimitWithBehaviors
// with the controller-manager defaults: 15 s sync, tolerance 0.1, CPU initialisation period
// 5 min, initial readiness delay 30 s, and the default behavior (up: no stabilisation, max of
// +4 pods or +100 % per 15 s; down: 300 s stabilisation, -100 % per 15 s).
import type { PodCpu, PodView } from './types.js';

export const TOLERANCE = 0.1;
export const CPU_INITIALIZATION_PERIOD = 300;
export const INITIAL_READINESS_DELAY = 30;

/** Pods grouped as groupPods does; `ready` holds the pods whose metric is used as measured. */
export interface Grouped {
  ready: number[];
  unready: number[];
  missing: number[];
  ignored: number[];
}

export function groupPods(
  pods: readonly PodView[],
  metrics: ReadonlyMap<number, PodCpu>,
  now: number,
): Grouped {
  const g: Grouped = { ready: [], unready: [], missing: [], ignored: [] };
  for (const p of pods) {
    if (p.deleting) {
      g.ignored.push(p.id);
      continue;
    }
    if (p.phase === 'Pending') {
      g.unready.push(p.id);
      continue;
    }
    const m = metrics.get(p.id);
    if (!m) {
      g.missing.push(p.id);
      continue;
    }
    let unready: boolean;
    if (p.startTime + CPU_INITIALIZATION_PERIOD > now) {
      // Young pod: use its sample only if ready, and taken a full metric window after it became so.
      unready = !p.ready || m.timestamp < p.readyTransitionTime + m.window;
    } else {
      // Old pod: ignore it only if it is unready and never was ready.
      unready = !p.ready && p.startTime + INITIAL_READINESS_DELAY > p.readyTransitionTime;
    }
    (unready ? g.unready : g.ready).push(p.id);
  }
  return g;
}

/** metricsclient.GetResourceUtilizationRatio: utilisation is a whole percent (truncated). */
function utilizationRatio(usage: ReadonlyMap<number, number>, request: number, target: number) {
  let total = 0;
  for (const v of usage.values()) total += v;
  const utilization = Math.trunc((total * 100) / (request * usage.size));
  return { ratio: utilization / target, utilization };
}

/**
 * GetResourceReplicas for CPU. `request` is each pod's CPU request (cores), `target` the target
 * utilisation in percent. Returns null where the HPA returns an error (no usable metric).
 */
export function resourceReplicas(
  currentReplicas: number,
  pods: readonly PodView[],
  metrics: ReadonlyMap<number, PodCpu>,
  request: number,
  target: number,
  now: number,
): { replicas: number; utilization: number } | null {
  const g = groupPods(pods, metrics, now);
  const usage = new Map<number, number>();
  for (const id of g.ready) usage.set(id, metrics.get(id)!.cores);
  if (usage.size === 0) return null;
  const { ratio, utilization } = utilizationRatio(usage, request, target);
  const scaleUpWithUnready = g.unready.length > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.length === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return { replicas: currentReplicas, utilization };
    return { replicas: Math.ceil(ratio * g.ready.length), utilization };
  }
  if (g.missing.length > 0) {
    // Scaling down: assume a missing pod uses max(100 %, target) of its request; up: nothing.
    const fallback = ratio < 1 ? (request * Math.max(100, target)) / 100 : 0;
    if (ratio !== 1) for (const id of g.missing) usage.set(id, fallback);
  }
  if (scaleUpWithUnready) for (const id of g.unready) usage.set(id, 0);
  const rebalanced = utilizationRatio(usage, request, target).ratio;
  if (Math.abs(1 - rebalanced) <= TOLERANCE || (ratio < 1 && rebalanced > 1) || (ratio > 1 && rebalanced < 1))
    return { replicas: currentReplicas, utilization };
  const replicas = Math.ceil(rebalanced * usage.size);
  if ((rebalanced < 1 && replicas > currentReplicas) || (rebalanced > 1 && replicas < currentReplicas))
    return { replicas: currentReplicas, utilization };
  return { replicas, utilization };
}

/**
 * GetExternalPerPodMetricReplicas (an External metric with an AverageValue target, KEDA's
 * default): sized from the total, relative to the pods that exist (status.replicas).
 * 8600 against 2867 per pod with 5 pods: ratio 0.6 -> ceil(8600 / 2867) = 3.
 */
export function externalPerPodReplicas(statusReplicas: number, total: number, targetPerPod: number): number {
  const ratio = total / (targetPerPod * statusReplicas);
  if (Math.abs(1 - ratio) > TOLERANCE) return Math.ceil(total / targetPerPod);
  return statusReplicas;
}

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds: number;
  policies: ScalingPolicy[];
  selectPolicy: 'Max' | 'Min';
}

export const DEFAULT_SCALE_UP: ScalingRules = {
  stabilizationWindowSeconds: 0,
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
  selectPolicy: 'Max',
};

export const DEFAULT_SCALE_DOWN: ScalingRules = {
  stabilizationWindowSeconds: 300,
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  selectPolicy: 'Max',
};

/** The controller's memory for one HPA: recommendations and scale events with their times. */
export class HpaNormalizer {
  private recommendations: { at: number; replicas: number }[] = [];
  private upEvents: { at: number; change: number }[] = [];
  private downEvents: { at: number; change: number }[] = [];

  constructor(
    private readonly up: ScalingRules = DEFAULT_SCALE_UP,
    private readonly down: ScalingRules = DEFAULT_SCALE_DOWN,
  ) {}

  /** stabilizeRecommendationWithBehaviors, then convertDesiredReplicasWithBehaviorRate. */
  normalize(current: number, desired: number, min: number, max: number, now: number): number {
    let upRec = desired;
    let downRec = desired;
    for (const r of this.recommendations) {
      if (r.at > now - this.up.stabilizationWindowSeconds) upRec = Math.min(upRec, r.replicas);
      if (r.at > now - this.down.stabilizationWindowSeconds) downRec = Math.max(downRec, r.replicas);
    }
    let stabilized = current;
    if (stabilized < upRec) stabilized = upRec;
    if (stabilized > downRec) stabilized = downRec;
    const horizon = Math.max(this.up.stabilizationWindowSeconds, this.down.stabilizationWindowSeconds);
    this.recommendations = this.recommendations.filter((r) => r.at > now - horizon);
    this.recommendations.push({ at: now, replicas: desired });

    if (stabilized > current) {
      const limit = Math.max(current, this.scaleUpLimit(current, now));
      return Math.min(stabilized, Math.min(max, limit));
    }
    if (stabilized < current) {
      const limit = this.scaleDownLimit(current, now);
      return Math.max(stabilized, Math.max(min, limit));
    }
    return Math.min(max, Math.max(min, stabilized));
  }

  private changeInPeriod(events: { at: number; change: number }[], period: number, now: number): number {
    let sum = 0;
    for (const e of events) if (e.at > now - period) sum += e.change;
    return sum;
  }

  private scaleUpLimit(current: number, now: number): number {
    const proposals = this.up.policies.map((p) => {
      const start = current - this.changeInPeriod(this.upEvents, p.periodSeconds, now);
      return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    });
    return this.up.selectPolicy === 'Max' ? Math.max(...proposals) : Math.min(...proposals);
  }

  private scaleDownLimit(current: number, now: number): number {
    const proposals = this.down.policies.map((p) => {
      const start = current + this.changeInPeriod(this.downEvents, p.periodSeconds, now);
      return p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    });
    return this.down.selectPolicy === 'Max' ? Math.min(...proposals) : Math.max(...proposals);
  }

  /** storeScaleEvent: remembered for the rate policies' periods. */
  recordScale(from: number, to: number, now: number): void {
    const longest = 1800;
    if (to > from)
      this.upEvents = [...this.upEvents.filter((e) => e.at > now - longest), { at: now, change: to - from }];
    if (to < from)
      this.downEvents = [
        ...this.downEvents.filter((e) => e.at > now - longest),
        { at: now, change: from - to },
      ];
  }
}
