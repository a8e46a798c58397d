// Builders shared by the pure decider tests: a resolved spec with overrides, metric readings,
// and a loop that feeds a load trace through the decider with a hand-advanced clock.
import { resolveSpec } from '../../src/api/crd.js';
import type { LatencyAutoscalerSpec } from '../../src/api/types.js';
import type { ResolvedSpec } from '../../src/api/crd.js';
import { decide } from '../../src/decider/decide.js';
import type { Decision, DeciderState } from '../../src/decider/types.js';
import { INITIAL_STATE } from '../../src/decider/types.js';
import type { MetricErrorCode, MetricReading } from '../../src/metrics/types.js';
import { MetricError } from '../../src/metrics/types.js';

export const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** A decider that has watched the service for an hour (past the warm-up that holds scale-down). */
export const WARM: DeciderState = { ...INITIAL_STATE, observingSince: T0 - 3_600_000 };

export function spec(over: Partial<LatencyAutoscalerSpec> = {}): ResolvedSpec {
  return resolveSpec({
    scaleTargetRef: { kind: 'Deployment', name: 'images' },
    minReplicas: 1,
    maxReplicas: 50,
    capacity: { rpsPerReplica: 100 },
    metrics: { prometheusUrl: 'http://127.0.0.1:9090', selector: '{service="images"}' },
    ...over,
  });
}

export interface Load {
  rps: number;
  /** Defaults to rps: a load that has lasted the whole long window. */
  rpsLong?: number;
  p99?: number | null;
  within?: number | null;
  /** Seconds before `now` the reading was evaluated. */
  age?: number;
  /** CPU seconds per second of all replicas (absent: no CPU series). */
  cpu?: number | null;
  /** Requests per second arriving at the replicas, counted before the handler (absent: none). */
  arriving?: number | null;
}

export function ok(now: number, l: Load): MetricReading {
  return {
    kind: 'ok',
    sample: {
      observedAt: now - (l.age ?? 0) * 1000,
      rpsShort: l.rps,
      rpsLong: l.rpsLong ?? l.rps,
      latencySeconds: l.p99 === undefined ? 0.1 : l.p99,
      withinObjective: l.within ?? null,
      ...(l.cpu === undefined ? {} : { cpuSecondsPerSecond: l.cpu }),
      ...(l.arriving === undefined ? {} : { arrivingRps: l.arriving }),
    },
  };
}

export function failed(code: MetricErrorCode): MetricReading {
  return { kind: 'error', error: new MetricError(code, `simulated ${code}`) };
}

export interface Tick {
  at: number;
  replicas: number;
  decision: Decision;
}

/**
 * Runs `steps` evaluations every `everySeconds`, applying each decision at once to both the spec
 * replicas and (after `startupSeconds`) the ready ones. `load(t)` gives the reading at second t.
 */
export function run(opts: {
  spec: ResolvedSpec;
  replicas: number;
  seconds: number;
  everySeconds?: number;
  startupSeconds?: number;
  state?: Partial<DeciderState>;
  /** The reading at second t, given the replicas ready to serve it. */
  load: (t: number, ready: number) => Load | MetricReading;
}): Tick[] {
  const every = opts.everySeconds ?? 5;
  let state: DeciderState = { ...WARM, ...opts.state };
  let replicas = opts.replicas;
  // Replicas become ready `startupSeconds` after they were asked for.
  let pending: { readyAt: number; count: number }[] = [];
  let ready = opts.replicas;
  const ticks: Tick[] = [];
  for (let t = 0; t <= opts.seconds; t += every) {
    const now = T0 + t * 1000;
    ready = Math.min(
      replicas,
      ready + pending.filter((p) => p.readyAt <= t).reduce((a, p) => a + p.count, 0),
    );
    pending = pending.filter((p) => p.readyAt > t);
    const l = opts.load(t, ready);
    const reading = 'kind' in l ? l : ok(now, l);
    const r = decide({ spec: opts.spec, target: { replicas, readyReplicas: ready }, reading }, state, now);
    state = r.state;
    const to = r.decision.desiredReplicas;
    if (to > replicas) pending.push({ readyAt: t + (opts.startupSeconds ?? 0), count: to - replicas });
    if (to < replicas) ready = Math.min(ready, to);
    replicas = to;
    if ((opts.startupSeconds ?? 0) === 0) ready = replicas;
    ticks.push({ at: t, replicas, decision: r.decision });
  }
  return ticks;
}

/** Number of times the replica count changed direction or moved at all. */
export function changes(ticks: Tick[]): number {
  return ticks.filter((t) => t.decision.outcome === 'Scale').length;
}
