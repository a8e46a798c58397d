// One run: a trace, a policy, a seed -> what the users got (SLO-violating requests) and what it
// cost (replica-seconds), plus a timeline. Time is simulated seconds; nothing here reads a clock.
//
// The loop generates Poisson arrivals in time order; between arrivals it runs the periodic
// events that are due: Prometheus scrapes (every 5 s, each replica at its own offset, as
// Prometheus spreads its targets), metrics-server scrapes (every 15 s), and the policy's own
// evaluation period. A request is routed at its arrival and its completion time is known then
// (see cluster.ts); counters include it only once that time has passed.
//
// A warm start: with `warmupSeconds` W the run first serves the trace's starting load for W
// seconds, unmeasured, so that every series, rate() window and controller history (the HPA's
// recommendations, KEDA's failure count, the KPA's windows, our decider's memory) is that of a
// system long in its steady state. Policies see simulation time, which starts at -W on the
// trace's clock: the trace's t = 0 is simulation time W.
import { Cluster } from './cluster.js';
import type { Replica } from './cluster.js';
import type { ServiceModel } from './model.js';
import { BUCKETS, Tsdb } from './promql.js';
import type { PodCpu, PodView, Policy, PrometheusView, World } from './policies/types.js';
import { exponential, seeded } from './rng.js';
import type { Trace } from './traces.js';

export const OBJECTIVE_SECONDS = 0.3;
export const SCRAPE_SECONDS = 5;
export const METRICS_SERVER_SECONDS = 15;
const TIMELINE_STEP = 5;

/** Log-spaced latency bins (1 ms .. ~30 s) for the router's view and the timeline's p99. */
const BINS = 120;
const BIN_MIN = 0.001;
const BIN_RATIO = Math.pow(30_000, 1 / BINS);
const binOf = (s: number): number =>
  s <= BIN_MIN ? 0 : Math.min(BINS - 1, Math.floor(Math.log(s / BIN_MIN) / Math.log(BIN_RATIO)) + 1);
const binUpper = (b: number): number => BIN_MIN * Math.pow(BIN_RATIO, b);

function binQuantile(hist: ArrayLike<number>, q: number): number | null {
  let total = 0;
  for (let i = 0; i < BINS; i++) total += hist[i]!;
  if (total === 0) return null;
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < BINS; i++) {
    cum += hist[i]!;
    if (cum >= rank) return binUpper(i);
  }
  return binUpper(BINS - 1);
}

export interface TimelinePoint {
  t: number;
  offeredRps: number;
  replicas: number;
  ready: number;
  /** True p99 of the requests that arrived in this step (seconds), null without any. */
  p99: number | null;
  violating: number;
}

export interface RunResult {
  trace: string;
  family: string;
  setting: string;
  seed: number;
  requests: number;
  violating: number;
  failed: number;
  replicaSeconds: number;
  directionChanges: number;
  scaleEvents: number;
  /** Seconds from the trace's step until the last 5 s with over 1 % violating requests (null: no step). */
  recoverySeconds: number | null;
  timeline: TimelinePoint[];
}

export interface RunOptions {
  model: ServiceModel;
  minReplicas: number;
  maxReplicas: number;
  /** Keep the timeline (memory): only for the runs that are drawn. */
  timeline: boolean;
  /** A leader change of our autoscaler at this time (seconds), for policies that support it. */
  failoverAt?: number;
  /** Unmeasured seconds at the trace's starting load before it begins (0: a cold start). */
  warmupSeconds?: number;
}

/** The referee's warm-up: ten times the longest window any policy reads (the KPA's 60 s). */
export const WARMUP_SECONDS = 600;

