// Pure: what the status of a LatencyAutoscaler should say after one reconcile. The reconciler
// writes it only when it differs from what is stored (statusEqual), so a quiet service costs no
// writes: numbers are rounded to 3 significant digits for that reason (412.7 RPS -> "413").
import type {
  Condition,
  ConditionStatus,
  ConditionType,
  DeciderMemory,
  LatencyAutoscalerStatus,
} from '../api/types.js';
import type { Decision, DeciderState } from '../decider/types.js';
import type { TargetState } from '../target/types.js';

export type ReconcileResult =
  | {
      kind: 'decided';
      decision: Decision;
      target: TargetState;
      scaled: boolean;
      lastScaleTime: number | null;
      /** The decider's memory after this decision (persisted as status.memory). */
      state?: DeciderState;
    }
  | { kind: 'invalidSpec'; problems: string[] }
  | { kind: 'targetMissing'; message: string }
  | { kind: 'targetFailed'; reason: string; message: string };

type Wanted = Record<ConditionType, { status: ConditionStatus; reason: string; message: string }>;

export function round3(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : 'NaN';
  return Number(n.toPrecision(3)).toString();
}

const LIMITS = new Set([
  'ScaleUpLimit',
  'ScaleDownLimit',
  'TooFewReplicas',
  'TooManyReplicas',
  'LatencyNotExplainedByLoad',
  'DownstreamSlowdown',
  'CapacityLowerBoundOnly',
]);
const WAITS = new Set([
  'ScaleUpStabilized',
  'ScaleDownStabilized',
  'ScaleDownHold',
  'BurstInProgress',
  'WaitingForStartingReplicas',
]);

function conditionsFor(r: ReconcileResult): Wanted {
  switch (r.kind) {
    case 'invalidSpec':
      return {
        Ready: { status: 'False', reason: 'InvalidSpec', message: r.problems.join('; ') },
        AbleToScale: { status: 'False', reason: 'InvalidSpec', message: r.problems.join('; ') },
        ScalingActive: { status: 'False', reason: 'InvalidSpec', message: r.problems.join('; ') },
        ScalingLimited: { status: 'False', reason: 'InvalidSpec', message: '' },
      };
    case 'targetMissing':
      return {
        Ready: { status: 'False', reason: 'TargetNotFound', message: r.message },
        AbleToScale: { status: 'False', reason: 'TargetNotFound', message: r.message },
        ScalingActive: { status: 'False', reason: 'TargetNotFound', message: r.message },
        ScalingLimited: { status: 'False', reason: 'TargetNotFound', message: '' },
      };
    case 'targetFailed':
      return {
        Ready: { status: 'True', reason: 'TargetFound', message: '' },
        AbleToScale: { status: 'False', reason: r.reason, message: r.message },
        ScalingActive: { status: 'Unknown', reason: r.reason, message: r.message },
        ScalingLimited: { status: 'False', reason: r.reason, message: '' },
      };
    case 'decided': {
      const d = r.decision;
      const wait =
        d.steps.find((s) => WAITS.has(s.reason)) ?? (WAITS.has(d.reason) ? { reason: d.reason } : undefined);
      const limit =
        [...d.steps].reverse().find((s) => LIMITS.has(s.reason)) ??
        (LIMITS.has(d.reason) ? { reason: d.reason } : undefined);
      return {
        Ready: { status: 'True', reason: 'TargetFound', message: '' },
        AbleToScale: wait
          ? { status: 'True', reason: wait.reason, message: d.message }
          : { status: 'True', reason: r.scaled ? 'SucceededRescale' : 'ReadyForNewScale', message: '' },
        ScalingActive: d.metricsProblem
          ? { status: 'False', reason: d.metricsProblem.reason, message: d.metricsProblem.message }
          : { status: 'True', reason: 'ValidMetricFound', message: `${d.reason}: ${d.message}` },
        ScalingLimited: limit
          ? { status: 'True', reason: limit.reason, message: d.message }
          : { status: 'False', reason: 'DesiredWithinRange', message: '' },
      };
    }
  }
}

const ORDER: ConditionType[] = ['Ready', 'AbleToScale', 'ScalingActive', 'ScalingLimited'];

