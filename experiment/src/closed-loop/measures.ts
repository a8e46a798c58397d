// The referee's measures (autoscaler/referee/sim.ts computes them inside its event loop) over a
// measured per-second timeline, with the same definitions:
//   - SLO-violating requests: over the 300 ms objective, or failed (k6: non-2xx, timeout, dropped);
//   - replica-seconds: replicas that exist (starting ones included) integrated over the trace;
//   - direction changes: a scale in the opposite direction of the previous scale;
//   - time to recover: from the step until the end of the last 5 s bin (within 300 s) with over
//     1 % of its requests violating; 0 when none does; null for a trace without a step.
import { OBJECTIVE_SECONDS } from '@laas/referee';
import type { RequestRecord } from './k6-trace.js';

const BIN_SECONDS = 5;

/** One second of a closed-loop run (t: seconds since the trace started). */
export interface SecondPoint {
  t: number;
  offeredRps: number;
  /** Requests that ended this second with a 2xx/3xx. */
  servedRps: number;
  /** Requests that ended this second (served or failed). */
  requests: number;
  violating: number;
  failed: number;
  /** p99 of the requests that ended this second (ms), null without any. */
  p99Ms: number | null;
  /** Replicas asked for (starting ones included) and ready ones, sampled this second. */
  replicas: number;
  ready: number;
}

export interface ScaleEvent {
  t: number;
  from: number;
  to: number;
}

export interface Measures {
  requests: number;
  violating: number;
  failed: number;
  replicaSeconds: number;
  directionChanges: number;
  scaleEvents: number;
  recoverySeconds: number | null;
}

/** Nearest-rank quantile of unsorted values (ms); null when empty. */
export function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Per-second points from k6's requests and the replica samples (both in epoch ms). A request
 * belongs to the second it ended in; `replicasAt(t)` gives the count sampled for second t.
 */
export function buildTimeline(input: {
  records: readonly RequestRecord[];
  originMs: number;
  durationSeconds: number;
  offered: (t: number) => number;
  replicasAt: (t: number) => { replicas: number; ready: number };
}): SecondPoint[] {
  const n = input.durationSeconds;
  const durations: number[][] = Array.from({ length: n }, () => []);
  const points: SecondPoint[] = Array.from({ length: n }, (_, t) => ({
    t,
    offeredRps: input.offered(t + 0.5),
    servedRps: 0,
    requests: 0,
    violating: 0,
    failed: 0,
    p99Ms: null,
    ...input.replicasAt(t),
  }));
  const objectiveMs = OBJECTIVE_SECONDS * 1000;
  for (const r of input.records) {
    // Requests that end after the trace (the last ones in flight) count in its last second.
    const t = Math.min(n - 1, Math.max(0, Math.floor((r.endMs - input.originMs) / 1000)));
    const p = points[t]!;
    p.requests++;
    if (r.failed) p.failed++;
    else p.servedRps++;
    if (r.failed || r.durationMs > objectiveMs) p.violating++;
    durations[t]!.push(r.failed ? Math.max(r.durationMs, 5000) : r.durationMs);
  }
  for (const p of points) p.p99Ms = quantile(durations[p.t]!, 0.99);
  return points;
}

/** The scale events a replica timeline implies (a change of the asked-for count). */
export function scaleEventsOf(points: readonly SecondPoint[]): ScaleEvent[] {
  const out: ScaleEvent[] = [];
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1]!.replicas;
    const b = points[i]!.replicas;
    if (a !== b) out.push({ t: points[i]!.t, from: a, to: b });
  }
  return out;
}

export function measure(
  points: readonly SecondPoint[],
  events: readonly ScaleEvent[],
  stepAt?: number,
): Measures {
  let requests = 0;
  let violating = 0;
  let failed = 0;
  let replicaSeconds = 0;
  for (const p of points) {
    requests += p.requests;
    violating += p.violating;
    failed += p.failed;
    replicaSeconds += Math.max(p.replicas, p.ready);
  }
  let directionChanges = 0;
  let last = 0;
  for (const e of events) {
    const d = Math.sign(e.to - e.from);
    if (d === 0) continue;
    if (last !== 0 && d !== last) directionChanges++;
    last = d;
  }
  let recoverySeconds: number | null = null;
  if (stepAt !== undefined) {
    recoverySeconds = 0;
    const bins = Math.ceil(points.length / BIN_SECONDS);
    const first = Math.floor(stepAt / BIN_SECONDS);
    const lastBin = Math.min(bins, first + Math.floor(300 / BIN_SECONDS));
    for (let b = first; b < lastBin; b++) {
      let n = 0;
      let v = 0;
      for (const p of points.slice(b * BIN_SECONDS, (b + 1) * BIN_SECONDS)) {
        n += p.requests;
        v += p.violating;
      }
      if (n > 0 && v / n > 0.01) recoverySeconds = (b + 1) * BIN_SECONDS - stepAt;
    }
  }
  return {
    requests,
    violating,
    failed,
    replicaSeconds,
    directionChanges,
    scaleEvents: events.filter((e) => e.to !== e.from).length,
    recoverySeconds,
  };
}

/** A sample of the scaled object's replica counts (epoch ms). */
export interface ReplicaSample {
  ms: number;
  replicas: number;
  ready: number;
}

/**
 * The per-second timeline of one run from k6's requests and the replica samples, on the local
 * system and in the cluster alike. k6 needs a moment to start its VUs: the trace starts at its
 * first request (or at `fallbackOriginMs` if none was recorded). Second t takes the last sample
 * at or before its middle.
 */
export function runTimeline(input: {
  records: readonly RequestRecord[];
  samples: readonly ReplicaSample[];
  fallbackOriginMs: number;
  durationSeconds: number;
  offered: (t: number) => number;
}): { originMs: number; timeline: SecondPoint[] } {
  const firstStart = input.records.reduce(
    (m, r) => (r.durationMs > 0 ? Math.min(m, r.endMs - r.durationMs) : m),
    Infinity,
  );
  const originMs = Number.isFinite(firstStart) ? firstStart : input.fallbackOriginMs;
  const replicasAt = (t: number): { replicas: number; ready: number } => {
    const ms = originMs + t * 1000 + 500;
    let best = input.samples[0] ?? { replicas: 0, ready: 0 };
    for (const s of input.samples) if (s.ms <= ms) best = s;
    return { replicas: best.replicas, ready: best.ready };
  };
  return {
    originMs,
    timeline: buildTimeline({
      records: input.records,
      originMs,
      durationSeconds: input.durationSeconds,
      offered: input.offered,
      replicasAt,
    }),
  };
}
