// The decider: (spec, target, metric reading, remembered state, now) -> (decision, new state).
// Pure: no clock, no I/O, no randomness. The chain, each step a named function:
//
//   checkReading -> learnCapacity -> size -> stabilize -> burstGuard -> holdScaleDown
//     -> rateLimit -> clamp
//
// Worked example (defaults: utilisation 0.7, hysteresis 0.5 replica): capacity 100 RPS/replica,
// 4 replicas, 700 RPS. Planned per replica = 100 x 0.7 = 70, so 700/70 = 10 replicas are needed;
// 700 >= 2 x (4 x 70) = 560 is a burst, so the scale-up window is skipped; the step limit allows
// max(4 x 5, 4 + 4) = 20, so the answer is 10 within this evaluation.

import type { ResolvedSpec } from '../api/crd.js';
import type { MetricSample } from '../metrics/types.js';
import type {
  Attribution,
  DecideResult,
  DeciderInput,
  DeciderState,
  Decision,
  Observed,
  Recommendation,
  Step,
} from './types.js';

/**
 * Latency counts as caused by load when the per-replica load is at least this fraction of what we
 * plan per replica. 0.8 because sizing rounds up whole replicas: needing 4.2 replicas gives 5,
 * so each runs at 4.2/5 = 84% of plan in the steady state that should still count as "loaded".
 */
export const LOAD_ATTRIBUTION_FRACTION = 0.8;

/** After a breach at L RPS per replica, believe capacity is 90% of L (it was exceeded at L). */
export const BREACH_BACKOFF = 0.9;

/** A load counts as steady (safe to learn from) when short RPS <= this x long RPS. */
export const STEADY_RATIO = 1.5;

/** Floating error guard for ceil: 700/70 must be 10, not 10.000000000000002 -> 11. */
const EPSILON = 1e-9;

const ceil = (x: number): number => Math.ceil(x - EPSILON);

type Checked = { ok: true; sample: MetricSample } | { ok: false; reason: string; message: string };

/** Step 0: can these numbers be trusted at all? Anything doubtful is "no data": hold. */
export function checkReading(input: DeciderInput, now: number): Checked {
  const r = input.reading;
  if (r.kind === 'error') {
    const reason =
      r.error.code === 'EmptyResult'
        ? 'MetricsMissing'
        : r.error.code === 'NotANumber' || r.error.code === 'MultipleSeries' || r.error.code === 'BadResponse'
          ? 'MetricsInvalid'
          : 'MetricsUnavailable';
    return { ok: false, reason, message: `${r.error.code}: ${r.error.message}` };
  }
  const s = r.sample;
  const ageSeconds = (now - s.observedAt) / 1000;
  if (ageSeconds > input.spec.metrics.maxAgeSeconds) {
    return {
      ok: false,
      reason: 'MetricsStale',
      message: `reading is ${ageSeconds.toFixed(0)}s old (max ${input.spec.metrics.maxAgeSeconds}s)`,
    };
  }
  for (const [name, v] of [
    ['rpsShort', s.rpsShort],
    ['rpsLong', s.rpsLong],
  ] as const) {
    if (!Number.isFinite(v) || v < 0)
      return { ok: false, reason: 'MetricsInvalid', message: `${name} is ${v}` };
  }
  if (s.latencySeconds !== null && (Number.isNaN(s.latencySeconds) || s.latencySeconds < 0)) {
    return { ok: false, reason: 'MetricsInvalid', message: `latency is ${s.latencySeconds}` };
  }
  if (s.withinObjective !== null && !(s.withinObjective >= 0 && s.withinObjective <= 1)) {
    return {
      ok: false,
      reason: 'MetricsContradictory',
      message: `fraction within objective is ${s.withinObjective}`,
    };
  }
  // Requests were counted in the short window but no request latency was observed in it: the
  // counter and the histogram disagree (e.g. one of them is not scraped). Trust neither.
  if (s.rpsShort > 0 && s.latencySeconds === null && s.withinObjective === null) {
    return {
      ok: false,
      reason: 'MetricsContradictory',
      message: `${s.rpsShort.toFixed(2)} RPS but no latency observations`,
    };
  }
  return { ok: true, sample: s };
}

