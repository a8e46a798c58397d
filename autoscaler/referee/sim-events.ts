// The periodic events of a run, on a 0.5 s tick: Prometheus scrapes, metrics-server scrapes, a
// failover, the policy's evaluation, the timeline's replica counts and the trace's conditions.
import type { Policy, World } from './policies/types.js';
import type { Run } from './sim-run.js';
import { METRICS_SERVER_SECONDS, SCRAPE_SECONDS, TIMELINE_STEP, inOutage, traceT } from './sim-run.js';

const TICK = 0.5;

/** Each periodic event's next due time. */
export interface Schedule {
  nextTick: number;
  nextScrapeSweep: number;
  nextMetricsServer: number;
  nextPolicy: number;
  /** Seconds after the warm-up at which the policy fails over; null when none is due. */
  failoverAt: number | null;
}

export function schedule(policy: Policy, failoverAt: number | undefined): Schedule {
  return {
    nextTick: 0,
    nextScrapeSweep: 0,
    nextMetricsServer: 0,
    nextPolicy: policy.periodSeconds,
    failoverAt: failoverAt ?? null,
  };
}

/** Runs every tick up to `until`, each event in its fixed order within the tick. */
export async function runDue(
  run: Run,
  due: Schedule,
  policy: Policy,
  world: World,
  until: number,
): Promise<void> {
  while (due.nextTick <= until) {
    run.now = due.nextTick;
    run.cluster.advance(run.now);
    if (run.now >= due.nextScrapeSweep) {
      due.nextScrapeSweep = run.now + TICK;
      scrapePrometheus(run);
    }
    if (run.now >= due.nextMetricsServer) {
      due.nextMetricsServer = run.now + METRICS_SERVER_SECONDS;
      if (!inOutage(run, run.now)) scrapeMetricsServer(run);
    }
    if (run.warmReplicaSeconds === null && run.now >= run.warm)
      run.warmReplicaSeconds = run.cluster.replicaSeconds(run.warm);
    if (due.failoverAt !== null && run.now >= run.warm + due.failoverAt) {
      due.failoverAt = null;
      (policy as { failover?: () => void }).failover?.();
    }
    if (run.now >= due.nextPolicy) {
      due.nextPolicy = run.now + policy.periodSeconds;
      await policy.evaluate(world);
    }
    if (run.now >= run.warm) recordReplicas(run);
    applyTrace(run);
    due.nextTick += TICK;
  }
}

/**
 * Prometheus: each replica that serves /metrics, at its own offset in the 5 s cycle, as
 * Prometheus spreads its targets. A replica at offset 1.3 s is scraped at 1.3, 6.3, 11.3 s...,
 * each by the first tick at or after it.
 */
function scrapePrometheus(run: Run): void {
  const { now, tsdb } = run;
  for (const r of run.cluster.replicas) {
    if (!run.scrapeOffset.has(r.id)) run.scrapeOffset.set(r.id, run.random() * SCRAPE_SECONDS);
    const offset = run.scrapeOffset.get(r.id)!;
    // scrape times offset + k*5 that fall in (now - tick, now]
    const k = Math.floor((now - offset) / SCRAPE_SECONDS);
    const at = offset + k * SCRAPE_SECONDS;
    if (at <= now - TICK || at < 0) continue;
    if (inOutage(run, at)) continue;
    if (r.phase === 'ready' || r.phase === 'draining') {
      r.advance(at);
      tsdb.append(r.id, at, r.counters);
    } else if (r.phase === 'gone') tsdb.markStale(r.id, at);
  }
  tsdb.compact(now, 600);
}

/** metrics-server: every 15 s, the CPU counter of each serving replica; the last two are kept. */
function scrapeMetricsServer(run: Run): void {
  for (const r of run.cluster.replicas) {
    if (r.phase !== 'ready' && r.phase !== 'draining') continue;
    const s = run.msSamples.get(r.id) ?? [];
    s.push({ t: run.now, cpu: r.counters.cpuSeconds });
    run.msSamples.set(r.id, s.slice(-2));
  }
}

function recordReplicas(run: Run): void {
  const step = Math.min(run.steps - 1, Math.floor((run.now - run.warm) / TIMELINE_STEP));
  run.perStep.replicas[step] = run.cluster.desired;
  run.perStep.ready[step] = run.cluster.ready;
}

/** The trace's conditions at this time: cost per request, a downstream wait, the CPU granted. */
function applyTrace(run: Run): void {
  const { cluster, trace } = run;
  const t = traceT(run, run.now);
  cluster.costFactor = trace.costFactor?.(t) ?? 1;
  cluster.extraWait = trace.extraWait?.(t) ?? 0;
  cluster.cpuGrant = trace.cpuGrant?.(t) ?? 1;
}
