import type { AutoscalerDecision, ScalingReport, ServiceScaling } from '@laas/web';

// The answer of GET /api/scaling is declared once, beside the page that reads it (web/src/app/scaling-types.ts).
export type { AutoscalerDecision, ScalingReport, ServiceScaling };

/** One series of a Prometheus range query: `values` are [unix seconds, "number"]. */
export interface RangeSeries {
  metric: Record<string, string>;
  values: [number, string][];
}

export interface Window {
  /** Unix seconds of the last point (the query's end). */
  end: number;
  windowSeconds: number;
  stepSeconds: number;
}

/** Services first in the order a request meets them; anything else after, by name. */
const ORDER = ['gateway', 'images', 'auth'];

export function offReport(message: string, now: Date, window: Omit<Window, 'end'>): ScalingReport {
  return {
    enabled: false,
    message,
    generatedAt: now.toISOString(),
    windowSeconds: window.windowSeconds,
    stepSeconds: window.stepSeconds,
    services: [],
    autoscaler: null,
  };
}

/**
 * Turns the range query's series into the panel's report. Points sit at end - k·step, so a
 * point's index is exact arithmetic on its timestamp; a point with no sample stays null.
 * Worked sizes: 600 s at a 5 s step is 121 points per series.
 */
export function buildReport(series: RangeSeries[], window: Window): ScalingReport {
  const points = Math.floor(window.windowSeconds / window.stepSeconds) + 1;
  const start = window.end - (points - 1) * window.stepSeconds;
  const indexOf = (t: number) => Math.round((t - start) / window.stepSeconds);
  const services = new Map<string, ServiceScaling['history']>();
  const decisions: { outcome: string; reason: string; values: (number | null)[] }[] = [];
  const toArray = (values: [number, string][], scale = 1): (number | null)[] => {
    const out: (number | null)[] = new Array<number | null>(points).fill(null);
    for (const [t, raw] of values) {
      const i = indexOf(t);
      const v = Number(raw);
      if (i >= 0 && i < points && Number.isFinite(v)) out[i] = v * scale;
    }
    return out;
  };
  for (const s of series) {
    const panel = s.metric['panel'];
    if (panel === 'decisions') {
      decisions.push({
        outcome: s.metric['outcome'] ?? '',
        reason: s.metric['reason'] ?? '',
        values: toArray(s.values),
      });
      continue;
    }
    const name = s.metric['service'] || s.metric['component'] || s.metric['job'];
    if (!name || (panel !== 'replicas' && panel !== 'rps' && panel !== 'p99')) continue;
    let history = services.get(name);
    if (!history) {
      history = {
        readyReplicas: new Array(points).fill(null),
        rps: new Array(points).fill(null),
        p99Ms: new Array(points).fill(null),
      };
      services.set(name, history);
    }
    if (panel === 'replicas') history.readyReplicas = toArray(s.values);
    else if (panel === 'rps') history.rps = toArray(s.values);
    else history.p99Ms = toArray(s.values, 1000);
  }
  const names = [...services.keys()].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  return {
    enabled: true,
    generatedAt: new Date(window.end * 1000).toISOString(),
    windowSeconds: window.windowSeconds,
    stepSeconds: window.stepSeconds,
    services: names.map((name) => {
      const history = services.get(name)!;
      // After a service's first sample, no target up is zero ready replicas, not "unknown"
      // (the count exists only while one is up); before it, there is no data to draw.
      const first = history.readyReplicas.findIndex((v) => v !== null);
      history.readyReplicas = history.readyReplicas.map((v, i) => (first === -1 || i < first ? v : (v ?? 0)));
      return {
        name,
        readyReplicas: history.readyReplicas[points - 1] ?? 0,
        rps: history.rps[points - 1] ?? null,
        p99Ms: history.p99Ms[points - 1] ?? null,
        history,
      };
    }),
    autoscaler: lastDecision(decisions, window.stepSeconds),
  };
}

const rank = (name: string): number => {
  const i = ORDER.indexOf(name);
  return i === -1 ? ORDER.length : i;
};

/**
 * The most recent decision: the (outcome, reason) counter that rose last. A counter seen for
 * the first time inside the window (null, then a value) rose there too; a drop is a restart of
 * the operator, and the new value counts as decisions since. Ties go to the larger rise.
 */
export function lastDecision(
  decisions: { outcome: string; reason: string; values: (number | null)[] }[],
  stepSeconds: number,
): AutoscalerDecision | null {
  let best: { index: number; rise: number; outcome: string; reason: string } | null = null;
  let points = 0;
  for (const d of decisions) {
    points = Math.max(points, d.values.length);
    for (let i = d.values.length - 1; i >= 1; i--) {
      const now = d.values[i];
      const before = d.values[i - 1];
      if (now === null || now === undefined) continue;
      const rise = before === null || before === undefined ? now : now >= before ? now - before : now;
      if (rise <= 0) continue;
      if (!best || i > best.index || (i === best.index && rise > best.rise))
        best = { index: i, rise, outcome: d.outcome, reason: d.reason };
      break;
    }
  }
  if (!best) return null;
  return { outcome: best.outcome, reason: best.reason, secondsAgo: (points - 1 - best.index) * stepSeconds };
}
