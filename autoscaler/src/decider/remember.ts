// What the decider hands back to remember for its next evaluation.
import type { CapacityInUse } from './capacity.js';
import type { Estimate } from './estimate.js';
import type { Learned } from './learn.js';
import type { Proposal } from './propose.js';
import type { Settled } from './settle.js';
import type { DeciderState } from './types.js';

type CapacityMemory = Pick<DeciderState, 'capacityEstimate' | 'capacityAt' | 'capacitySource'>;

/**
 * The memory keeps the estimate as set and when (a learned one decays from there), not the
 * decayed value of this evaluation, which would decay twice: learned 60 at t0, read back as 80
 * ten minutes later, stays 60 at t0. A configured capacity (or none) has no time to decay from.
 */
export function capacityMemory(
  learned: Pick<Learned, 'changed' | 'estimate' | 'at' | 'source'>,
  capacity: CapacityInUse,
  prev: CapacityMemory,
): CapacityMemory {
  if (learned.changed)
    return { capacityEstimate: learned.estimate, capacityAt: learned.at, capacitySource: learned.source };
  if (capacity.source === 'Configured' || capacity.source === 'None')
    return { capacityEstimate: capacity.estimate, capacityAt: null, capacitySource: capacity.source };
  return {
    capacityEstimate: prev.capacityEstimate,
    capacityAt: prev.capacityAt,
    capacitySource: prev.capacitySource,
  };
}

export function remember(
  prev: DeciderState,
  current: number,
  e: Estimate,
  p: Proposal,
  settled: Settled,
  now: number,
): DeciderState {
  return {
    recommendations: settled.recommendations,
    ...capacityMemory(p.learned, e.capacity, prev),
    costBasis: e.cost.basis,
    costRatio: e.cost.ratio,
    noDataSince: null,
    unexplainedSince: p.unexplainedSince,
    burstUntil: settled.burst.until,
    lastScaleTime: settled.desired !== current ? now : prev.lastScaleTime,
    observingSince: settled.observingSince,
    healthy: p.learned.healthy,
  };
}
