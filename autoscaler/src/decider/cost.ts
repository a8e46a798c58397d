// Step 2: the CPU cost of a request against its basis.
import type { ResolvedSpec } from '../api/crd.js';
import type { MetricSample } from '../metrics/types.js';
import type { DeciderState } from './types.js';
import { COST_BAND, COST_LEARNING_RATE, COST_LOAD_FRACTION } from './constants.js';

export interface Cost {
  /** CPU seconds per request now, or null when not measurable (no CPU series, low load). */
  perRequest: number | null;
  basis: number | null;
  /** perRequest / basis outside the band, else 1. */
  ratio: number;
}

/**
 * Step 2: has a request become more expensive? CPU seconds per second over RPS is the CPU of one
 * request: 0.55 cores at 500 RPS is 1.1 ms. Measured only at half the plan per replica or more
 * (COST_LOAD_FRACTION: idle CPU would otherwise look like expensive requests); below it the last
 * ratio holds. The basis is set only within the objective; inside +-25 % it follows slowly;
 * above the band the ratio scales the capacity: a
 * release that makes requests cost 2.2 ms instead of 1.1 halves what a replica serves.
 *
 * Below the band the ratio is never used: requests that read cheaper than the basis never raise
 * the capacity above its estimate (which is itself never above the configured one). A cheaper
 * reading is more often an inflated basis (fixed CPU spread over few requests) than a faster
 * release, and sizing on it under-sizes: basis 6.6 ms, now 3.3 ms, would have doubled 30 RPS per
 * replica to 60. Where the basis may be set, a cheaper reading becomes the new basis instead.
 */
export function assessCost(
  spec: ResolvedSpec,
  ready: number,
  s: MetricSample,
  capacity: number | null,
  prev: Pick<DeciderState, 'costBasis' | 'costRatio'>,
  breach: boolean,
  sinceScaleSeconds: number = Infinity,
): Cost {
  const cpu = s.cpuSecondsPerSecond;
  const planned = capacity === null ? null : capacity * spec.targetUtilization;
  const perReplica = ready > 0 ? s.rpsShort / ready : 0;
  const lowLoad = planned !== null && ready > 0 && perReplica < COST_LOAD_FRACTION * planned;
  // Not measurable now: keep the last ratio. Twice the cost doubled the replicas, which halved
  // the load per replica; forgetting the ratio then would halve them again, and so on.
  // Nor within a long window of a scale: new replicas start, compile their hot paths and load
  // their catalog, CPU that reads as cost. In a 10x flash crowd on the local system, 1 -> 4
  // replicas at 75 s read 1.5-2.6x the cost for the next minute, and sizing asked for 8.
  const settling = sinceScaleSeconds < spec.metrics.longWindowSeconds;
  if (
    cpu === undefined ||
    cpu === null ||
    !(cpu > 0) ||
    !(s.rpsShort > 0) ||
    ready === 0 ||
    lowLoad ||
    settling
  )
    return { perRequest: null, basis: prev.costBasis, ratio: prev.costRatio };
  const perRequest = cpu / s.rpsShort;
  const mayBase = !breach;
  if (prev.costBasis === null) return { perRequest, basis: mayBase ? perRequest : null, ratio: 1 };
  const ratio = perRequest / prev.costBasis;
  if (ratio < 1 - COST_BAND) return { perRequest, basis: mayBase ? perRequest : prev.costBasis, ratio: 1 };
  if (ratio <= 1 + COST_BAND) {
    const basis = mayBase
      ? prev.costBasis + COST_LEARNING_RATE * (perRequest - prev.costBasis)
      : prev.costBasis;
    return { perRequest, basis, ratio: 1 };
  }
  return { perRequest, basis: prev.costBasis, ratio };
}