export function buildStatus(
  prev: LatencyAutoscalerStatus | undefined,
  r: ReconcileResult,
  generation: number | undefined,
  now: number,
): LatencyAutoscalerStatus {
  const wanted = conditionsFor(r);
  const conditions: Condition[] = ORDER.map((type) => {
    const w = wanted[type];
    const old = prev?.conditions?.find((c) => c.type === type);
    // The transition time moves only when the status flips, as in every Kubernetes condition.
    const lastTransitionTime =
      old && old.status === w.status ? old.lastTransitionTime : new Date(now).toISOString();
    return { type, ...w, lastTransitionTime };
  });
  const next: LatencyAutoscalerStatus = { ...prev, conditions };
  if (generation !== undefined) next.observedGeneration = generation;
  if (r.kind === 'decided') {
    const d = r.decision;
    next.replicas = r.scaled ? d.desiredReplicas : r.target.replicas;
    next.readyReplicas = r.target.readyReplicas;
    next.desiredReplicas = d.desiredReplicas;
    if (d.observed) {
      next.observedRPS = round3(d.observed.rps);
      if (d.observed.arrivingRps !== null) next.observedArrivingRPS = round3(d.observed.arrivingRps);
      else delete next.observedArrivingRPS;
      if (d.observed.latencySeconds !== null)
        next.observedLatencyMilliseconds = round3(d.observed.latencySeconds * 1000);
      else delete next.observedLatencyMilliseconds;
      if (d.observed.rpsPerReplica !== null) next.rpsPerReplica = round3(d.observed.rpsPerReplica);
    }
    if (d.capacityEstimate !== null) next.capacityEstimate = round3(d.capacityEstimate);
    next.capacitySource = d.capacitySource;
    if (r.lastScaleTime !== null) next.lastScaleTime = new Date(r.lastScaleTime).toISOString();
    if (r.state) {
      const m = memoryOf(r.state, now);
      // The same highest recommendation, stored less than 30 s ago: keep its time, so a steady
      // service rewrites its status at most twice a minute.
      const old = prev?.memory;
      if (
        old?.highestRecommendation === m.highestRecommendation &&
        old?.highestRecommendationTime !== undefined &&
        m.highestRecommendationTime !== undefined &&
        Date.parse(m.highestRecommendationTime) - Date.parse(old.highestRecommendationTime) < MEMORY_GRAIN_MS
      )
        m.highestRecommendationTime = old.highestRecommendationTime;
      next.memory = m;
    }
  }
  return next;
}

/** A recommendation time is refreshed at most every 30 s (see buildStatus). */
const MEMORY_GRAIN_MS = 30_000;

const iso = (ms: number | null): string | undefined => (ms === null ? undefined : new Date(ms).toISOString());

/**
 * What a new leader needs to continue where this one stopped: the learned capacity and when it
 * was learned (it decays from then), the cost basis, the highest recent recommendation (so it
 * does not scale down the moment it takes over), the burst, and the no-data and unexplained-latency
 * clocks (so their bounds hold across a restart).
 */
export function memoryOf(state: DeciderState, now: number): DeciderMemory {
  const highest = state.recommendations.reduce<{ at: number; replicas: number } | null>(
    (best, r) =>
      best === null || r.replicas > best.replicas || (r.replicas === best.replicas && r.at > best.at)
        ? r
        : best,
    null,
  );
  const m: DeciderMemory = {
    capacityEstimateTime:
      state.capacitySource === 'Learned' || state.capacitySource === 'LowerBound'
        ? iso(state.capacityAt)
        : undefined,
    costPerRequestSeconds: state.costBasis === null ? undefined : round3(state.costBasis),
    costRatio: state.costRatio === 1 ? undefined : round3(state.costRatio),
    highestRecommendation: highest?.replicas,
    highestRecommendationTime: highest === null ? undefined : iso(highest.at),
    burstUntil: state.burstUntil !== null && state.burstUntil > now ? iso(state.burstUntil) : undefined,
    metricsMissingSince: iso(state.noDataSince),
    unexplainedLatencySince: iso(state.unexplainedSince),
  };
  for (const k of Object.keys(m) as (keyof DeciderMemory)[]) if (m[k] === undefined) delete m[k];
  return m;
}

const time = (s: string | undefined): number | null => {
  const t = s === undefined ? NaN : Date.parse(s);
  return Number.isFinite(t) ? t : null;
};

const positive = (s: string | undefined): number | null => {
  const n = s === undefined ? NaN : Number(s);
  return Number.isFinite(n) && n > 0 ? n : null;
};

/**
 * The decider state a new leader starts from, read back from status. Recommendations older than
 * the stored one are lost; the stored one is the highest, which is all the scale-down window
 * needs (up-window recommendations matter for 10 s only).
 */
export function stateFromStatus(status: LatencyAutoscalerStatus | undefined): DeciderState {
  const m = status?.memory ?? {};
  const source = status?.capacitySource;
  const capacitySource =
    source === 'Learned' || source === 'LowerBound' || source === 'Configured' ? source : ('None' as const);
  const recTime = time(m.highestRecommendationTime);
  const learned = capacitySource === 'Learned' || capacitySource === 'LowerBound';
  return {
    recommendations:
      m.highestRecommendation !== undefined && recTime !== null
        ? [{ at: recTime, replicas: m.highestRecommendation }]
        : [],
    capacityEstimate: learned ? positive(status?.capacityEstimate) : null,
    capacityAt: learned ? time(m.capacityEstimateTime) : null,
    capacitySource: learned ? capacitySource : 'None',
    costBasis: positive(m.costPerRequestSeconds),
    costRatio: positive(m.costRatio) ?? 1,
    noDataSince: time(m.metricsMissingSince),
    unexplainedSince: time(m.unexplainedLatencySince),
    burstUntil: time(m.burstUntil),
    lastScaleTime: time(status?.lastScaleTime),
    // A new leader's windows are its own; but the series are not new: no warm-up hold.
    observingSince: status?.memory === undefined ? null : 0,
    healthy: null,
  };
}

/** Deep equality of two JSON values (status objects). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
