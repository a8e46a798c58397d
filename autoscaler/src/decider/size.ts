// Step 4: the replicas the load needs, and why.
import type { ResolvedSpec } from '../api/crd.js';
import type { MetricSample } from '../metrics/types.js';
import type { Reason } from './types.js';
import { RISING_RATIO } from './constants.js';
import { EPSILON, ceil, fmt } from './math.js';
import type { Learned } from './learn.js';

export interface Sized {
  replicas: number;
  reason: Reason;
  message: string;
  /** Act now: skip the scale-up window (a rising breach, like a burst). */
  urgent?: boolean;
}

/** The arriving-request rate when the source has a usable one (finite, not negative), else null. */
export function arrivingRps(s: MetricSample): number | null {
  const a = s.arrivingRps;
  return a !== undefined && a !== null && Number.isFinite(a) && a >= 0 ? a : null;
}

/**
 * The load to size from: the larger of the completed-request rates and, when the source has it,
 * the rate of requests arriving at the replicas. Two replicas complete at most about 2 x 250 RPS:
 * at a step from 150 to 750 RPS the 20 s rate of completions reads 440 five seconds in (a window
 * mostly before the step, the rest capped), 2.9 replicas at 154 each; the arrivals read 730, the
 * 5 replicas the load needs.
 */
export function offeredRps(s: MetricSample): number {
  return Math.max(s.rpsShort, s.rpsLong, arrivingRps(s) ?? 0);
}

/**
 * Arrivals above what the windows of completions show by more than RISING_RATIO: the load rose
 * within the last seconds (or replicas are saturated and complete less than arrives). The count
 * of arrivals is the offered load itself, not a noisy spike of it, so a scale-up it asks for is
 * not held for the up-window (at 750 RPS over 6 s, 4500 arrivals: Poisson noise is 1.5 %).
 */
function arrivalsLead(s: MetricSample): boolean {
  const a = arrivingRps(s);
  return a !== null && a > RISING_RATIO * Math.max(s.rpsShort, s.rpsLong);
}

/**
 * Step 4: the replica count the load asks for. desired = ceil(RPS / (capacity x utilisation)),
 * using the larger of the short and long RPS (fast up; down only when both windows agree).
 * Going down adds the hysteresis: with 0.5, 4.4 replicas' worth of load keeps 5 (ceil 4.9),
 * and it takes 4.5 or less to let the fifth go; a load wobbling around 4.5 therefore never flaps.
 */
export function size(spec: ResolvedSpec, current: number, ready: number, s: MetricSample, l: Learned): Sized {
  if (l.effective === null) {
    return {
      replicas: current,
      reason: 'CapacityUnknown',
      message: 'no capacity configured and none learned yet',
    };
  }
  const perReplica = l.effective * spec.targetUtilization;
  const rps = offeredRps(s);
  const needed = rps / perReplica;
  const up = ceil(needed);
  const costly = l.effective < (l.estimate ?? 0) * (1 - EPSILON);
  let sized: Sized;
  if (up > current) {
    // A lower bound (the most a replica has served, nothing configured) says nothing about where
    // a replica's limit is, and dividing it by a cost ratio does not make it one. With the chart's
    // defaults an idle gateway (2.26 RPS over 3 replicas, a lower bound learnt from the little it
    // had served) read its idle CPU, shared by few requests, as heavier requests, planned 0.58 RPS
    // per replica and asked for 4 (the test rows: 7). Without a breach there is nothing to size
    // from; a breach is handled by the Load attribution below.
    sized =
      l.source === 'LowerBound'
        ? {
            replicas: current,
            reason: 'CapacityLowerBoundOnly',
            message: `${fmt(rps)} RPS would need ${fmt(needed)} replicas at ${fmt(perReplica)} RPS each, but ${fmt(
              l.estimate,
            )} is only a lower bound of the capacity (nothing configured)`,
          }
        : {
            replicas: up,
            reason: costly ? 'CostPerRequestChanged' : 'LoadAboveCapacity',
            urgent: arrivalsLead(s),
            message: `${fmt(rps)} RPS needs ${fmt(needed)} replicas at ${fmt(perReplica)} RPS each${
              costly ? ` (requests cost ${fmt((l.estimate ?? 0) / l.effective)}x the CPU they did)` : ''
            }`,
          };
  } else {
    const down = ceil(needed + spec.scaleDown.hysteresisReplicas);
    sized =
      down < current
        ? {
            replicas: down,
            reason: 'LoadBelowCapacity',
            message: `${fmt(rps)} RPS needs ${fmt(needed)} replicas at ${fmt(perReplica)} RPS each`,
          }
        : {
            replicas: current,
            reason: 'LoadMatchesCapacity',
            message: `${fmt(rps)} RPS fits ${current} replicas`,
          };
  }
  if (l.attribution === 'Downstream' && sized.replicas <= current) {
    // The latency is not the load's: more replicas would not help, fewer would make it worse.
    // (If the RPS alone asks for more replicas, that still happens above.)
    const blame = l.confirmed
      ? `requests cost the CPU they did and replicas are at ${fmt(l.rpsPerReplica)} RPS`
      : `${fmt(l.rpsPerReplica)} RPS per replica ${
          l.healthy ? `was served within it (${fmt(l.healthy.rpsPerReplica)})` : 'is below the planned load'
        }`;
    return {
      replicas: current,
      reason: l.confirmed ? 'DownstreamSlowdown' : 'LatencyNotExplainedByLoad',
      message: `latency over objective, but ${blame}: not scaling for a slow dependency`,
    };
  }
  if (l.attribution === 'Load') {
    // Replicas already starting are capacity on the way: do not add more for the same load.
    if (ready < current && sized.replicas <= current) {
      return {
        replicas: current,
        reason: 'WaitingForStartingReplicas',
        message: `latency over objective; ${current - ready} replicas are starting`,
      };
    }
    // Rising and over the objective: the counters count completed requests, which overloaded
    // replicas cap at what they can serve, so the RPS under-reads the offered load. Double
    // (the rate limit still applies) rather than add the one replica a steady breach gets.
    // Only while the measured load already fills the replicas at plan: later in the step the
    // short window's p99 still remembers the queue that more replicas have since drained.
    // With the arrivals counted, the sizing above already saw the offered load: no doubling.
    if (
      arrivingRps(s) === null &&
      s.rpsShort > RISING_RATIO * s.rpsLong &&
      ready >= current &&
      sized.replicas >= current
    ) {
      const doubled = Math.max(sized.replicas, 2 * current);
      return {
        replicas: doubled,
        urgent: true,
        reason: 'LatencyAboveObjective',
        message: `latency over objective while the load rises (${fmt(s.rpsShort)} RPS short, ${fmt(
          s.rpsLong,
        )} long): completed requests under-read the offered load, doubling`,
      };
    }
    if (sized.replicas <= current) {
      return {
        replicas: current + 1,
        reason: 'LatencyAboveObjective',
        message: `latency over objective at ${fmt(l.rpsPerReplica)} RPS per replica; capacity estimate now ${fmt(
          l.effective,
        )}`,
      };
    }
    return sized.reason === 'CostPerRequestChanged' ? sized : { ...sized, reason: 'LatencyAboveObjective' };
  }
  return sized;
}
