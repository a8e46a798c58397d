// Pure: what the status of a LatencyAutoscaler should say after one reconcile. The reconciler
// writes it only when it differs from what is stored (statusEqual), so a quiet service costs no
// writes: numbers are rounded to 3 significant digits for that reason (412.7 RPS -> "413").
import type { Condition, ConditionStatus, ConditionType, LatencyAutoscalerStatus } from '../api/types.js';
import type { Decision } from '../decider/types.js';
import type { TargetState } from '../target/types.js';

export type ReconcileResult =
  | {
      kind: 'decided';
      decision: Decision;
      target: TargetState;
      scaled: boolean;
      lastScaleTime: number | null;
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
      if (d.observed.latencySeconds !== null)
        next.observedLatencyMilliseconds = round3(d.observed.latencySeconds * 1000);
      else delete next.observedLatencyMilliseconds;
      if (d.observed.rpsPerReplica !== null) next.rpsPerReplica = round3(d.observed.rpsPerReplica);
    }
    if (d.capacityEstimate !== null) next.capacityEstimate = round3(d.capacityEstimate);
    if (r.lastScaleTime !== null) next.lastScaleTime = new Date(r.lastScaleTime).toISOString();
  }
  return next;
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
