// From runs to the comparison: per trace, family and setting the median and the 90 % interval
// over seeds; per family its Pareto front; and whether a point of ours is on or below every
// baseline's front (no baseline point has both fewer violating requests and fewer replica-seconds).
import type { RunResult } from './sim.js';

export const OURS = 'laas (ours)';

export interface Spread {
  median: number;
  p5: number;
  p95: number;
}

export interface Point {
  trace: string;
  family: string;
  setting: string;
  runs: number;
  violatingPercent: Spread;
  violating: Spread;
  replicaSeconds: Spread;
  directionChanges: Spread;
  recoverySeconds: Spread | null;
}

/** Quantile with linear interpolation between order statistics (R-7, numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  const v = [...values].sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = (v.length - 1) * q;
  const lo = Math.floor(h);
  return v[lo]! + (h - lo) * ((v[Math.min(lo + 1, v.length - 1)] ?? v[lo]!) - v[lo]!);
}

export function spread(values: readonly number[]): Spread {
  return { median: quantile(values, 0.5), p5: quantile(values, 0.05), p95: quantile(values, 0.95) };
}

export function aggregate(runs: readonly RunResult[]): Point[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of runs) {
    const k = `${r.trace}\u0000${r.family}\u0000${r.setting}`;
    groups.set(k, [...(groups.get(k) ?? []), r]);
  }
  return [...groups.values()].map((g) => {
    const first = g[0]!;
    const recoveries = g.map((r) => r.recoverySeconds).filter((x): x is number => x !== null);
    return {
      trace: first.trace,
      family: first.family,
      setting: first.setting,
      runs: g.length,
      violatingPercent: spread(g.map((r) => (100 * r.violating) / Math.max(1, r.requests))),
      violating: spread(g.map((r) => r.violating)),
      replicaSeconds: spread(g.map((r) => r.replicaSeconds)),
      directionChanges: spread(g.map((r) => r.directionChanges)),
      recoverySeconds: recoveries.length === g.length ? spread(recoveries) : null,
    };
  });
}

/** b dominates a: no worse on both medians and better on one. */
export function dominates(b: Point, a: Point): boolean {
  const bv = b.violating.median;
  const av = a.violating.median;
  const br = b.replicaSeconds.median;
  const ar = a.replicaSeconds.median;
  return bv <= av && br <= ar && (bv < av || br < ar);
}

/** The points of `points` not dominated by another of them, by replica-seconds. */
export function front(points: readonly Point[]): Point[] {
  return points
    .filter((p) => !points.some((q) => q !== p && dominates(q, p)))
    .sort((a, b) => a.replicaSeconds.median - b.replicaSeconds.median);
}

export interface Verdict {
  trace: string;
  baseline: string;
  /**
   * Our settings with no more violating requests (median over seeds) than the baseline's front
   * at the same replica-seconds (median; see frontAt): on or below its front. A setting of ours
   * cheaper than every setting of the baseline counts if it has no more violating requests than
   * the cheapest one (it then dominates it).
   */
  winning: string[];
  win: boolean;
  /**
   * The best winning margin: (front's violations - ours) / front's violations, and the
   * replica-seconds ours saves against the front's point that sets it (a fraction).
   * A win by less than 1 % of the violations with no saving is a tie: on the front, not below it.
   */
  tie: boolean;
}

/**
 * The baseline's front at a cost of x replica-seconds, as its chart draws it: the non-dominated
 * points joined by straight lines; beyond its most expensive point, flat. Below its cheapest
 * point it has no value (null). E.g. points (634 rs, 71 689) and (1 534 rs, 31 628): at 1 525 rs
 * the front is at 71 689 - 40 061 x 891/900 = 32 029 violating requests.
 */
export function frontAt(points: readonly Point[], replicaSeconds: number): number | null {
  const f = front(points);
  if (f.length === 0 || replicaSeconds < f[0]!.replicaSeconds.median) return null;
  for (let i = 0; i + 1 < f.length; i++) {
    const a = f[i]!;
    const b = f[i + 1]!;
    if (replicaSeconds <= b.replicaSeconds.median) {
      const span = b.replicaSeconds.median - a.replicaSeconds.median;
      const w = span === 0 ? 1 : (replicaSeconds - a.replicaSeconds.median) / span;
      return a.violating.median + w * (b.violating.median - a.violating.median);
    }
  }
  return f.at(-1)!.violating.median;
}

export function verdicts(points: readonly Point[]): Verdict[] {
  const out: Verdict[] = [];
  const traces = [...new Set(points.map((p) => p.trace))];
  for (const trace of traces) {
    const here = points.filter((p) => p.trace === trace);
    const ours = here.filter((p) => p.family === OURS);
    for (const baseline of [...new Set(here.map((p) => p.family))].filter((f) => f !== OURS)) {
      const theirs = here.filter((p) => p.family === baseline);
      const cheapest = [...theirs].sort((a, b) => a.replicaSeconds.median - b.replicaSeconds.median)[0];
      const margins = ours.map((o) => {
        const f = frontAt(theirs, o.replicaSeconds.median) ?? cheapest?.violating.median ?? null;
        return { o, f, margin: f === null ? -Infinity : (f - o.violating.median) / Math.max(1, f) };
      });
      const wins = margins.filter((m) => m.f !== null && m.o.violating.median <= m.f);
      const strict = wins.some(
        (m) =>
          m.margin > 0.01 ||
          theirs.some(
            (t) => t.violating.median === m.f && t.replicaSeconds.median > m.o.replicaSeconds.median * 1.01,
          ),
      );
      out.push({
        trace,
        baseline,
        winning: wins.map((m) => m.o.setting),
        win: wins.length > 0,
        tie: wins.length > 0 && !strict,
      });
    }
  }
  return out;
}
