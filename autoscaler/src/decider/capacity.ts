// Step 1: the capacity per replica in use now.
import type { ResolvedSpec } from '../api/crd.js';
import type { CapacitySource, DeciderState } from './types.js';

/**
 * How long a healthy per-replica load is remembered. After 10 minutes without being confirmed it
 * is forgotten, so a slower release (whose replicas really serve less) is not blamed on a
 * dependency for longer than that.
 */
export const HEALTHY_MEMORY_SECONDS = 600;

export interface CapacityInUse {
  estimate: number | null;
  source: CapacitySource;
}

/**
 * Step 1: the capacity in use now. A learned estimate decays toward the configured one with the
 * spec's half-life, so one bad minute is not remembered forever: learned 60 against configured
 * 100 with a 600 s half-life is 80 after 10 minutes and 90 after 20. Within 1 % it is the
 * configured one again.
 */
export function currentCapacity(spec: ResolvedSpec, prev: DeciderState, now: number): CapacityInUse {
  const configured = spec.configuredCapacity;
  const learned = prev.capacityEstimate;
  if (learned === null || prev.capacitySource === 'None' || prev.capacitySource === 'Configured')
    return configured === null
      ? { estimate: null, source: 'None' }
      : { estimate: configured, source: 'Configured' };
  if (configured === null) return { estimate: learned, source: prev.capacitySource };
  const bounded = Math.min(learned, configured);
  const elapsed = prev.capacityAt === null ? 0 : Math.max(0, now - prev.capacityAt) / 1000;
  const decayed = configured - (configured - bounded) * Math.pow(0.5, elapsed / spec.capacityHalfLifeSeconds);
  if (configured - decayed <= configured * 0.01) return { estimate: configured, source: 'Configured' };
  return { estimate: decayed, source: 'Learned' };
}