/**
 * How long a healthy per-replica load is remembered. After 10 minutes without being confirmed it
 * is forgotten, so a slower release (whose replicas really serve less) is not blamed on a
 * dependency for longer than that.
 */
export const HEALTHY_MEMORY_SECONDS = 600;

export interface Learned {
  estimate: number | null;
  attribution: Attribution;
  breach: boolean;
  rpsPerReplica: number | null;
  healthy: DeciderState['healthy'];
}

/**
 * Step 1: is the objective met, who is to blame if not, and what does that teach about capacity?
 *
 * - Within objective at L RPS per replica: capacity is at least L. Remember L as the healthy
 *   load and raise the estimate to L (never above a configured capacity).
 * - Breach at L at or below the healthy load remembered (these replicas served 60 each within the
 *   objective a minute ago, and now breach at 58): the load did not change, something downstream
 *   did. Adding replicas would not help: Downstream, learn nothing.
 * - Breach with no healthy memory while L < 0.8 x planned (40 per replica with 70 planned): the
 *   replicas are too idle to blame: Downstream.
 * - Otherwise the load explains it: Load. Capacity is below L, believe 0.9 x L but not below the
 *   remembered healthy load. E.g. estimate 100, healthy 60, breach at 75: min(100, 67.5) = 67.5.
 */
export function learnCapacity(
  spec: ResolvedSpec,
  readyReplicas: number,
  s: MetricSample,
  prev: Pick<DeciderState, 'capacityEstimate' | 'healthy'>,
  now: number,
): Learned {
  const ceiling = spec.configuredCapacity ?? Infinity;
  let estimate = prev.capacityEstimate ?? spec.configuredCapacity;
  if (estimate !== null && estimate > ceiling) estimate = ceiling;
  const fresh =
    prev.healthy !== null && now - prev.healthy.at <= HEALTHY_MEMORY_SECONDS * 1000 ? prev.healthy : null;
  const rpsPerReplica = readyReplicas > 0 ? s.rpsShort / readyReplicas : null;
  const breach =
    s.withinObjective !== null
      ? s.withinObjective < spec.quantile
      : s.latencySeconds !== null && s.latencySeconds > spec.objectiveSeconds;

  if (rpsPerReplica === null)
    return { estimate, attribution: 'Unknown', breach, rpsPerReplica, healthy: fresh };
  if (!breach) {
    let healthy = fresh;
    // Learn only from a steady load: in the first seconds of a step the queues have not built up
    // yet, so 300 RPS per replica may briefly look healthy. Steady: short RPS <= 1.5x long RPS.
    if (rpsPerReplica > 0 && s.rpsShort <= STEADY_RATIO * s.rpsLong) {
      if (estimate === null || rpsPerReplica > estimate) estimate = Math.min(rpsPerReplica, ceiling);
      // Confirm (refresh) the memory when this load is at least 90% of the remembered one.
      if (healthy === null || rpsPerReplica >= healthy.rpsPerReplica * BREACH_BACKOFF) {
        healthy = { rpsPerReplica: Math.max(rpsPerReplica, healthy?.rpsPerReplica ?? 0), at: now };
      }
    }
    return { estimate, attribution: 'WithinObjective', breach, rpsPerReplica, healthy };
  }
  const idle =
    fresh !== null
      ? rpsPerReplica <= fresh.rpsPerReplica
      : estimate !== null && rpsPerReplica < estimate * spec.targetUtilization * LOAD_ATTRIBUTION_FRACTION;
  if (rpsPerReplica === 0 || idle) {
    return { estimate, attribution: 'Downstream', breach, rpsPerReplica, healthy: fresh };
  }
  const floor = fresh?.rpsPerReplica ?? 0;
  estimate = Math.max(floor, Math.min(estimate ?? Infinity, rpsPerReplica * BREACH_BACKOFF));
  return { estimate, attribution: 'Load', breach, rpsPerReplica, healthy: fresh };
}

interface Sized {
  replicas: number;
  reason: string;
  message: string;
}

