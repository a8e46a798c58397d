// The set-up of one run: the simulated cluster, its series and the tallies the loop fills.
import { Cluster } from './cluster.js';
import { BINS } from './sim-bins.js';
import type { RunOptions } from './sim-types.js';
import { Tsdb } from './promql.js';
import type { Random } from './rng.js';
import { seeded } from './rng.js';
import type { Trace } from './traces.js';

export const OBJECTIVE_SECONDS = 0.3;
export const SCRAPE_SECONDS = 5;
export const METRICS_SERVER_SECONDS = 15;
export const TIMELINE_STEP = 5;

/** Per 5 s step of the trace (the warm-up is not measured). */
export interface PerStep {
  arrivals: Float64Array;
  violating: Float64Array;
  hist: Float64Array[];
  replicas: Float64Array;
  ready: Float64Array;
}

export interface Run {
  readonly trace: Trace;
  /** Unmeasured seconds before the trace's t = 0. */
  readonly warm: number;
  readonly total: number;
  readonly random: Random;
  readonly arrivals: Random;
  readonly cluster: Cluster;
  readonly tsdb: Tsdb;
  /** Timeline steps of the trace. */
  readonly steps: number;
  readonly perStep: PerStep;
  /** The router's log: latencies per second of arrival (Heroku reads the last minute of it). */
  readonly router: Float32Array[];
  /**
   * Knative's collector: requests arriving at the pods per second, and request-seconds in flight
   * per second (a request from 2.6 s to 3.2 s adds 0.4 to second 2 and 0.2 to second 3).
   */
  readonly perSecond: Float64Array;
  readonly inFlightSeconds: Float64Array;
  /** Each replica's offset in Prometheus's 5 s scrape cycle. */
  readonly scrapeOffset: Map<number, number>;
  /** metrics-server's last two CPU samples per replica. */
  readonly msSamples: Map<number, { t: number; cpu: number }[]>;
  /** Simulation time in seconds: the trace's t = 0 is `warm`. */
  now: number;
  requests: number;
  violating: number;
  failed: number;
  lastDirection: number;
  directionChanges: number;
  scaleEvents: number;
  /** Replica-seconds spent in the warm-up, known once it ends (0 for a cold start). */
  warmReplicaSeconds: number | null;
}

export function setUp(trace: Trace, seed: number, o: RunOptions): Run {
  const warm = o.warmupSeconds ?? 0;
  const total = warm + trace.durationSeconds;
  // The cluster's randomness is drawn before the arrivals' stream is used: keep this order, or
  // seed 1 no longer replays the same run.
  const random = seeded(seed * 7919 + 17);
  const arrivals = seeded(seed);
  const steps = Math.ceil(trace.durationSeconds / TIMELINE_STEP);
  return {
    trace,
    warm,
    total,
    random,
    arrivals,
    cluster: new Cluster(o.model, random, trace.initialReplicas, 0),
    tsdb: new Tsdb(),
    steps,
    perStep: {
      arrivals: new Float64Array(steps),
      violating: new Float64Array(steps),
      hist: Array.from({ length: steps }, () => new Float64Array(BINS)),
      replicas: new Float64Array(steps),
      ready: new Float64Array(steps),
    },
    router: Array.from({ length: total + 1 }, () => new Float32Array(BINS)),
    perSecond: new Float64Array(total + 1),
    inFlightSeconds: new Float64Array(total + 1),
    scrapeOffset: new Map(),
    msSamples: new Map(),
    now: 0,
    requests: 0,
    violating: 0,
    failed: 0,
    lastDirection: 0,
    directionChanges: 0,
    scaleEvents: 0,
    warmReplicaSeconds: warm === 0 ? 0 : null,
  };
}

/** The trace's clock at simulation time t: its start during the warm-up. */
export const traceT = (run: Run, t: number): number => Math.max(0, t - run.warm);

/** Whether the trace's metrics outage covers simulation time t (never during the warm-up). */
export function inOutage(run: Run, t: number): boolean {
  const { trace, warm } = run;
  return (
    trace.outage !== undefined && t >= warm && t - warm >= trace.outage.from && t - warm < trace.outage.to
  );
}
