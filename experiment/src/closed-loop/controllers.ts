// The two controllers of a closed-loop run, both acting on the local system through one
// ScaleTarget: ours (the operator's real Reconciler and decider, reading the local Prometheus
// through the operator's PrometheusMetricSource) and the HPA ported in autoscaler/referee (on CPU
// utilisation, with its pod grouping, tolerance, stabilisation and rate limits).
import { API_VERSION, KIND, PrometheusMetricSource, Reconciler, resolveSpec } from '@laas/autoscaler';
import type { LatencyAutoscaler, LatencyAutoscalerSpec, ScaleTarget, TargetState } from '@laas/autoscaler';
import { HpaCpu } from '@laas/referee';
import type { Bounds, PodCpu, PodView, World } from '@laas/referee';
import type { LocalScaleTarget, ReplicaPool } from '@laas/local';

export type PolicyName = 'laas' | 'hpa';

export interface ClosedLoopController {
  readonly label: string;
  readonly periodSeconds: number;
  /** One evaluation at `t` seconds since the trace started. */
  evaluate(t: number): Promise<void>;
}

/**
 * LocalScaleTarget.scale resolves once the replicas are ready; a Deployment's scale returns at
 * once and the pods follow. This wrapper gives the controllers the Deployment's behaviour: the
 * pool starts the change (and serialises changes), `get` shows the asked-for count at once.
 */
export class DeploymentLikeTarget implements ScaleTarget {
  readonly description: string;
  readonly errors: string[] = [];

  constructor(private readonly inner: LocalScaleTarget) {
    this.description = inner.description;
  }

  get(): Promise<TargetState> {
    return this.inner.get();
  }

  async scale(replicas: number, version?: string): Promise<void> {
    const change = this.inner.scale(replicas, version);
    change.catch((error: unknown) => this.errors.push(String(error)));
    // A stale version or a bad count is refused before anything starts (a rejected promise by
    // the next turn of the event loop): pass that on, as the API server would; then return.
    await Promise.race([change, new Promise<void>((resolve) => setImmediate(resolve))]);
  }
}

const silent = { info() {}, warn() {}, error() {}, debug() {} };

export interface OursOptions {
  prometheusUrl: string;
  bounds: Bounds;
  /** Configured RPS per replica within the objective, and the planned fraction of it. */
  rpsPerReplica: number;
  targetUtilization: number;
  fallbackReplicas: number;
  /** The local Prometheus' scrape interval (s): the windows must be >= 4 of them. */
  scrapeIntervalSeconds: number;
  /** Short and long rate windows (s); default the CRD's (20 s, 60 s). */
  windows?: { short: number; long: number };
}

/** The operator's Reconciler (decider included), unmodified, on the local system. */
export class OursController implements ClosedLoopController {
  readonly label: string;
  readonly periodSeconds = 5;
  readonly object: LatencyAutoscaler;
  /** What status said after each evaluation (the decision, its numbers and its reasons). */
  readonly decisions: {
    t: number;
    desired?: number;
    rps?: string;
    latencyMs?: string;
    capacity?: string;
    capacitySource?: string;
    costRatio?: string;
    conditions: string[];
  }[] = [];
  private readonly reconciler: Reconciler;

  constructor(
    private readonly target: ScaleTarget,
    o: OursOptions,
  ) {
    this.label = `laas (ours) ${Math.round(o.targetUtilization * 100)}%`;
    const spec: LatencyAutoscalerSpec = {
      scaleTargetRef: { kind: 'Deployment', name: 'images' },
      minReplicas: o.bounds.minReplicas,
      maxReplicas: o.bounds.maxReplicas,
      capacity: { rpsPerReplica: o.rpsPerReplica, targetUtilization: o.targetUtilization },
      metrics: {
        prometheusUrl: o.prometheusUrl,
        selector: '{service="images"}',
        scrapeIntervalSeconds: o.scrapeIntervalSeconds,
        ...(o.windows ? { shortWindowSeconds: o.windows.short, longWindowSeconds: o.windows.long } : {}),
      },
      fallbackReplicas: o.fallbackReplicas,
    };
    resolveSpec(spec); // throws on a spec the operator would refuse
    this.object = {
      apiVersion: API_VERSION,
      kind: KIND,
      metadata: { namespace: 'local', name: 'images', generation: 1 },
      spec,
    };
    this.reconciler = new Reconciler({
      metrics: new PrometheusMetricSource({ timeoutMs: 3000 }),
      targetFor: () => this.target,
      status: {
        write: (_obj, status) => {
          this.object.status = structuredClone(status);
          return Promise.resolve();
        },
      },
      events: { record: () => Promise.resolve() },
      clock: () => Date.now(),
      log: silent,
    });
  }