/**
 * Step 2: the replica count the load asks for. desired = ceil(RPS / (capacity x utilisation)),
 * using the larger of the short and long RPS (fast up; down only when both windows agree).
 * Going down adds the hysteresis: with 0.5, 4.4 replicas' worth of load keeps 5 (ceil 4.9),
 * and it takes 4.5 or less to let the fifth go; a load wobbling around 4.5 therefore never flaps.
 */
export function size(spec: ResolvedSpec, current: number, ready: number, s: MetricSample, l: Learned): Sized {
  if (l.estimate === null) {
    return {
      replicas: current,
      reason: 'CapacityUnknown',
      message: 'no capacity configured and none learned yet',
    };
  }
  const perReplica = l.estimate * spec.targetUtilization;
  const rps = Math.max(s.rpsShort, s.rpsLong);
  const needed = rps / perReplica;
  const up = ceil(needed);
  let sized: Sized;
  if (up > current) {
    sized = {
      replicas: up,
      reason: 'LoadAboveCapacity',
      message: `${fmt(rps)} RPS needs ${fmt(needed)} replicas at ${fmt(perReplica)} RPS each`,
    };
  } else {
    const down = ceil(needed + spec.scaleDown.hysteresisReplicas);
    sized =
      down < current
        ? {
            replicas: down,
            reason: 'LoadBelowCapacity',
            message: `${fmt(rps)} RPS needs ${fmt(needed)} replicas at ${fmt(perReplica)} RPS each`,
          }
        : {
            replicas: current,
            reason: 'LoadMatchesCapacity',
            message: `${fmt(rps)} RPS fits ${current} replicas`,
          };
  }
  if (l.attribution === 'Downstream' && sized.replicas <= current) {
    // The latency is not the load's: more replicas would not help, fewer would make it worse.
    // (If the RPS alone asks for more replicas, that still happens above.)
    return {
      replicas: current,
      reason: 'LatencyNotExplainedByLoad',
      message: `latency over objective at ${fmt(l.rpsPerReplica)} RPS per replica, which ${
        l.healthy ? `was served within it (${fmt(l.healthy.rpsPerReplica)})` : 'is below the planned load'
      }: not scaling for a slow dependency`,
    };
  }
  if (l.attribution === 'Load') {
    // Replicas already starting are capacity on the way: do not add more for the same load.
    if (ready < current && sized.replicas <= current) {
      return {
        replicas: current,
        reason: 'WaitingForStartingReplicas',
        message: `latency over objective; ${current - ready} replicas are starting`,
      };
    }
    if (sized.replicas <= current) {
      return {
        replicas: current + 1,
        reason: 'LatencyAboveObjective',
        message: `latency over objective at ${fmt(l.rpsPerReplica)} RPS per replica; capacity estimate now ${fmt(
          l.estimate,
        )}`,
      };
    }
    return { ...sized, reason: 'LatencyAboveObjective' };
  }
  return sized;
}

