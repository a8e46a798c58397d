// Step 3: what a sample teaches about the capacity per replica.
import type { ResolvedSpec } from '../api/crd.js';
import { arrivingRps } from './size.js';
import type { MetricSample } from '../metrics/types.js';
import type { Attribution, CapacitySource, DeciderState } from './types.js';
import {
  BREACH_BACKOFF,
  BREACH_STEADY_BAND,
  LOW_LOAD_FRACTION,
  RISING_RATIO,
  SERVED_MARGIN,
  STEADY_RATIO,
} from './constants.js';
import type { CapacityInUse } from './capacity.js';
import { HEALTHY_MEMORY_SECONDS } from './capacity.js';
import type { Cost } from './cost.js';

export interface Learned {
  /** The estimate to remember (at the basis cost). */
  estimate: number | null;
  source: CapacitySource;
  /** When it was set; unchanged when nothing was learned. */
  at: number | null;
  /** True when this sample set the estimate (then `estimate` and `at` are the new memory). */
  changed: boolean;
  /** The capacity to size with now: estimate / cost ratio. */
  effective: number | null;
  attribution: Attribution;
  /** Downstream confirmed by CPU: requests cost what they did, and replicas are not busy. */
  confirmed: boolean;
  breach: boolean;
  rpsPerReplica: number | null;
  healthy: DeciderState['healthy'];
}

/**
 * Step 3: is the objective met, who is to blame if not, and what does that teach about capacity?
 * Loads are compared at the basis cost (load x cost ratio).
 *
 * - Within objective at L RPS per replica (steady, not low): capacity is at least L. Remember L
 *   as the healthy load; with nothing configured, L becomes a lower bound (LowerBound: used to
 *   go down, never to go up); a learned estimate below L rises to L (never above configured).
 * - Breach with the CPU per request measured and unchanged at a load served within the objective
 *   before (the healthy memory, +10 %): a confirmed downstream slowdown, learn nothing.
 * - Breach with the CPU unchanged at a load never served (not low, not rising): the replicas
 *   serve less than planned (e.g. a host that grants less than the quota): Load, below.
 * - Breach at a low load (< 50 % of planned) or at or below the remembered healthy load, CPU not
 *   telling: not the load's fault as far as we know: Downstream, unconfirmed (bounded, step 5).
 * - A breach while requests got heavier: Load (the cost ratio already resizes), learn nothing.
 * - Otherwise Load: capacity is below L: believe 0.9 x L, but not below the healthy load nor
 *   the floor. E.g. configured 100, healthy 60, breach at 75: max(60, 50, min(100, 67.5)) = 67.5.
 */
