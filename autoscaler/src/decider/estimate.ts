// Steps 1-3 together: the capacity in use, the cost of a request, and what this sample teaches.
import type { MetricSample } from '../metrics/types.js';
import type { CapacityInUse } from './capacity.js';
import { currentCapacity } from './capacity.js';
import type { Cost } from './cost.js';
import { assessCost } from './cost.js';
import type { Learned } from './learn.js';
import { learnCapacity } from './learn.js';
import type { DeciderInput, DeciderState } from './types.js';

export interface Estimate {
  /** The capacity as remembered, before this sample. */
  capacity: CapacityInUse;
  cost: Cost;
  /** The capacity after this sample, and who is blamed for the latency. */
  learned: Learned;
}

/**
 * The capacity this evaluation sizes with. The cost step needs to know whether the sample
 * breaches before learning has judged it, so the breach is read straight off the sample here:
 * 98.5 % within the objective against a 0.99 quantile is a breach.
 */
export function estimateCapacity(
  input: DeciderInput,
  s: MetricSample,
  prev: DeciderState,
  now: number,
): Estimate {
  const { spec, target } = input;
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
  return { capacity, cost, learned };
}
