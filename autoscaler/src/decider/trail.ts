// The trail of steps a decision shows: only the steps that changed the number.
import type { Reason, Step } from './types.js';

/**
 * Applies one step's answer: records it when it both gives a reason and moves the number, and
 * returns the number to carry on with. Clamp at 12 -> 10 with TooManyReplicas is recorded; a
 * stabilise that keeps 10 is not, whatever its reason.
 */
export function record(
  steps: Step[],
  step: Step['step'],
  from: number,
  r: { replicas: number; reason: Reason | null },
): number {
  if (r.reason !== null && r.replicas !== from) steps.push({ step, from, to: r.replicas, reason: r.reason });
  return r.replicas;
}
