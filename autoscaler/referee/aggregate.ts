// From runs to the comparison: per trace, family and setting the median and the 90 % interval
// over seeds; per family its Pareto front; and the verdict against each baseline, judged in both
// directions at equal cost, only inside the cost range both sides ran, and only where the
// difference holds across the seeds (the rule: RULE below, stated in the report).
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
  /** Each seed's result, by seed: what the paired comparison pairs. */
  perSeed: { seed: number; violating: number; replicaSeconds: number }[];
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
      perSeed: g
        .map((r) => ({ seed: r.seed, violating: r.violating, replicaSeconds: r.replicaSeconds }))
        .sort((a, b) => a.seed - b.seed),
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

/**
 * The verdict rule. Costs are median replica-seconds over seeds.
 * - Equal cost: within `equalCost` (5 %) of each other.
 * - A front is read at a cost only inside the range its settings ran: within 5 % of one of its
 *   points, or on the straight line between two neighbouring points of it whose costs differ by
 *   at most `maxChord` (25 %, about one step of ours' grid). Beyond its cheapest or dearest
 *   point, or across a wider gap, there is no value: not comparable (no flat extension, no
 *   long chord). E.g. front points at 1 000 and 1 200 replica-seconds: 1 100 reads halfway
 *   between them; with points at 1 000 and 2 000 it reads nothing (run more settings instead).
 * - Where the front has no value, only dominance is judged, setting against setting: a point
 *   is better if it has fewer violating requests than a setting of the other side that cost at
 *   least as much (within 5 %), worse if it has more than one that cost at most as much. A point
 *   dearer than every setting of the other side, with fewer violating requests, is not judged.
 * - Paired over seeds: at that cost, each seed's violating requests on the front (the same
 *   interpolation, applied to that seed's results) against the same seed's result of the point
 *   judged. One side is better when it has fewer in at least `seedsNeeded(n)` of n seeds (a
 *   one-sided sign test at 5 %: 9 of 10) and its median advantage is at least `minMargin`
 *   (1 %) of the larger median; otherwise the two are the same (a tie).
 */
export const RULE = { equalCost: 0.05, maxChord: 0.25, alpha: 0.05, minMargin: 0.01 } as const;

/** The fewest of n paired seeds that must favour one side: P(X >= k | n, 1/2) <= alpha; n + 1 when none. */
export function seedsNeeded(n: number, alpha: number = RULE.alpha): number {
  let tail = 0;
  let c = 1; // C(n, k), from k = n down
  for (let k = n; k >= 0; k--) {
    tail += c / 2 ** n;
    if (tail > alpha) return k + 1;
    c = (c * k) / (n - k + 1);
  }
  return 0;
}

export interface FrontReading {
  /** The front's violating requests at that cost (interpolated medians). */
  violating: number;
  /** The same interpolation per seed. */
  perSeed: Map<number, number>;
  /** The settings it was read from (one, or the two ends of the chord). */
  from: string[];
}

/**
 * The front of `points` at a cost of `replicaSeconds`, or null where the rule gives it no value.
 * E.g. front points (1 000 rs, 30 000) and (1 200 rs, 20 000): at 1 100 rs, 25 000.
 */
export function frontAt(
  points: readonly Point[],
  replicaSeconds: number,
  rule: typeof RULE = RULE,
): FrontReading | null {
  const f = front(points);
  const cost = (p: Point) => p.replicaSeconds.median;
  const seeds = (p: Point) => new Map(p.perSeed.map((s) => [s.seed, s.violating]));
  // The nearest point at equal cost, if any.
  const near = f
    .filter((p) => Math.abs(cost(p) - replicaSeconds) <= rule.equalCost * Math.min(cost(p), replicaSeconds))
    .sort((a, b) => Math.abs(cost(a) - replicaSeconds) - Math.abs(cost(b) - replicaSeconds))[0];
  if (near !== undefined)
    return { violating: near.violating.median, perSeed: seeds(near), from: [near.setting] };
  for (let i = 0; i + 1 < f.length; i++) {
    const a = f[i]!;
    const b = f[i + 1]!;
    if (replicaSeconds <= cost(a) || replicaSeconds >= cost(b)) continue;
    if (cost(b) - cost(a) > rule.maxChord * cost(a)) return null;
    const w = (replicaSeconds - cost(a)) / (cost(b) - cost(a));
    const lerp = (x: number, y: number) => x + w * (y - x);
    const sa = seeds(a);
    const sb = seeds(b);
    const perSeed = new Map<number, number>();
    for (const [seed, va] of sa) {
      const vb = sb.get(seed);
      if (vb !== undefined) perSeed.set(seed, lerp(va, vb));
    }
    return { violating: lerp(a.violating.median, b.violating.median), perSeed, from: [a.setting, b.setting] };
  }
  return null;
}

export type Outcome = 'better' | 'worse' | 'same';

/**
 * One point against the other side's front at its cost, paired over seeds: 'better' when the
 * point has fewer violating requests than the front in enough seeds by enough (RULE).
 */
export function pairedOutcome(
  point: Point,
  reading: FrontReading,
  rule: typeof RULE = RULE,
): {
  outcome: Outcome;
  fewer: number;
  more: number;
  seeds: number;
} {
  const diffs: number[] = [];
  for (const s of point.perSeed) {
    const f = reading.perSeed.get(s.seed);
    if (f !== undefined) diffs.push(f - s.violating);
  }
  const n = diffs.length;
  const fewer = diffs.filter((d) => d > 0).length;
  const more = diffs.filter((d) => d < 0).length;
  const need = seedsNeeded(n, rule.alpha);
  const margin = rule.minMargin * Math.max(1, point.violating.median, reading.violating);
  const med = n === 0 ? 0 : quantile(diffs, 0.5);
  const outcome: Outcome =
    n > 0 && fewer >= need && med >= margin
      ? 'better'
      : n > 0 && more >= need && -med >= margin
        ? 'worse'
        : 'same';
  return { outcome, fewer, more, seeds: n };
}