/**
 * Step 3 (like HPA's stabilisation): up takes the lowest recommendation of the short up-window,
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
): { replicas: number; reason: string | null } {
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

/** Step 5 (Knative's "max step" in both directions, HPA's policies in one rule each). */
export function rateLimit(
  spec: ResolvedSpec,
  current: number,
  desired: number,
): { replicas: number; reason: string | null } {
  // Up: 2 replicas at 400% may go to max(2 x 5, 2 + 4) = 10 in one step.
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

/** Step 6: the bounds of the spec, enforced even without metrics. */
export function clamp(spec: ResolvedSpec, desired: number): { replicas: number; reason: string | null } {
  if (desired < spec.minReplicas) return { replicas: spec.minReplicas, reason: 'TooFewReplicas' };
  if (desired > spec.maxReplicas) return { replicas: spec.maxReplicas, reason: 'TooManyReplicas' };
  return { replicas: desired, reason: null };
}

function fmt(n: number | null | undefined): string {
  if (n === null || n === undefined) return 'n/a';
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

export function decide(input: DeciderInput, prev: DeciderState, now: number): DecideResult {
  const { spec, target } = input;
  const current = target.replicas;
  const steps: Step[] = [];
  const apply = (
    step: Step['step'],
    from: number,
    r: { replicas: number; reason: string | null },
  ): number => {
    if (r.reason !== null && r.replicas !== from)
      steps.push({ step, from, to: r.replicas, reason: r.reason });
    return r.replicas;
  };

  const checked = checkReading(input, now);
  if (!checked.ok) {
    // No data: never scale on it. Only the spec's own bounds are enforced (0 replicas with
    // minReplicas 2 is wrong whatever the metrics say).
    const desired = apply('Clamp', current, clamp(spec, current));
    const decision: Decision = {
      outcome: desired !== current ? 'Scale' : 'NoData',
      currentReplicas: current,
      desiredReplicas: desired,
      reason: steps.at(-1)?.reason ?? checked.reason,
      message: checked.message,
      steps,
      observed: null,
      capacityEstimate: prev.capacityEstimate ?? spec.configuredCapacity,
      attribution: 'Unknown',
      burst: false,
      metricsProblem: { reason: checked.reason, message: checked.message },
    };
    return { decision, state: desired !== current ? { ...prev, lastScaleTime: now } : prev };
  }

  const s = checked.sample;
  const learned = learnCapacity(spec, target.readyReplicas, s, prev, now);
  const sized = size(spec, current, target.readyReplicas, s, learned);
  if (sized.replicas !== current)
    steps.push({ step: 'Size', from: current, to: sized.replicas, reason: sized.reason });

  // A burst: short-window RPS at >= 2x what the current replicas (starting ones included) are
  // planned to serve. 4 replicas x 70 = 280 planned; 560 RPS or more is a burst.
  const planned = learned.estimate === null ? null : current * learned.estimate * spec.targetUtilization;
  const burstNow = planned !== null && s.rpsShort > 0 && s.rpsShort >= spec.scaleUp.burstThreshold * planned;
  const burstUntil = burstNow ? now + spec.scaleDown.windowSeconds * 1000 : prev.burstUntil;
  const inBurst = burstNow || (burstUntil !== null && now < burstUntil);

  const horizon = Math.max(spec.scaleUp.windowSeconds, spec.scaleDown.windowSeconds) * 1000;
  const recommendations = [
    ...prev.recommendations.filter((r) => r.at > now - horizon),
    { at: now, replicas: sized.replicas },
  ];

  let desired = apply(
    'Stabilize',
    sized.replicas,
    stabilize(spec, current, sized.replicas, recommendations, now, burstNow),
  );
  if (desired < current && inBurst) {
    desired = apply('BurstGuard', desired, { replicas: current, reason: 'BurstInProgress' });
  }
  if (
    desired < current &&
    prev.lastScaleTime !== null &&
    now - prev.lastScaleTime < spec.scaleDown.holdSeconds * 1000
  ) {
    desired = apply('Hold', desired, { replicas: current, reason: 'ScaleDownHold' });
  }
  desired = apply('RateLimit', desired, rateLimit(spec, current, desired));
  desired = apply('Clamp', desired, clamp(spec, desired));

  const observed: Observed = {
    rps: s.rpsShort,
    latencySeconds: s.latencySeconds,
    withinObjective: s.withinObjective,
    rpsPerReplica: learned.rpsPerReplica,
  };
  const last = steps.at(-1);
  const reason = last === undefined ? sized.reason : last.reason;
  const message =
    last === undefined || last.reason === sized.reason
      ? sized.message
      : `${sized.message}; ${last.step.toLowerCase()}: ${last.from} -> ${last.to} (${last.reason})`;
  const decision: Decision = {
    outcome: desired !== current ? 'Scale' : 'Hold',
    currentReplicas: current,
    desiredReplicas: desired,
    reason,
    message,
    steps,
    observed,
    capacityEstimate: learned.estimate,
    attribution: learned.attribution,
    burst: inBurst,
    metricsProblem: null,
  };
  return {
    decision,
    state: {
      recommendations,
      capacityEstimate: learned.estimate,
      burstUntil,
      lastScaleTime: desired !== current ? now : prev.lastScaleTime,
      healthy: learned.healthy,
    },
  };
}
