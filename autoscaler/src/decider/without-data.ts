// The decision when the reading cannot be used: hold, then fall back, within the spec's bounds.
import type { checkReading } from './reading.js';
import { holdWithoutData } from './reading.js';
import { currentCapacity } from './capacity.js';
import { clamp } from './normalize.js';
import { fmt } from './math.js';
import { record } from './trail.js';
import type { DecideResult, DeciderInput, DeciderState, Decision, Step } from './types.js';

export type Unusable = Extract<ReturnType<typeof checkReading>, { ok: false }>;

/**
 * No usable numbers: hold the replicas for the spec's hold, then go to the fallback; only the
 * spec's own bounds are enforced besides (0 replicas with minReplicas 2 is wrong whatever the
 * metrics say). The state keeps when the data went missing, so the hold is bounded.
 */
export function decideWithoutData(
  input: DeciderInput,
  prev: DeciderState,
  checked: Unusable,
  now: number,
): DecideResult {
  const { spec, target } = input;
  const current = target.replicas;
  const steps: Step[] = [];
  const since = prev.noDataSince ?? now;
  let desired = record(steps, 'NoData', current, holdWithoutData(spec, current, since, now));
  desired = record(steps, 'Clamp', desired, clamp(spec, desired));
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
