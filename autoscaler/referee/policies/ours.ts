// Our autoscaler, unmodified: the real Reconciler and decider, given a MetricSource that answers
// the PromQL of src/metrics/prometheus.ts from the simulated Prometheus, and a ScaleTarget over
// the simulated Deployment. Status is written to the object in memory, as the API server would
// store it, so what the reconciler persists is what it reads back.
import { API_VERSION, KIND, MetricError, Reconciler, resolveSpec } from '@laas/autoscaler';
import type {
  LatencyAutoscaler,
  LatencyAutoscalerSpec,
  MetricReading,
  MetricSource,
  ResolvedSpec,
  ScaleTarget,
  TargetState,
} from '@laas/autoscaler';
import { BUCKETS } from '../promql.js';
import type { Bounds, Policy, World } from './types.js';

/**
 * The window of the arriving-request rate, read from the pods each evaluation like Knative's
 * collector: its panic window, 6 s, so a 5 s evaluation sees a step within one period; at
 * 150 RPS that is 900 arrivals, a Poisson noise of 3 %.
 */
const ARRIVING_WINDOW_SECONDS = 6;

/** MetricSource over the simulated Prometheus: the same queries, the same failure codes. */
export class SimMetricSource implements MetricSource {
  world: World | null = null;

  read(spec: ResolvedSpec, nowMs: number): Promise<MetricReading> {
    const p = this.world?.prometheus() ?? null;
    if (p === null) {
      return Promise.resolve({ kind: 'error', error: new MetricError('Unreachable', 'ECONNREFUSED') });
    }
    const m = spec.metrics;
    const rpsShort = p.sumRate('requests', m.shortWindowSeconds);
    const rpsLong = p.sumRate('requests', m.longWindowSeconds);
    const latency = p.quantile(spec.quantile, m.shortWindowSeconds);
    if (rpsShort === null || rpsLong === null || latency === null) {
      return Promise.resolve({ kind: 'error', error: new MetricError('EmptyResult', 'no series matched') });
    }
    const le = BUCKETS.indexOf(spec.objectiveSeconds);
    const within = le < 0 ? null : p.sumRate({ bucket: le }, m.shortWindowSeconds);
    const count = p.sumRate({ bucket: BUCKETS.length }, m.shortWindowSeconds);
    const ratio = within === null || count === null || count === 0 ? null : within / count;
    const cpu = p.sumRate('cpu', m.shortWindowSeconds);
    const newest = p.newestSample();
    return Promise.resolve({
      kind: 'ok',
      sample: {
        observedAt: newest === null ? nowMs : Math.min(nowMs, newest * 1000),
        rpsShort,
        rpsLong,
        latencySeconds: Number.isNaN(latency) ? null : latency,
        withinObjective: ratio === null || Number.isNaN(ratio) ? null : ratio,
        cpuSecondsPerSecond: cpu,
        arrivingRps: this.world?.knativeRps(ARRIVING_WINDOW_SECONDS) ?? null,
      },
    });
  }
}

class SimTarget implements ScaleTarget {
  readonly description = 'deployment/images (simulated)';
  world: World | null = null;

  get(): Promise<TargetState> {
    const w = this.world!;
    return Promise.resolve({
      replicas: w.replicas,
      readyReplicas: w.readyReplicas,
      updatedReplicas: w.replicas,
    });
  }

  scale(replicas: number): Promise<void> {
    this.world!.scale(replicas);
    return Promise.resolve();
  }
}

const silent = { info() {}, warn() {}, error() {}, debug() {} };

export interface OursSettings {
  targetUtilization: number;
  rpsPerReplica: number;
  fallbackReplicas: number;
}

export class Ours implements Policy {
  readonly family = 'laas (ours)';
  readonly periodSeconds = 5;
  readonly setting: string;
  readonly object: LatencyAutoscaler;
  private readonly source = new SimMetricSource();
  private readonly target = new SimTarget();
  private reconciler: Reconciler;

  constructor(settings: OursSettings, bounds: Bounds) {
    this.setting = `${Math.round(settings.targetUtilization * 100)}%`;
    const spec: LatencyAutoscalerSpec = {
      scaleTargetRef: { kind: 'Deployment', name: 'images' },
      minReplicas: bounds.minReplicas,
      maxReplicas: bounds.maxReplicas,
      capacity: { rpsPerReplica: settings.rpsPerReplica, targetUtilization: settings.targetUtilization },
      metrics: { prometheusUrl: 'http://prometheus.invalid:9090', selector: '{service="images"}' },
      fallbackReplicas: settings.fallbackReplicas,
    };
    this.object = {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { namespace: 'sim', name: 'images', generation: 1 },
      spec,
    };
    resolveSpec(spec); // throws early on a spec the reconciler would refuse
    this.reconciler = this.newReconciler();
  }

  private newReconciler(): Reconciler {
    return new Reconciler({
      metrics: this.source,
      targetFor: () => this.target,
      status: {
        write: (obj, status) => {
          this.object.status = structuredClone(status);
          return Promise.resolve();
        },
      },
      events: { record: () => Promise.resolve() },
      clock: () => Math.round((this.source.world?.now ?? 0) * 1000),
      log: silent,
    });
  }

  /** A leader change: a new reconciler that knows only what status persisted. */
  failover(): void {
    this.reconciler = this.newReconciler();
  }

  async evaluate(w: World): Promise<void> {
    this.source.world = w;
    this.target.world = w;
    await this.reconciler.reconcile(this.object);
  }
}
