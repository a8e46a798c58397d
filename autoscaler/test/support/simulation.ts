// A small discrete-time model of a service behind an autoscaler, one step per second.
//
// Each ready replica is an M/M/1 queue with service rate MU = 100 RPS and the load is spread
// evenly, so a replica at lambda RPS has a sojourn time that is exponential with rate
// (MU - lambda): p99 = ln(100) / (MU - lambda). At 60 RPS: 4.6 / 40 = 115 ms; at 85: 4.6 / 15 =
// 307 ms. So the true capacity within a 300 ms p99 is about 84.6 RPS per replica.
// Replicas become ready STARTUP seconds after they are requested.
import type { ResolvedSpec } from '../../src/api/crd.js';
import { decide } from '../../src/decider/decide.js';
import type { DeciderState } from '../../src/decider/types.js';
import { INITIAL_STATE } from '../../src/decider/types.js';
import { T0 } from './fixtures.js';

export const MU = 100;
export const STARTUP_SECONDS = 20;
const OVERLOADED_P99 = 10; // seconds: queue grows without bound; any large value will do

export function p99At(rps: number, ready: number): number {
  if (rps === 0) return 0;
  if (ready === 0) return OVERLOADED_P99;
  const lambda = rps / ready;
  return lambda >= MU ? OVERLOADED_P99 : Math.log(100) / (MU - lambda);
}

/** An autoscaler under test: called every `everySeconds` with what it can observe. */
export interface Policy {
  everySeconds: number;
  /** Returns the new replica count. `history[i]` is the RPS of second i; `p99[i]` its p99. */
  step(now: number, replicas: number, ready: number, history: number[], p99s: number[]): number;
}

export interface SimResult {
  replicaSeconds: number;
  /** Seconds in which the true p99 exceeded the objective. */
  violationSeconds: number;
  /** Times the direction of change reversed (up then down, or down then up). */
  flaps: number;
  changes: number;
  maxReplicas: number;
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

export function simulate(
  trace: (t: number) => number,
  seconds: number,
  initial: number,
  policy: Policy,
  objective = 0.3,
): SimResult {
  let replicas = initial;
  let ready = initial;
  let pending: { at: number; n: number }[] = [];
  const history: number[] = [];
  const p99s: number[] = [];
  const r: SimResult = { replicaSeconds: 0, violationSeconds: 0, flaps: 0, changes: 0, maxReplicas: initial };
  let lastDirection = 0;
  for (let t = 0; t < seconds; t++) {
    for (const p of pending.filter((p) => p.at <= t)) ready = Math.min(replicas, ready + p.n);
    pending = pending.filter((p) => p.at > t);
    const rps = trace(t);
    const p99 = p99At(rps, ready);
    history.push(rps);
    p99s.push(p99);
    r.replicaSeconds += replicas;
    if (p99 > objective) r.violationSeconds += 1;
    if (t % policy.everySeconds === 0 && t > 0) {
      const next = policy.step(T0 + t * 1000, replicas, ready, history, p99s);
      if (next !== replicas) {
        const direction = Math.sign(next - replicas);
        if (lastDirection !== 0 && direction !== lastDirection) r.flaps += 1;
        lastDirection = direction;
        r.changes += 1;
        if (next > replicas) pending.push({ at: t + STARTUP_SECONDS, n: next - replicas });
        else ready = Math.min(ready, next);
        replicas = next;
        r.maxReplicas = Math.max(r.maxReplicas, replicas);
      }
    }
  }
  return r;
}

/** Our decider, reading windows the way the Prometheus source would (rate over 20 s and 120 s). */
export function ours(spec: ResolvedSpec): Policy {
  let state: DeciderState = INITIAL_STATE;
  return {
    everySeconds: 5,
    step(now, replicas, ready, history, p99s) {
      const short = history.slice(-spec.metrics.shortWindowSeconds);
      // The p99 of the short window: the worst second is a fair stand-in for a histogram quantile
      // over a window in which the load was piecewise constant.
      const p99 = Math.max(...p99s.slice(-spec.metrics.shortWindowSeconds));
      const { decision, state: next } = decide(
        {
          spec,
          target: { replicas, readyReplicas: ready },
          reading: {
            kind: 'ok',
            sample: {
              observedAt: now,
              rpsShort: mean(short),
              rpsLong: mean(history.slice(-spec.metrics.longWindowSeconds)),
              latencySeconds: mean(short) === 0 ? null : p99,
              withinObjective: null,
            },
          },
        },
        state,
        now,
      );
      state = next;
      return decision.desiredReplicas;
    },
  };
}

/**
 * An HPA-like baseline on the same RPS metric (AverageValue target per pod): 15 s sync, a 60 s
 * metric window (custom-metrics pipelines average over about that), 10% tolerance, scale-up at most
 * max(+4, +100%) per sync, scale-down stabilised over 300 s, unready pods ignored.
 */
export function hpaLike(targetPerPod: number, min: number, max: number): Policy {
  const recs: { at: number; n: number }[] = [];
  return {
    everySeconds: 15,
    step(now, replicas, ready, history) {
      const perPod = mean(history.slice(-60)) / Math.max(ready, 1);
      const ratio = perPod / targetPerPod;
      let desired = Math.abs(ratio - 1) <= 0.1 ? replicas : Math.ceil(ready * ratio);
      recs.push({ at: now, n: desired });
      while (recs.length > 0 && (recs[0]?.at ?? now) < now - 300_000) recs.shift();
      if (desired < replicas) desired = Math.min(replicas, Math.max(...recs.map((r) => r.n)));
      desired = Math.min(desired, Math.max(replicas + 4, replicas * 2));
      return Math.max(min, Math.min(max, desired));
    },
  };
}
