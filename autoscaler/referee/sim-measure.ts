// What a finished run reports: its tallies, the recovery after a step, and the timeline.
import type { Policy } from './policies/types.js';
import { binQuantile } from './sim-bins.js';
import type { Run } from './sim-run.js';
import { TIMELINE_STEP } from './sim-run.js';
import type { RunResult, TimelinePoint } from './sim-types.js';

/**
 * Seconds from the trace's step until the end of the last 5 s step, within 300 s of it, with
 * over 1 % of its requests violating: a step at 600 s whose last bad step is 640-645 s recovered
 * in 45 s. Null for a trace without a step.
 */
export function recoverySeconds(run: Run): number | null {
  const { stepAt } = run.trace;
  if (stepAt === undefined) return null;
  const { arrivals, violating } = run.perStep;
  let recovery = 0;
  const first = Math.floor(stepAt / TIMELINE_STEP);
  const last = Math.min(run.steps, first + Math.floor(300 / TIMELINE_STEP));
  for (let s = first; s < last; s++) {
    if (arrivals[s]! > 0 && violating[s]! / arrivals[s]! > 0.01) recovery = (s + 1) * TIMELINE_STEP - stepAt;
  }
  return recovery;
}

export function timeline(run: Run): TimelinePoint[] {
  const { perStep } = run;
  const points: TimelinePoint[] = [];
  for (let s = 0; s < run.steps; s++) {
    points.push({
      t: s * TIMELINE_STEP,
      offeredRps: perStep.arrivals[s]! / TIMELINE_STEP,
      replicas: perStep.replicas[s]!,
      ready: perStep.ready[s]!,
      p99: binQuantile(perStep.hist[s]!, 0.99),
      violating: perStep.violating[s]!,
    });
  }
  return points;
}

/** The run's result; replica-seconds count only after the warm-up. */
export function measure(run: Run, policy: Policy, seed: number, withTimeline: boolean): RunResult {
  return {
    trace: run.trace.name,
    family: policy.family,
    setting: policy.setting,
    seed,
    requests: run.requests,
    violating: run.violating,
    failed: run.failed,
    replicaSeconds: run.cluster.replicaSeconds(run.total) - (run.warmReplicaSeconds ?? 0),
    directionChanges: run.directionChanges,
    scaleEvents: run.scaleEvents,
    recoverySeconds: recoverySeconds(run),
    timeline: withTimeline ? timeline(run) : [],
  };
}
