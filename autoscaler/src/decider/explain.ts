// The decision as reported: the final number, the reason of the last step that moved it.
import type { MetricSample } from '../metrics/types.js';
import type { Estimate } from './estimate.js';
import type { Proposal } from './propose.js';
import type { Settled } from './settle.js';
import { arrivingRps } from './size.js';
import type { Decision, Step } from './types.js';

/**
 * The reason is that of the last step that changed the number, else sizing's; the message is
 * sizing's sentence, plus the last step when it overrode it: "...; ratelimit: 4 -> 8 (ScaleUpLimit)".
 */
export function explain(
  current: number,
  s: MetricSample,
  e: Estimate,
  p: Proposal,
  settled: Settled,
  steps: Step[],
): Decision {
  const { sized, learned } = p;
  const last = steps.at(-1);
  const reason = last === undefined ? sized.reason : last.reason;
  const message =
    last === undefined || last.reason === sized.reason
      ? sized.message
      : `${sized.message}; ${last.step.toLowerCase()}: ${last.from} -> ${last.to} (${last.reason})`;
  return {
    outcome: settled.desired !== current ? 'Scale' : 'Hold',
    currentReplicas: current,
    desiredReplicas: settled.desired,
    reason,
    message,
    steps,
    observed: {
      rps: s.rpsShort,
      arrivingRps: arrivingRps(s),
      latencySeconds: s.latencySeconds,
      withinObjective: s.withinObjective,
      rpsPerReplica: learned.rpsPerReplica,
    },
    capacityEstimate: learned.effective,
    capacitySource: learned.source,
    costRatio: e.cost.ratio,
    attribution: learned.attribution,
    burst: settled.burst.inProgress,
    metricsProblem: null,
  };
}
