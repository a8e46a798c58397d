// One closed-loop run: a fresh local system (FerretDB, nginx, replicas in cgroups, Prometheus),
// a k6 trace against it, and a controller scaling it every sync period through the same
// ScaleTarget; then the per-second timeline and the referee's measures.
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { startLocalSystem } from '@laas/local';
import type { Bounds } from '@laas/referee';
import type { ClosedLoopController, PolicyName } from './controllers.js';
import { DeploymentLikeTarget, HpaController, OursController } from './controllers.js';
import { calibrate, readCpuTimeline } from './cpu.js';
import type { Calibration, CpuPoint } from './cpu.js';
import { readK6Csv, startK6Trace } from './k6-trace.js';
import { measure, runTimeline, scaleEventsOf } from './measures.js';
import type { Measures, ReplicaSample, ScaleEvent, SecondPoint } from './measures.js';
import type { Scenario } from './scenarios.js';

/** The chart's images.randomMaxCount (charts/laas/values.yaml), the largest count the local replicas accept here. */
export const CHART_RANDOM_MAX_COUNT = 100;

export interface ClosedLoopSettings {
  cpuMillis: number;
  bounds: Bounds;
  /** Ours: configured RPS per replica at `cpuMillis`, and the planned fraction of it. */
  rpsPerReplica: number;
  targetUtilization: number;
  fallbackReplicas: number;
  /** HPA: target CPU utilisation in percent of the request (= the quota here). */
  hpaTargetPercent: number;
  scrapeIntervalSeconds: number;
  /** Every rate of the trace times this (absent in results.json from before it: 1). */
  loadScale?: number;
}

export const DEFAULT_SETTINGS: ClosedLoopSettings = {
  cpuMillis: 100,
  bounds: { minReplicas: 1, maxReplicas: 5 },
  rpsPerReplica: 30,
  targetUtilization: 0.7,
  fallbackReplicas: 2,
  hpaTargetPercent: 65,
  scrapeIntervalSeconds: 5,
  loadScale: 1,
};

/**
 * The settings of one command. Our configured capacity (30 RPS) is per 100m replica and scales
 * with the quota, 15 RPS at 50m, unless the command gives its own (`--rps-per-replica`, e.g. what
 * the scaling experiment measured a replica to serve). `loadScale` multiplies every rate of the
 * traces (scenarios.ts): they were sized for the local system on a loaded machine, where a 100m
 * replica saturated at 35-40 RPS; in the lab cluster one served ~380 (reference-cluster run), so
 * at scale 1 no trace needs a second replica there.
 */
export function closedLoopSettings(
  o: { cpuMillis?: number; rpsPerReplica?: number; loadScale?: number } = {},
  base: ClosedLoopSettings = DEFAULT_SETTINGS,
): ClosedLoopSettings {
  const cpuMillis = o.cpuMillis ?? base.cpuMillis;
  const scaled = Math.round(((base.rpsPerReplica * cpuMillis) / base.cpuMillis) * 10) / 10;
  return {
    ...base,
    cpuMillis,
    rpsPerReplica: o.rpsPerReplica ?? scaled,
    loadScale: o.loadScale ?? base.loadScale,
  };
}

export interface PolicyRun {
  policy: PolicyName;
  label: string;
  scenario: string;
  startedAt: string;
  /** Load averages (1/5/15 min) before and after: the machine is shared. */
  loadBefore: number[];
  loadAfter: number[];
  limited: boolean;
  k6ExitCode: number;
  k6Stderr: string;
  measures: Measures;
  /**
   * CPU ms the replicas spent per request over the run (Prometheus: increase of
   * process_cpu_seconds_total / increase of http_requests_total); calibrates the prediction.
   */
  cpuMsPerRequest: number | null;
  /** The replicas' CPU every 5 s (Prometheus, read back after the trace) and what it says. */
  cpuTimeline?: CpuPoint[];
  calibration?: Calibration | null;
  /** 1, 2, ... when a scenario is run more than once per policy (--repeats). */
  repeat?: number;
  events: ScaleEvent[];
  timeline: SecondPoint[];
  decisions: unknown[];
  targetErrors: string[];
}

