// The decider: (spec, target, metric reading, remembered state, now) -> (decision, new state).
// Pure: no clock, no I/O, no randomness. The sequence, each phase a function in its own file:
//
//   checkReading -> (no data: decideWithoutData) | estimateCapacity -> propose -> settle
//     -> explain + remember
//
// which composes the named steps:
//
//   estimateCapacity: currentCapacity -> assessCost -> learnCapacity
//   propose:          size -> boundUnexplained
//   settle:           stabilize -> burstGuard -> holdScaleDown -> rateLimit -> clamp
//
// Worked example (defaults: utilisation 0.7, hysteresis 0.5 replica): capacity 100 RPS/replica,
// 4 replicas, 700 RPS. Planned per replica = 100 x 0.7 = 70, so 700/70 = 10 replicas are needed;
// 700 >= 2 x (4 x 70) = 560 is a burst, so the scale-up window is skipped; the step limit allows
// max(4 x 10, 4 + 4) = 40, so the answer is 10 within this evaluation.
import type { DecideResult, DeciderInput, DeciderState, Step } from './types.js';
import { checkReading } from './reading.js';
import { decideWithoutData } from './without-data.js';
import { estimateCapacity } from './estimate.js';
import { propose } from './propose.js';
import { settle } from './settle.js';
import { explain } from './explain.js';
import { remember } from './remember.js';

export * from './constants.js';
export * from './reading.js';
export * from './capacity.js';
export * from './cost.js';
export * from './learn.js';
export * from './size.js';
export * from './unexplained.js';
export * from './normalize.js';

export function decide(input: DeciderInput, prev: DeciderState, now: number): DecideResult {
  const checked = checkReading(input, now);
  if (!checked.ok) return decideWithoutData(input, prev, checked, now);
  const s = checked.sample;
  const current = input.target.replicas;
  const steps: Step[] = [];
  const estimate = estimateCapacity(input, s, prev, now);
  const proposal = propose(input, s, estimate.learned, prev, now, steps);
  const settled = settle(input, s, proposal, prev, now, steps);
  return {
    decision: explain(current, s, estimate, proposal, settled, steps),
    state: remember(prev, current, estimate, proposal, settled, now),
  };
}
