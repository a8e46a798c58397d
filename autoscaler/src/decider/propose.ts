// Steps 4-5 together: the replicas the load needs, with an unexplained breach bounded in time.
import type { MetricSample } from '../metrics/types.js';
import type { Learned } from './learn.js';
import type { Sized } from './size.js';
import { size } from './size.js';
import { boundUnexplained, relearnAfterTimeout } from './unexplained.js';
import { record } from './trail.js';
import type { DeciderInput, DeciderState, Step } from './types.js';

export interface Proposal {
  sized: Sized;
  /** The number before normalisation: sized, or one more when an unexplained breach ran out. */
  raw: number;
  /** Whether the unexplained breach ran out this evaluation (then `learned` was learnt anew). */
  timedOut: boolean;
  /** Since when a breach has been unexplained; null when none is. */
  unexplainedSince: number | null;
  /** The learned capacity, relearnt from this load when the unexplained bound ran out. */
  learned: Learned;
}

export function propose(
  input: DeciderInput,
  s: MetricSample,
  learned: Learned,
  prev: DeciderState,
  now: number,
  steps: Step[],
): Proposal {
  const { spec, target } = input;
  const current = target.replicas;
  const sized = size(spec, current, target.readyReplicas, s, learned);
  record(steps, 'Size', current, sized);
  const unexplained = boundUnexplained(spec, current, sized, prev.unexplainedSince, now);
  const raw = record(steps, 'Unexplained', sized.replicas, unexplained);
  const timedOut = unexplained.reason !== null;
  return {
    sized,
    raw,
    timedOut,
    unexplainedSince: unexplained.since,
    learned: timedOut ? { ...learned, ...relearnAfterTimeout(spec, learned, now) } : learned,
  };
}
