// What a policy sees of a run: Prometheus, metrics-server, Knative's collector, the router's
// log, the pods, and the one thing it may do, scale. Each read is as of the run's `now`.
import type { Replica } from './cluster.js';
import type { PodCpu, PodView, PrometheusView, World } from './policies/types.js';
import { BINS, binQuantile } from './sim-bins.js';
import type { Run } from './sim-run.js';
import { inOutage } from './sim-run.js';

function prometheusOf(run: Run): PrometheusView {
  const { tsdb } = run;
  return {
    sumRate: (metric, range) =>
      tsdb.sumRate(
        metric === 'requests'
          ? (s) => s.requests
          : metric === 'cpu'
            ? (s) => s.cpu
            : (s) => s.buckets[metric.bucket]!,
        run.now,
        range,
      ),
    quantile: (q, range) => tsdb.quantile(q, run.now, range),
    newestSample: () => tsdb.newestSample(run.now),
  };
}

/** The average of a per-second series over the last `seconds` whole seconds. */
function windowAverage(run: Run, perSec: Float64Array, seconds: number): number | null {
  if (inOutage(run, run.now)) return null;
  const end = Math.floor(run.now);
  const from = Math.max(0, end - seconds);
  if (end <= from) return null;
  let sum = 0;
  for (let s = from; s < end; s++) sum += perSec[s]!;
  return sum / (end - from);
}

/** A replica as the API server shows it: Running 3 s before it turns ready. */
function podView(r: Replica, now: number): PodView {
  const running = r.phase !== 'starting' || now >= r.readyAt - 3;
  return {
    id: r.id,
    phase: running ? 'Running' : 'Pending',
    ready: r.phase === 'ready' || r.phase === 'draining',
    startTime: r.createdAt,
    readyTransitionTime: r.phase === 'starting' ? r.createdAt : r.readyAt,
    deleting: r.phase === 'draining',
  };
}

/** metrics-server's cores per pod: the last two samples' CPU over their interval. */
function podCpu(run: Run): Map<number, PodCpu> | null {
  if (inOutage(run, run.now)) return null;
  const out = new Map<number, PodCpu>();
  for (const r of run.cluster.replicas) {
    if (r.phase === 'gone') continue;
    const s = run.msSamples.get(r.id);
    if (!s || s.length < 2) continue;
    const a = s[s.length - 2]!;
    const b = s[s.length - 1]!;
    out.set(r.id, { cores: (b.cpu - a.cpu) / (b.t - a.t), timestamp: b.t, window: b.t - a.t });
  }
  return out;
}

function routerQuantile(run: Run, q: number, seconds: number): number | null {
  if (inOutage(run, run.now)) return null;
  const end = Math.floor(run.now);
  const hist = new Float64Array(BINS);
  for (let s = Math.max(0, end - seconds); s < end; s++)
    for (let b = 0; b < BINS; b++) hist[b]! += run.router[s]![b]!;
  return binQuantile(hist, q);
}

/** Scales the cluster; after the warm-up, counts the scale and any change of direction. */
function scale(run: Run, replicas: number): void {
  const { cluster } = run;
  const from = cluster.desired;
  const to = Math.max(0, Math.round(replicas));
  if (to === from) return;
  const direction = Math.sign(to - from);
  if (run.now >= run.warm) {
    if (run.lastDirection !== 0 && direction !== run.lastDirection) run.directionChanges++;
    run.lastDirection = direction;
    run.scaleEvents++;
  }
  cluster.scale(to, run.now);
}

export function worldOf(run: Run): World {
  const { cluster } = run;
  const promView = prometheusOf(run);
  return {
    get now() {
      return run.now;
    },
    get replicas() {
      return cluster.desired;
    },
    get readyReplicas() {
      return cluster.ready;
    },
    pods: () => cluster.replicas.filter((r) => r.phase !== 'gone').map((r) => podView(r, run.now)),
    podCpu: () => podCpu(run),
    prometheus: () => (inOutage(run, run.now) ? null : promView),
    knativeRps: (seconds) => windowAverage(run, run.perSecond, seconds),
    knativeConcurrency: (seconds) => windowAverage(run, run.inFlightSeconds, seconds),
    routerQuantile: (q, seconds) => routerQuantile(run, q, seconds),
    scale: (replicas) => scale(run, replicas),
  };
}
