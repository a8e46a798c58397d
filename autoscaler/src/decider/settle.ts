// Steps 6-10 in order: the HPA's normalisation chain applied to the proposal.
import type { MetricSample } from '../metrics/types.js';
import { burstGuard, clamp, detectBurst, holdScaleDown, rateLimit, stabilize } from './normalize.js';
import type { Proposal } from './propose.js';
import { record } from './trail.js';
import type { DeciderInput, DeciderState, Recommendation, Step } from './types.js';

export interface Settled {
  desired: number;
  /** The recommendations within the longer of the two windows, this one included. */
  recommendations: Recommendation[];
  burst: { now: boolean; until: number | null; inProgress: boolean };
  observingSince: number;
}

/**
 * stabilise -> burst guard -> hold -> rate-limit -> clamp. A burst, a rising breach or an
 * unexplained breach that ran out skip the scale-up window: they are reasons to act now.
 */
export function settle(
  input: DeciderInput,
  s: MetricSample,
  p: Proposal,
  prev: DeciderState,
  now: number,
  steps: Step[],
): Settled {
  const { spec } = input;
  const current = input.target.replicas;
  const burst = detectBurst(spec, current, s, p.learned.effective, prev.burstUntil, now);
  const horizon = Math.max(spec.scaleUp.windowSeconds, spec.scaleDown.windowSeconds) * 1000;
  const recommendations = [
    ...prev.recommendations.filter((r) => r.at > now - horizon),
    { at: now, replicas: p.raw },
  ];
  const skipUpWindow = burst.now || p.sized.urgent === true || p.timedOut;
  let desired = record(
    steps,
    'Stabilize',
    p.raw,
    stabilize(spec, current, p.raw, recommendations, now, skipUpWindow),
  );
  desired = record(steps, 'BurstGuard', desired, burstGuard(current, desired, burst.inProgress));
  // After a stretch without usable data the windows refill like a new series' do: warm up again.
  const observingSince = prev.noDataSince !== null ? now : (prev.observingSince ?? now);
  desired = record(
    steps,
    'Hold',
    desired,
    holdScaleDown(spec, current, desired, prev.lastScaleTime, observingSince, now),
  );
  desired = record(steps, 'RateLimit', desired, rateLimit(spec, current, desired));
  desired = record(steps, 'Clamp', desired, clamp(spec, desired));
  return { desired, recommendations, burst, observingSince };
}
