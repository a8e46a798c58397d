// Steps 6-10: stabilise, guard a burst, hold, rate-limit, clamp (the HPA's normalisation chain).
import type { ResolvedSpec } from '../api/crd.js';
import type { MetricSample } from '../metrics/types.js';
import type { Reason, Recommendation } from './types.js';
import { arrivingRps } from './size.js';

/**
 * Step 6 (like HPA's stabilisation): up takes the lowest recommendation of the short up-window,
 * so a single spike sample does not add replicas (unless it is a burst); down takes the highest
 * of the long down-window, so a dip does not remove them.
 */
export function stabilize(
  spec: ResolvedSpec,
  current: number,
  raw: number,
  recs: readonly Recommendation[],
  now: number,
  burst: boolean,
): { replicas: number; reason: Reason | null } {
  const within = (seconds: number) => recs.filter((r) => r.at > now - seconds * 1000).map((r) => r.replicas);
  if (raw > current) {
    if (burst) return { replicas: raw, reason: null };
    const lowest = Math.max(current, Math.min(raw, ...within(spec.scaleUp.windowSeconds)));
    return { replicas: lowest, reason: lowest < raw ? 'ScaleUpStabilized' : null };
  }
  if (raw < current) {
    const highest = Math.min(current, Math.max(raw, ...within(spec.scaleDown.windowSeconds)));
    return { replicas: highest, reason: highest > raw ? 'ScaleDownStabilized' : null };
  }
  return { replicas: raw, reason: null };
}

/**
 * A burst: short-window RPS at >= 2x what the current replicas (starting ones included) are
 * planned to serve. 4 replicas x 70 = 280 planned; 560 RPS or more is a burst.
 */
export function detectBurst(
  spec: ResolvedSpec,
  current: number,
  s: MetricSample,
  capacity: number | null,
  prevUntil: number | null,
  now: number,
): { now: boolean; until: number | null; inProgress: boolean } {
  const planned = capacity === null ? null : current * capacity * spec.targetUtilization;
  const rps = Math.max(s.rpsShort, arrivingRps(s) ?? 0);
  const burstNow = planned !== null && rps > 0 && rps >= spec.scaleUp.burstThreshold * planned;
  const until = burstNow ? now + spec.scaleDown.windowSeconds * 1000 : prevUntil;
  return { now: burstNow, until, inProgress: burstNow || (until !== null && now < until) };
}

/** Step 7: never down while a burst is in progress (until a down-window after its last sign). */
export function burstGuard(
  current: number,
  desired: number,
  inBurst: boolean,
): { replicas: number; reason: 'BurstInProgress' | null } {
  return desired < current && inBurst
    ? { replicas: current, reason: 'BurstInProgress' }
    : { replicas: desired, reason: null };
}

/**
 * Step 8: no scale-down within `holdSeconds` of the last scale (the new count must show its
 * effect), nor before a long window has passed since the first reading: rate() extrapolates a
 * new series' first window short, so a steady 400 RPS reads 268 ten seconds after start.
 */
export function holdScaleDown(
  spec: ResolvedSpec,
  current: number,
  desired: number,
  lastScaleTime: number | null,
  observingSince: number,
  now: number,
): { replicas: number; reason: 'ScaleDownHold' | null } {
  const recent = lastScaleTime !== null && now - lastScaleTime < spec.scaleDown.holdSeconds * 1000;
  const warming = now - observingSince < spec.metrics.longWindowSeconds * 1000;
  return desired < current && (recent || warming)
    ? { replicas: current, reason: 'ScaleDownHold' }
    : { replicas: desired, reason: null };
}

/** Step 9 (Knative's "max step" in both directions, HPA's policies in one rule each). */
export function rateLimit(
  spec: ResolvedSpec,
  current: number,
  desired: number,
): { replicas: number; reason: 'ScaleUpLimit' | 'ScaleDownLimit' | null } {
  // Up: 2 replicas at 900% may go to max(2 x 10, 2 + 4) = 20 in one step.
  const maxUp = Math.max(
    Math.ceil(current * (1 + spec.scaleUp.maxStepPercent / 100)),
    current + spec.scaleUp.maxStepReplicas,
  );
  if (desired > maxUp) return { replicas: maxUp, reason: 'ScaleUpLimit' };
  // Down: 5 replicas at 50% may lose floor(2.5) = 2, keeping 3 (never more than half per step).
  const minDown = current - Math.floor((current * spec.scaleDown.maxStepPercent) / 100);
  if (desired < minDown) return { replicas: minDown, reason: 'ScaleDownLimit' };
  return { replicas: desired, reason: null };
}

/** Step 10: the bounds of the spec, enforced even without metrics. */
export function clamp(
  spec: ResolvedSpec,
  desired: number,
): { replicas: number; reason: 'TooFewReplicas' | 'TooManyReplicas' | null } {
  if (desired < spec.minReplicas) return { replicas: spec.minReplicas, reason: 'TooFewReplicas' };
  if (desired > spec.maxReplicas) return { replicas: spec.maxReplicas, reason: 'TooManyReplicas' };
  return { replicas: desired, reason: null };
}
