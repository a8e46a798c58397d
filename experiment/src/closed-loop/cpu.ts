// The replicas' CPU over a closed-loop run, read back from Prometheus once the trace is over,
// and what it says about the service on this machine (pure: `calibrate`). The referee's
// prediction is given these numbers instead of its fit: the fit was made on another
// machine, and two things it leaves out matter on a shared one: CPU a
// replica spends with no request, and a host that grants less than the quota.

/** One 5 s point: all replicas' CPU (cores), served RPS, replicas scraped, the busiest replica. */
export interface CpuPoint {
  t: number;
  cores: number;
  rps: number;
  replicas: number;
  maxReplicaCores: number;
}

export interface Calibration {
  /** CPU ms per request (the slope of CPU against RPS). */
  cpuMsPerRequest: number;
  /** CPU ms per second a replica spends besides requests (the intercept per replica, >= 0). */
  idleCpuMsPerSecond: number;
  /** The highest 15 s CPU rate any replica reached, as a fraction of its quota. */
  peakShareOfQuota: number;
  /** CPU ms per request after `heavyFrom` / before it (the request-cost change), if asked. */
  costFactor: number | null;
  points: number;
}

/**
 * Least squares of `cores = idle x replicas + perRequest x rps` over the points with traffic. At
 * 3.3 ms per request and 5 ms/s idle: 2 replicas at 20 RPS use 0.066 + 0.010 = 0.076 cores. A
 * negative intercept (noise) is read as no idle CPU and the slope refitted through the origin.
 */
export function calibrate(
  points: readonly CpuPoint[],
  quotaCores: number,
  heavyFrom?: number,
): Calibration | null {
  const fit = (ps: readonly CpuPoint[]): { idle: number; perRequest: number } | null => {
    const use = ps.filter((p) => p.rps > 0.5 && p.replicas > 0 && Number.isFinite(p.cores));
    if (use.length < 3) return null;
    let srr = 0;
    let sxx = 0;
    let srx = 0;
    let sry = 0;
    let sxy = 0;
    for (const p of use) {
      srr += p.replicas * p.replicas;
      sxx += p.rps * p.rps;
      srx += p.replicas * p.rps;
      sry += p.replicas * p.cores;
      sxy += p.rps * p.cores;
    }
    const det = srr * sxx - srx * srx;
    if (Math.abs(det) > 1e-12) {
      const idle = (sry * sxx - sxy * srx) / det;
      const perRequest = (srr * sxy - srx * sry) / det;
      if (idle >= 0 && perRequest > 0) return { idle, perRequest };
    }
    return sxx > 0 ? { idle: 0, perRequest: sxy / sxx } : null;
  };
  const all = fit(heavyFrom === undefined ? points : points.filter((p) => p.t < heavyFrom));
  if (all === null) return null;
  let costFactor: number | null = null;
  if (heavyFrom !== undefined) {
    // After the change, the idle CPU is the one fitted before it; only the slope is new.
    const after = points.filter((p) => p.t >= heavyFrom + 15 && p.rps > 0.5 && p.replicas > 0);
    const sx = after.reduce((s, p) => s + p.rps, 0);
    const sy = after.reduce((s, p) => s + p.cores - all.idle * p.replicas, 0);
    if (sx > 0) costFactor = sy / sx / all.perRequest;
  }
  return {
    cpuMsPerRequest: all.perRequest * 1000,
    idleCpuMsPerSecond: all.idle * 1000,
    peakShareOfQuota: Math.max(0, ...points.map((p) => p.maxReplicaCores)) / quotaCores,
    costFactor,
    points: points.length,
  };
}

interface RangeBody {
  data?: { result?: { values: [number, string][] }[] };
}

/** The CPU points of [fromMs, toMs] at 5 s, t relative to `originMs` (one range query each). */
export async function readCpuTimeline(
  prometheusUrl: string,
  fromMs: number,
  toMs: number,
  originMs: number,
  selector = '{service="images"}',
): Promise<CpuPoint[]> {
  const queries = {
    cores: `sum(rate(process_cpu_seconds_total${selector}[15s]))`,
    rps: `sum(rate(http_requests_total${selector}[15s]))`,
    replicas: `count(process_cpu_seconds_total${selector})`,
    maxReplicaCores: `max(rate(process_cpu_seconds_total${selector}[15s]))`,
  } as const;
  const series = new Map<keyof typeof queries, Map<number, number>>();
  for (const [name, q] of Object.entries(queries) as [keyof typeof queries, string][]) {
    const url = `${prometheusUrl}/api/v1/query_range?query=${encodeURIComponent(q)}&start=${fromMs / 1000}&end=${toMs / 1000}&step=5`;
    const values = new Map<number, number>();
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      const body = (await res.json()) as RangeBody;
      for (const [ts, v] of body.data?.result?.[0]?.values ?? []) values.set(ts, Number(v));
    } catch {
      // An unreadable series leaves its points out (calibrate needs three).
    }
    series.set(name, values);
  }
  const out: CpuPoint[] = [];
  for (const [ts, cores] of series.get('cores')!) {
    const rps = series.get('rps')!.get(ts);
    const replicas = series.get('replicas')!.get(ts);
    const max = series.get('maxReplicaCores')!.get(ts);
    if (rps === undefined || replicas === undefined || max === undefined) continue;
    out.push({ t: Math.round(ts - originMs / 1000), cores, rps, replicas, maxReplicaCores: max });
  }
  return out;
}