  async evaluate(t: number): Promise<void> {
    await this.reconciler.reconcile(this.object);
    const s = this.object.status;
    this.decisions.push({
      t,
      desired: s?.desiredReplicas,
      rps: s?.observedRPS,
      latencyMs: s?.observedLatencyMilliseconds,
      capacity: s?.capacityEstimate,
      capacitySource: s?.capacitySource,
      costRatio: s?.memory?.costRatio,
      conditions: (s?.conditions ?? []).map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`),
    });
  }
}

/**
 * The ported HPA on CPU utilisation. Its World is the local system: pods are the pool's
 * replicas (ready ones Running, asked-for ones not yet ready Pending), and metrics-server is
 * replaced by Prometheus' per-replica `rate(process_cpu_seconds_total[15s])`, queried at each
 * 15 s sync: the same thing metrics-server reports (a pod's average cores over its window).
 */
export class HpaController implements ClosedLoopController {
  readonly label: string;
  readonly periodSeconds: number;
  private readonly hpa: HpaCpu;
  private readonly ids = new Map<string, number>();
  private readonly readySince = new Map<string, number>();

  constructor(
    private readonly target: ScaleTarget,
    private readonly pool: ReplicaPool,
    private readonly prometheusUrl: string,
    targetPercent: number,
    bounds: Bounds,
    private readonly requestCores: number,
    private readonly cpuWindowSeconds = 15,
  ) {
    this.hpa = new HpaCpu(targetPercent, bounds, requestCores);
    this.label = `HPA (CPU) ${targetPercent}%`;
    this.periodSeconds = this.hpa.periodSeconds;
  }

  /** Called every second by the run: when each replica was first seen ready. */
  observe(t: number): void {
    for (const r of this.pool.replicas()) {
      if (!this.ids.has(r.name)) this.ids.set(r.name, this.ids.size + 1);
      if (!this.readySince.has(r.name)) this.readySince.set(r.name, t);
    }
  }

  private async cpuByReplica(): Promise<Map<string, number> | null> {
    const query = `rate(process_cpu_seconds_total{service="images"}[${this.cpuWindowSeconds}s])`;
    try {
      const res = await fetch(`${this.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`, {
        signal: AbortSignal.timeout(3000),
      });
      if (!res.ok) return null;
      const body = (await res.json()) as {
        data?: { result?: { metric: Record<string, string>; value: [number, string] }[] };
      };
      const out = new Map<string, number>();
      for (const r of body.data?.result ?? []) {
        const v = Number(r.value[1]);
        if (r.metric.replica && Number.isFinite(v)) out.set(r.metric.replica, v);
      }
      return out;
    } catch {
      return null; // metrics-server unreachable: the HPA skips this sync
    }
  }

  async evaluate(t: number): Promise<void> {
    this.observe(t);
    const [state, cpu] = await Promise.all([this.target.get(), this.cpuByReplica()]);
    const ready = this.pool.replicas();
    const pods: PodView[] = ready.map((r) => ({
      id: this.ids.get(r.name)!,
      phase: 'Running',
      ready: true,
      startTime: this.readySince.get(r.name)!,
      readyTransitionTime: this.readySince.get(r.name)!,
      deleting: false,
    }));
    for (let i = ready.length; i < state.replicas; i++)
      pods.push({
        id: -i,
        phase: 'Pending',
        ready: false,
        startTime: t,
        readyTransitionTime: t,
        deleting: false,
      });
    let podCpu: Map<number, PodCpu> | null = null;
    if (cpu) {
      podCpu = new Map();
      for (const r of ready) {
        const cores = cpu.get(r.name);
        if (cores !== undefined)
          podCpu.set(this.ids.get(r.name)!, { cores, timestamp: t, window: this.cpuWindowSeconds });
      }
    }
    const scaled: number[] = [];
    const world: World = {
      now: t,
      replicas: state.replicas,
      readyReplicas: state.readyReplicas,
      pods: () => pods,
      podCpu: () => podCpu,
      // The HPA on CPU reads only pods and metrics-server; the other pipelines are not its own.
      prometheus: () => null,
      knativeRps: () => null,
      routerQuantile: () => null,
      scale: (n) => void scaled.push(n),
    };
    this.hpa.evaluate(world);
    for (const n of scaled) await this.target.scale(n);
  }
}