export async function runPolicy(
  scenario: Scenario,
  policy: PolicyName,
  settings: ClosedLoopSettings,
  dir: string,
  log: (line: string) => void = () => undefined,
): Promise<PolicyRun> {
  mkdirSync(dir, { recursive: true });
  const loadBefore = loadavg();
  // The replicas inherit this process's environment. The images service accepts count <= 25 by
  // default; the chart sets 100 (images.randomMaxCount), and the request-cost change asks for 50
  // (every heavy request was a 400 in the first cost-change run).
  process.env.RANDOM_MAX_COUNT ??= String(CHART_RANDOM_MAX_COUNT);
  const system = await startLocalSystem({
    replicas: scenario.initialReplicas,
    cpuMillis: settings.cpuMillis,
    scrapeInterval: `${settings.scrapeIntervalSeconds}s`,
    log: (l) => log(`  ${l}`),
  });
  const samples: ReplicaSample[] = [];
  try {
    if (!system.prometheus) throw new Error('the local system started without Prometheus');
    const target = new DeploymentLikeTarget(system.scaleTarget('images'));
    const controller: ClosedLoopController =
      policy === 'laas'
        ? new OursController(target, {
            prometheusUrl: system.prometheus.url,
            bounds: settings.bounds,
            rpsPerReplica: settings.rpsPerReplica,
            targetUtilization: settings.targetUtilization,
            fallbackReplicas: settings.fallbackReplicas,
            scrapeIntervalSeconds: settings.scrapeIntervalSeconds,
          })
        : new HpaController(
            target,
            system.pool('images'),
            system.prometheus.url,
            settings.hpaTargetPercent,
            settings.bounds,
            settings.cpuMillis / 1000,
          );
    // Let Prometheus scrape the replica twice before load starts (as a running service would be).
    await new Promise((r) => setTimeout(r, settings.scrapeIntervalSeconds * 2000 + 500));

    log(`${controller.label}: k6 ${scenario.name} for ${scenario.durationSeconds} s`);
    const originMs = Date.now();
    const k6 = startK6Trace({ baseUrl: system.url, scenario, dir });
    let finished = false;
    void k6.done.then(() => (finished = true));
    let nextEval = controller.periodSeconds;
    let lastLog = 0;
    while (!finished) {
      const t = (Date.now() - originMs) / 1000;
      const state = await target.get();
      samples.push({ ms: Date.now(), replicas: state.replicas, ready: state.readyReplicas });
      if (controller instanceof HpaController) controller.observe(t);
      if (t >= nextEval && t < scenario.durationSeconds + 2) {
        nextEval += controller.periodSeconds;
        await controller.evaluate(t).catch((e: unknown) => log(`  evaluate failed: ${String(e)}`));
      }
      if (t - lastLog >= 30) {
        lastLog = t;
        log(`  t=${t.toFixed(0)} s replicas ${state.replicas} (ready ${state.readyReplicas})`);
      }
      await new Promise((r) => setTimeout(r, 1000 - ((Date.now() - originMs) % 1000)));
    }
    const result = await k6.done;
    const cpuMsPerRequest = await cpuPerRequest(
      system.prometheus.url,
      Math.ceil((Date.now() - originMs) / 1000) + 5,
    );
    if (!existsSync(k6.csvPath))
      throw new Error(`k6 exited ${result.code} before writing its CSV: ${result.stderr.slice(-600)}`);
    const records = await readK6Csv(k6.csvPath);
    const { originMs: traceOrigin, timeline } = runTimeline({
      records,
      samples,
      fallbackOriginMs: originMs,
      durationSeconds: scenario.durationSeconds,
      offered: (t) => scenario.rps(t),
    });
    const events = scaleEventsOf(timeline);
    const cpuTimeline = await readCpuTimeline(system.prometheus.url, traceOrigin, Date.now(), traceOrigin);
    return {
      policy,
      label: controller.label,
      scenario: scenario.name,
      startedAt: new Date(originMs).toISOString(),
      loadBefore,
      loadAfter: loadavg(),
      limited: system.limited,
      k6ExitCode: result.code,
      k6Stderr: result.stderr.slice(-1000),
      measures: measure(timeline, events, scenario.stepAt),
      cpuMsPerRequest,
      cpuTimeline,
      calibration: calibrate(cpuTimeline, settings.cpuMillis / 1000, scenario.heavyFrom),
      events,
      timeline,
      decisions: controller instanceof OursController ? controller.decisions : [],
      targetErrors: target.errors,
    };
  } finally {
    await system.stop();
  }
}

async function cpuPerRequest(prometheusUrl: string, seconds: number): Promise<number | null> {
  const q = `1000 * sum(increase(process_cpu_seconds_total{service="images"}[${seconds}s])) / sum(increase(http_requests_total{service="images"}[${seconds}s]))`;
  try {
    const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(q)}`, {
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
    const v = Number(body.data?.result?.[0]?.value[1]);
    return Number.isFinite(v) ? v : null;
  } catch {
    return null;
  }
}