export function learnCapacity(
  spec: ResolvedSpec,
  readyReplicas: number,
  s: MetricSample,
  prev: Pick<DeciderState, 'healthy' | 'capacityAt'>,
  capacity: CapacityInUse,
  cost: Cost,
  now: number,
): Learned {
  const ceiling = spec.configuredCapacity ?? Infinity;
  const fresh =
    prev.healthy !== null && now - prev.healthy.at <= HEALTHY_MEMORY_SECONDS * 1000 ? prev.healthy : null;
  const rpsPerReplica = readyReplicas > 0 ? s.rpsShort / readyReplicas : null;
  const breach =
    s.withinObjective !== null
      ? s.withinObjective < spec.quantile
      : s.latencySeconds !== null && s.latencySeconds > spec.objectiveSeconds;
  let estimate = capacity.estimate;
  let source = capacity.source;
  let at = prev.capacityAt;
  let changed = false;
  const result = (
    attribution: Attribution,
    healthy: DeciderState['healthy'],
    confirmed = false,
  ): Learned => ({
    estimate,
    source,
    at,
    changed,
    effective: estimate === null ? null : estimate / cost.ratio,
    attribution,
    confirmed,
    breach,
    rpsPerReplica,
    healthy,
  });

  if (rpsPerReplica === null) return result('Unknown', fresh);
  const load = rpsPerReplica * cost.ratio; // at the basis cost
  const planned = estimate === null ? null : estimate * spec.targetUtilization;
  const lowAt = (l: number): boolean =>
    l < spec.capacityFloor * spec.targetUtilization * LOW_LOAD_FRACTION ||
    (planned !== null && l < planned * LOW_LOAD_FRACTION);
  const low = lowAt(load);

  if (!breach) {
    let healthy = fresh;
    // Learn only from a steady load that is not low: in the first seconds of a step the queues
    // have not built up yet, and an idle replica says nothing about its limit.
    if (load > 0 && !low && s.rpsShort <= STEADY_RATIO * s.rpsLong) {
      if (estimate === null || load > estimate) {
        const raised = Math.min(load, ceiling);
        if (estimate === null || raised > estimate) {
          estimate = raised;
          at = now;
          changed = true;
          if (source === 'None') source = 'LowerBound';
        }
      }
      // Confirm (refresh) the memory when this load is at least 90% of the remembered one.
      if (healthy === null || rpsPerReplica >= healthy.rpsPerReplica * BREACH_BACKOFF) {
        healthy = { rpsPerReplica: Math.max(rpsPerReplica, healthy?.rpsPerReplica ?? 0), at: now };
      }
    }
    return result('WithinObjective', healthy);
  }
  if (cost.ratio > 1) return result('Load', fresh);
  // "Same cost" needs a basis to compare with (it is set only near the plan, see assessCost).
  const cpuSaysSameCost = cost.perRequest !== null && cost.basis !== null && cost.ratio === 1;
  // With the CPU measured and unchanged, a breach at a load served within the objective before
  // (within 10 %) is not the load's: a dependency slowed down. Not while the load rises: then the
  // short window still averages in the load before the rise, and drowning replicas read as idle.
  // With arrivals counted, the load a breach is judged at is what arrives, not what the replicas
  // managed to complete: 5 replicas, 3 of them ready for seconds, completed 47 RPS each over the
  // short window while 146 each arrived, and "47 was served within the objective before" read a
  // starved step as a slow dependency.
  const arriving = arrivingRps(s);
  const offered = arriving === null ? rpsPerReplica : Math.max(rpsPerReplica, arriving / readyReplicas);
  const rising =
    s.rpsShort > RISING_RATIO * s.rpsLong || (arriving !== null && arriving > RISING_RATIO * s.rpsShort);
  const served = fresh !== null && offered <= fresh.rpsPerReplica * SERVED_MARGIN;
  if (cpuSaysSameCost && !rising && served) return result('Downstream', fresh, true);
  // A breach at a load that is not low and was never served within the objective is the load's,
  // even under the plan: the replicas serve less than planned, whatever the plan says. On a
  // loaded host a 100m replica was granted half its quota and breached at 16 RPS where 21 were
  // planned; "under plan" (and "same CPU per request") read that as a slow dependency and held
  // one replica through a 5x step. Learning is bounded by the floor, so a wrong guess costs at
  // most the replicas the floor allows.
  const belowHealthy = fresh !== null && offered <= fresh.rpsPerReplica;
  if (offered === 0 || belowHealthy || lowAt(offered * cost.ratio))
    return result('Downstream', fresh, cpuSaysSameCost && served);
  // A breach teaches only at a steady load (short and long RPS within 10 %): at a step the queue
  // builds while the short window still averages in the load before it (a step from 150 to 750
  // RPS reads 181 against 160 five seconds in), so 0.9 x that would be far too low.
  if (Math.abs(s.rpsShort - s.rpsLong) > BREACH_STEADY_BAND * s.rpsLong) return result('Load', fresh);
  const floor = Math.max(spec.capacityFloor, fresh?.rpsPerReplica ?? 0);
  const lowered = Math.max(floor, Math.min(estimate ?? Infinity, load * BREACH_BACKOFF));
  if (estimate === null || lowered < estimate || source === 'LowerBound') {
    estimate = lowered;
    at = now;
    changed = true;
    source = 'Learned';
  }
  return result('Load', fresh);
}