export async function simulate(
  trace: Trace,
  policy: Policy,
  seed: number,
  o: RunOptions,
): Promise<RunResult> {
  const warm = o.warmupSeconds ?? 0;
  const total = warm + trace.durationSeconds;
  /** The trace's clock at simulation time t: its start during the warm-up. */
  const traceT = (t: number): number => Math.max(0, t - warm);
  const random = seeded(seed * 7919 + 17);
  const arrivals = seeded(seed);
  const cluster = new Cluster(o.model, random, trace.initialReplicas, 0);
  const tsdb = new Tsdb();
  const steps = Math.ceil(trace.durationSeconds / TIMELINE_STEP);
  const perStep = {
    arrivals: new Float64Array(steps),
    violating: new Float64Array(steps),
    hist: Array.from({ length: steps }, () => new Float64Array(BINS)),
    replicas: new Float64Array(steps),
    ready: new Float64Array(steps),
  };
  // The router's log: latencies per second of arrival (Heroku reads the last minute of it).
  const router = Array.from({ length: total + 1 }, () => new Float32Array(BINS));
  // Knative's collector: requests arriving at the pods per second, and request-seconds in
  // flight per second (a request from 2.6 s to 3.2 s adds 0.4 to second 2 and 0.2 to second 3).
  const perSecond = new Float64Array(total + 1);
  const inFlightSeconds = new Float64Array(total + 1);
  const scrapeOffset = new Map<number, number>();
  const msSamples = new Map<number, { t: number; cpu: number }[]>();
  const inOutage = (t: number): boolean =>
    trace.outage !== undefined && t >= warm && t - warm >= trace.outage.from && t - warm < trace.outage.to;

  let now = 0;
  let requests = 0;
  let violating = 0;
  let failed = 0;
  let lastDirection = 0;
  let directionChanges = 0;
  let scaleEvents = 0;

  const promView: PrometheusView = {
    sumRate: (metric, range) =>
      tsdb.sumRate(
        metric === 'requests'
          ? (s) => s.requests
          : metric === 'cpu'
            ? (s) => s.cpu
            : (s) => s.buckets[metric.bucket]!,
        now,
        range,
      ),
    quantile: (q, range) => tsdb.quantile(q, now, range),
    newestSample: () => tsdb.newestSample(now),
  };

  /** The average of a per-second series over the last `seconds` whole seconds. */
  const windowAverage = (perSec: Float64Array, seconds: number): number | null => {
    if (inOutage(now)) return null;
    const end = Math.floor(now);
    const from = Math.max(0, end - seconds);
    if (end <= from) return null;
    let sum = 0;
    for (let s = from; s < end; s++) sum += perSec[s]!;
    return sum / (end - from);
  };

  const podView = (r: Replica): PodView => {
    const running = r.phase !== 'starting' || now >= r.readyAt - 3;
    return {
      id: r.id,
      phase: running ? 'Running' : 'Pending',
      ready: r.phase === 'ready' || r.phase === 'draining',
      startTime: r.createdAt,
      readyTransitionTime: r.phase === 'starting' ? r.createdAt : r.readyAt,
      deleting: r.phase === 'draining',
    };
  };

  const world: World = {
    get now() {
      return now;
    },
    get replicas() {
      return cluster.desired;
    },
    get readyReplicas() {
      return cluster.ready;
    },
    pods: () => cluster.replicas.filter((r) => r.phase !== 'gone').map(podView),
    podCpu: () => {
      if (inOutage(now)) return null;
      const out = new Map<number, PodCpu>();
      for (const r of cluster.replicas) {
        if (r.phase === 'gone') continue;
        const s = msSamples.get(r.id);
        if (!s || s.length < 2) continue;
        const a = s[s.length - 2]!;
        const b = s[s.length - 1]!;
        out.set(r.id, { cores: (b.cpu - a.cpu) / (b.t - a.t), timestamp: b.t, window: b.t - a.t });
      }
      return out;
    },
    prometheus: () => (inOutage(now) ? null : promView),
    knativeRps: (seconds) => windowAverage(perSecond, seconds),
    knativeConcurrency: (seconds) => windowAverage(inFlightSeconds, seconds),
    routerQuantile: (q, seconds) => {
      if (inOutage(now)) return null;
      const end = Math.floor(now);
      const hist = new Float64Array(BINS);
      for (let s = Math.max(0, end - seconds); s < end; s++)
        for (let b = 0; b < BINS; b++) hist[b]! += router[s]![b]!;
      return binQuantile(hist, q);
    },
    scale: (replicas) => {
      const from = cluster.desired;
      const to = Math.max(0, Math.round(replicas));
      if (to === from) return;
      const direction = Math.sign(to - from);
      if (now >= warm) {
        if (lastDirection !== 0 && direction !== lastDirection) directionChanges++;
        lastDirection = direction;
        scaleEvents++;
      }
      cluster.scale(to, now);
    },
  };

  // Periodic events, each with its next due time.
  let nextScrapeSweep = 0;
  let nextMetricsServer = 0;
  let nextPolicy = policy.periodSeconds;
  let failedOver = o.failoverAt === undefined;
  let warmReplicaSeconds: number | null = warm === 0 ? 0 : null;
  const tick = 0.5;
  let nextTick = 0;

  const runDue = async (until: number): Promise<void> => {
    while (nextTick <= until) {
      now = nextTick;
      cluster.advance(now);
      // Prometheus: each replica that serves /metrics, at its own offset in the 5 s cycle.
      if (now >= nextScrapeSweep) {
        nextScrapeSweep = now + tick;
        for (const r of cluster.replicas) {
          if (!scrapeOffset.has(r.id)) scrapeOffset.set(r.id, random() * SCRAPE_SECONDS);
          const offset = scrapeOffset.get(r.id)!;
          // scrape times offset + k*5 that fall in (now - tick, now]
          const k = Math.floor((now - offset) / SCRAPE_SECONDS);
          const at = offset + k * SCRAPE_SECONDS;
          if (at <= now - tick || at < 0) continue;
          if (inOutage(at)) continue;
          if (r.phase === 'ready' || r.phase === 'draining') {
            r.advance(at);
            tsdb.append(r.id, at, r.counters);
          } else if (r.phase === 'gone') tsdb.markStale(r.id, at);
        }
        tsdb.compact(now, 600);
      }
      if (now >= nextMetricsServer) {
        nextMetricsServer = now + METRICS_SERVER_SECONDS;
        if (!inOutage(now)) {
          for (const r of cluster.replicas) {
            if (r.phase !== 'ready' && r.phase !== 'draining') continue;
            const s = msSamples.get(r.id) ?? [];
            s.push({ t: now, cpu: r.counters.cpuSeconds });
            msSamples.set(r.id, s.slice(-2));
          }
        }
      }
      if (warmReplicaSeconds === null && now >= warm) warmReplicaSeconds = cluster.replicaSeconds(warm);
      if (!failedOver && now >= warm + o.failoverAt!) {
        failedOver = true;
        (policy as { failover?: () => void }).failover?.();
      }
      if (now >= nextPolicy) {
        nextPolicy = now + policy.periodSeconds;
        await policy.evaluate(world);
      }
      if (now >= warm) {
        const step = Math.min(steps - 1, Math.floor((now - warm) / TIMELINE_STEP));
        perStep.replicas[step] = cluster.desired;
        perStep.ready[step] = cluster.ready;
      }
      cluster.costFactor = trace.costFactor?.(traceT(now)) ?? 1;
      cluster.extraWait = trace.extraWait?.(traceT(now)) ?? 0;
      cluster.cpuGrant = trace.cpuGrant?.(traceT(now)) ?? 1;
      nextTick += tick;
    }
  };

  // Arrivals: Poisson, rate piecewise constant per second (exponential gaps are memoryless, so
  // restarting the draw at each second's boundary is exact).
  for (let second = 0; second < total; second++) {
    const lambda = trace.rps(second < warm ? 0 : second - warm + 0.5);
    let t = second;
    for (;;) {
      t += lambda > 0 ? exponential(arrivals, 1 / lambda) : Infinity;
      if (t >= second + 1) break;
      if (nextTick <= t) await runDue(t);
      now = t;
      const out = cluster.request(t);
      const bad = out.failed || out.latency > OBJECTIVE_SECONDS;
      const bin = binOf(out.failed ? 60 : out.latency);
      router[second]![bin]! += 1;
      // The queue-proxy counts a request as it arrives, whatever then happens to it.
      perSecond[second]! += 1;
      for (let s = second, from = t, to = t + out.latency; from < to && s <= total; s++) {
        const upTo = Math.min(to, s + 1);
        inFlightSeconds[s]! += upTo - from;
        from = upTo;
      }
      if (second < warm) continue;
      requests++;
      if (out.failed) failed++;
      if (bad) violating++;
      const step = Math.floor((t - warm) / TIMELINE_STEP);
      perStep.arrivals[step]! += 1;
      if (bad) perStep.violating[step]! += 1;
      perStep.hist[step]![bin]! += 1;
    }
  }
  await runDue(total);
  const end = total;

  let recoverySeconds: number | null = null;
  if (trace.stepAt !== undefined) {
    recoverySeconds = 0;
    const first = Math.floor(trace.stepAt / TIMELINE_STEP);
    const last = Math.min(steps, first + Math.floor(300 / TIMELINE_STEP));
    for (let s = first; s < last; s++) {
      if (perStep.arrivals[s]! > 0 && perStep.violating[s]! / perStep.arrivals[s]! > 0.01)
        recoverySeconds = (s + 1) * TIMELINE_STEP - trace.stepAt;
    }
  }
  const timeline: TimelinePoint[] = [];
  if (o.timeline) {
    for (let s = 0; s < steps; s++) {
      timeline.push({
        t: s * TIMELINE_STEP,
        offeredRps: perStep.arrivals[s]! / TIMELINE_STEP,
        replicas: perStep.replicas[s]!,
        ready: perStep.ready[s]!,
        p99: binQuantile(perStep.hist[s]!, 0.99),
        violating: perStep.violating[s]!,
      });
    }
  }
  return {
    trace: trace.name,
    family: policy.family,
    setting: policy.setting,
    seed,
    requests,
    violating,
    failed,
    replicaSeconds: cluster.replicaSeconds(end) - (warmReplicaSeconds ?? 0),
    directionChanges,
    scaleEvents,
    recoverySeconds,
    timeline,
  };
}

export { BUCKETS };
