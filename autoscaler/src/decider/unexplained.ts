// Step 5: a breach not explained by load, bounded in time.
import type { ResolvedSpec } from '../api/crd.js';
import { BREACH_BACKOFF } from './constants.js';
import type { Learned } from './learn.js';
import type { Sized } from './size.js';

/**
 * Step 5: a breach blamed on something other than load, with no CPU evidence either way, may
 * hold only `unexplainedLatencySeconds`: then one replica is added, and the clock restarts. So
 * heavier requests without a CPU series cost at most a minute per replica, never forever; a
 * confirmed downstream slowdown (CPU unchanged) holds, as the spec says, and says so.
 */
export function boundUnexplained(
  spec: ResolvedSpec,
  current: number,
  sized: Sized,
  since: number | null,
  now: number,
): { replicas: number; reason: 'UnexplainedLatencyTimeout' | null; since: number | null } {
  if (sized.reason !== 'LatencyNotExplainedByLoad')
    return { replicas: sized.replicas, reason: null, since: null };
  const start = since ?? now;
  if (now - start >= spec.scaleUp.unexplainedLatencySeconds * 1000)
    return { replicas: current + 1, reason: 'UnexplainedLatencyTimeout', since: now };
  return { replicas: sized.replicas, reason: null, since: start };
}

/**
 * When the bound runs out the breach is treated as the load's after all: the memory of a healthy
 * load was wrong (requests got heavier with no CPU series to show it), so it is dropped and the
 * estimate learnt from this load, floor permitting: 4 replicas breaching at 60 RPS each, floor
 * 50, learn max(50, 0.9 x 60) = 54. Without this the added replicas would cure the breach, the
 * load would then look healthy at 34 per replica, and sizing would take them away again.
 */
export function relearnAfterTimeout(spec: ResolvedSpec, l: Learned, now: number): Partial<Learned> {
  if (l.rpsPerReplica === null || l.rpsPerReplica === 0) return {};
  const estimate = Math.max(
    spec.capacityFloor,
    Math.min(l.estimate ?? Infinity, l.rpsPerReplica * BREACH_BACKOFF),
  );
  return { estimate, at: now, changed: true, source: 'Learned', healthy: null, effective: estimate };
}