/** The point against each setting of the other side that costs no less (for 'better') or no more (for 'worse'). */
export function dominanceOutcome(
  point: Point,
  others: readonly Point[],
  rule: typeof RULE = RULE,
): { outcome: Outcome; against: Point; fewer: number; more: number; seeds: number } | null {
  const c = point.replicaSeconds.median;
  let found: { outcome: Outcome; against: Point; fewer: number; more: number; seeds: number } | null = null;
  for (const o of others) {
    const oc = o.replicaSeconds.median;
    const reading: FrontReading = {
      violating: o.violating.median,
      perSeed: new Map(o.perSeed.map((s) => [s.seed, s.violating])),
      from: [o.setting],
    };
    const r = pairedOutcome(point, reading, rule);
    const cheaperOrEqual = oc <= c * (1 + rule.equalCost);
    const dearerOrEqual = oc >= c * (1 - rule.equalCost);
    if (r.outcome === 'worse' && cheaperOrEqual) return { ...r, against: o };
    if (r.outcome === 'better' && dearerOrEqual && found === null) found = { ...r, against: o };
  }
  return found;
}

export type VerdictKind = 'win' | 'loss' | 'tie' | 'not comparable';

export interface Comparison {
  /** Whose point is judged against whose front. */
  direction: 'ours on their front' | 'theirs on our front';
  /** The setting of the point judged. */
  setting: string;
  /** The front's settings it was read from. */
  against: string[];
  replicaSeconds: number;
  /** Median violating requests: the point, and the front at its cost. */
  point: number;
  front: number;
  /** From ours' side: 'better' means ours had fewer violating requests at equal cost. */
  forOurs: Outcome;
  /** Judged against one setting by dominance (the front had no value at this cost). */
  dominance: boolean;
  /** Seeds in which the point had fewer / more than the front, of how many. */
  fewer: number;
  more: number;
  seeds: number;
}

export interface Verdict {
  trace: string;
  baseline: string;
  /** Any setting of ours against theirs, both directions: a loss wherever theirs is better. */
  verdict: VerdictKind;
  /** Ours' default setting (its first) on their front. */
  defaultVerdict: VerdictKind;
  comparisons: Comparison[];
  /** Settings of either side with no front of the other at their cost. */
  outsideRange: string[];
}

/** Worst case first: any 'worse' is a loss; else any 'better' a win; else a tie, or nothing comparable. */
export function combine(outcomes: readonly Outcome[]): VerdictKind {
  if (outcomes.length === 0) return 'not comparable';
  if (outcomes.includes('worse')) return 'loss';
  if (outcomes.includes('better')) return 'win';
  return 'tie';
}

export function judge(
  trace: string,
  baseline: string,
  ours: readonly Point[],
  theirs: readonly Point[],
  defaultSetting: string,
): Verdict {
  const comparisons: Comparison[] = [];
  const outsideRange: string[] = [];
  const flip = (o: Outcome): Outcome => (o === 'better' ? 'worse' : o === 'worse' ? 'better' : 'same');
  for (const [direction, points, other] of [
    ['ours on their front', ours, theirs],
    ['theirs on our front', theirs, ours],
  ] as const) {
    for (const p of points) {
      const reading = frontAt(other, p.replicaSeconds.median);
      if (reading === null) {
        const d = dominanceOutcome(p, other);
        if (d === null) {
          outsideRange.push(`${direction === 'ours on their front' ? 'ours' : 'theirs'} ${p.setting}`);
          continue;
        }
        comparisons.push({
          direction,
          setting: p.setting,
          against: [d.against.setting],
          replicaSeconds: p.replicaSeconds.median,
          point: p.violating.median,
          front: d.against.violating.median,
          forOurs: direction === 'ours on their front' ? d.outcome : flip(d.outcome),
          fewer: d.fewer,
          more: d.more,
          seeds: d.seeds,
          dominance: true,
        });
        continue;
      }
      const r = pairedOutcome(p, reading);
      comparisons.push({
        dominance: false,
        direction,
        setting: p.setting,
        against: reading.from,
        replicaSeconds: p.replicaSeconds.median,
        point: p.violating.median,
        front: reading.violating,
        forOurs: direction === 'ours on their front' ? r.outcome : flip(r.outcome),
        fewer: r.fewer,
        more: r.more,
        seeds: r.seeds,
      });
    }
  }
  return {
    trace,
    baseline,
    verdict: combine(comparisons.map((c) => c.forOurs)),
    defaultVerdict: combine(
      comparisons
        .filter((c) => c.direction === 'ours on their front' && c.setting === defaultSetting)
        .map((c) => c.forOurs),
    ),
    comparisons,
    outsideRange,
  };
}

/** Every trace x baseline; `defaultSetting` is ours' default (the first of its grid). */
export function verdicts(points: readonly Point[], defaultSetting = '70%'): Verdict[] {
  const out: Verdict[] = [];
  for (const trace of [...new Set(points.map((p) => p.trace))]) {
    const here = points.filter((p) => p.trace === trace);
    const ours = here.filter((p) => p.family === OURS);
    for (const baseline of [...new Set(here.map((p) => p.family))].filter((f) => f !== OURS))
      out.push(
        judge(
          trace,
          baseline,
          ours,
          here.filter((p) => p.family === baseline),
          defaultSetting,
        ),
      );
  }
  return out;
}
