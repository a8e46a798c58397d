// The decider: (spec, target, metric reading, remembered state, now) -> (decision, new state).
// Pure: no clock, no I/O, no randomness. The chain, each step a named function:
//
//   checkReading -> (no data: holdWithoutData) | currentCapacity -> assessCost -> learnCapacity
//     -> size -> boundUnexplained -> stabilize -> burstGuard -> holdScaleDown -> rateLimit -> clamp
//
// Worked example (defaults: utilisation 0.7, hysteresis 0.5 replica): capacity 100 RPS/replica,
// 4 replicas, 700 RPS. Planned per replica = 100 x 0.7 = 70, so 700/70 = 10 replicas are needed;
// 700 >= 2 x (4 x 70) = 560 is a burst, so the scale-up window is skipped; the step limit allows
// max(4 x 10, 4 + 4) = 40, so the answer is 10 within this evaluation.
import type { DecideResult, DeciderInput, DeciderState, Decision, Observed, Reason, Step } from './types.js';
import { fmt } from './math.js';
import { checkReading, holdWithoutData } from './reading.js';
import { currentCapacity } from './capacity.js';
import { assessCost } from './cost.js';
import { learnCapacity } from './learn.js';
import { arrivingRps, size } from './size.js';
import { boundUnexplained, relearnAfterTimeout } from './unexplained.js';
import { burstGuard, clamp, detectBurst, holdScaleDown, rateLimit, stabilize } from './normalize.js';

export * from './constants.js';
export * from './reading.js';
export * from './capacity.js';
export * from './cost.js';
export * from './learn.js';
export * from './size.js';
export * from './unexplained.js';
export * from './normalize.js';

export function decide(input: DeciderInput, prev: DeciderState, now: number): DecideResult {
  const { spec, target } = input;
  const current = target.replicas;
  const steps: Step[] = [];
  const apply = (
    step: Step['step'],
    from: number,
    r: { replicas: number; reason: Reason | null },
  ): number => {
    if (r.reason !== null && r.replicas !== from)
      steps.push({ step, from, to: r.replicas, reason: r.reason });
    return r.replicas;
  };

  const checked = checkReading(input, now);
  if (!checked.ok) {
    const since = prev.noDataSince ?? now;
    let desired = apply('NoData', current, holdWithoutData(spec, current, since, now));
    // Only the spec's own bounds are enforced (0 replicas with minReplicas 2 is wrong whatever
    // the metrics say).
    desired = apply('Clamp', desired, clamp(spec, desired));
    const capacity = currentCapacity(spec, prev, now);
    const decision: Decision = {
      outcome: desired !== current ? 'Scale' : 'NoData',
      currentReplicas: current,
      desiredReplicas: desired,
      reason: steps.at(-1)?.reason ?? checked.reason,
      message:
        steps.at(-1)?.reason === 'MetricsFallback'
          ? `${checked.message}; no usable metrics for ${fmt((now - since) / 1000)}s: fallback to ${desired} replicas`
          : checked.message,
      steps,
      observed: null,
      capacityEstimate: capacity.estimate,
      capacitySource: capacity.source,
      costRatio: 1,
      attribution: 'Unknown',
      burst: false,
      metricsProblem: { reason: checked.reason, message: checked.message },
    };
    const state: DeciderState = {
      ...prev,
      noDataSince: since,
      lastScaleTime: desired !== current ? now : prev.lastScaleTime,
    };
    return { decision, state };
  }

  const s = checked.sample;
  const capacity = currentCapacity(spec, prev, now);
  const provisionalBreach =
    s.withinObjective !== null
      ? s.withinObjective < spec.quantile
      : s.latencySeconds !== null && s.latencySeconds > spec.objectiveSeconds;
  const sinceScale = prev.lastScaleTime === null ? Infinity : (now - prev.lastScaleTime) / 1000;
  const cost = assessCost(
    spec,
    target.readyReplicas,
    s,
    capacity.estimate,
    prev,
    provisionalBreach,
    sinceScale,
  );
  const learned = learnCapacity(spec, target.readyReplicas, s, prev, capacity, cost, now);
  const sized = size(spec, current, target.readyReplicas, s, learned);
  if (sized.replicas !== current)
    steps.push({ step: 'Size', from: current, to: sized.replicas, reason: sized.reason });
  const unexplained = boundUnexplained(spec, current, sized, prev.unexplainedSince, now);
  const raw = apply('Unexplained', sized.replicas, unexplained);
  if (unexplained.reason !== null) Object.assign(learned, relearnAfterTimeout(spec, learned, now));

  const burst = detectBurst(spec, current, s, learned.effective, prev.burstUntil, now);
  const horizon = Math.max(spec.scaleUp.windowSeconds, spec.scaleDown.windowSeconds) * 1000;
  const recommendations = [
    ...prev.recommendations.filter((r) => r.at > now - horizon),
    { at: now, replicas: raw },
  ];

  let desired = apply(
    'Stabilize',
    raw,
    stabilize(
      spec,
      current,
      raw,
      recommendations,
      now,
      burst.now || sized.urgent === true || unexplained.reason !== null,
    ),
  );
  desired = apply('BurstGuard', desired, burstGuard(current, desired, burst.inProgress));
  // After a stretch without usable data the windows refill like a new series' do: warm up again.
  const observingSince = prev.noDataSince !== null ? now : (prev.observingSince ?? now);
  desired = apply(
    'Hold',
    desired,
    holdScaleDown(spec, current, desired, prev.lastScaleTime, observingSince, now),
  );
  desired = apply('RateLimit', desired, rateLimit(spec, current, desired));
  desired = apply('Clamp', desired, clamp(spec, desired));

  const observed: Observed = {
    rps: s.rpsShort,
    arrivingRps: arrivingRps(s),
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
    capacityEstimate: learned.effective,
    capacitySource: learned.source,
    costRatio: cost.ratio,
    attribution: learned.attribution,
    burst: burst.inProgress,
    metricsProblem: null,
  };
  // The memory keeps the estimate as set and when (a learned one decays from there), not the
  // decayed value of this evaluation, which would decay twice.
  const memory: Pick<DeciderState, 'capacityEstimate' | 'capacityAt' | 'capacitySource'> = learned.changed
    ? { capacityEstimate: learned.estimate, capacityAt: learned.at, capacitySource: learned.source }
    : capacity.source === 'Configured' || capacity.source === 'None'
      ? { capacityEstimate: capacity.estimate, capacityAt: null, capacitySource: capacity.source }
      : {
          capacityEstimate: prev.capacityEstimate,
          capacityAt: prev.capacityAt,
          capacitySource: prev.capacitySource,
        };
  return {
    decision,
    state: {
      recommendations,
      ...memory,
      costBasis: cost.basis,
      costRatio: cost.ratio,
      noDataSince: null,
      unexplainedSince: unexplained.since,
      burstUntil: burst.until,
      lastScaleTime: desired !== current ? now : prev.lastScaleTime,
      observingSince,
      healthy: learned.healthy,
    },
  };
}
