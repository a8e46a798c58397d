// The part of Prometheus the autoscalers read through: scraped samples per series, and the two
// functions every latency autoscaler query uses, with Prometheus's own semantics (ported from
// prometheus/prometheus promql/functions.go `extrapolatedRate` and promql/quantile.go
// `bucketQuantile`, v2.53/v3.x; in our own words):
//   - rate(): the increase between the first and last sample in the window, extrapolated to the
//     window's edges when the samples come close to them, but by at most half a sample interval
//     past the samples, and never to before the counter would have been zero. A window holding
//     one sample gives no value; a new series' first window under-reports.
//   - histogram_quantile(): linear interpolation inside the bucket holding the rank; above the
//     highest finite bucket it answers that bucket's bound; no observations give NaN.
import { LATENCY_BUCKETS } from '@laas/shared';

/** The images service's histogram bounds in seconds (services/shared/src/metrics.ts). */
export const BUCKETS: readonly number[] = LATENCY_BUCKETS;

/** Samples of one counter: timestamps (seconds) and values, in time order. */
export interface CounterSamples {
  t: readonly number[];
  v: readonly number[];
}

/**
 * rate(counter[range]) evaluated at `end` over the samples in (end - range, end]; null when the
 * window holds fewer than two samples (Prometheus returns no series then).
 *
 * Worked example: range 20 s, scrapes every 5 s at 1, 6, 11, 16 (end 20), counter 50, 100, 150,
 * 200: increase 150 over 15 s sampled. Start gap 1 s (< 1.1 x 5 s: extrapolate fully; the counter
 * would reach zero only 5 s before the first sample); end gap 4 s (< 5.5: fully). 150 x (15 + 1
 * + 4) / 15 / 20 = 10 per second. Had the counter started at 0 (a new replica), nothing is
 * extrapolated before the first sample: 150 x 19 / 15 / 20 = 9.5, the first-window under-report.
 */
export function rate(s: CounterSamples, end: number, range: number): number | null {
  const start = end - range;
  let i = 0;
  while (i < s.t.length && s.t[i]! <= start) i++;
  let j = s.t.length - 1;
  while (j >= i && s.t[j]! > end) j--;
  if (j - i + 1 < 2) return null;
  let increase = 0;
  for (let k = i + 1; k <= j; k++) {
    const d = s.v[k]! - s.v[k - 1]!;
    increase += d >= 0 ? d : s.v[k]!; // a counter reset: the new value is the increase since
  }
  const first = s.t[i]!;
  const last = s.t[j]!;
  const sampled = last - first;
  const average = sampled / (j - i);
  const threshold = average * 1.1;
  let toStart = first - start;
  let toEnd = end - last;
  if (toStart >= threshold) toStart = average / 2;
  const firstValue = s.v[i]!;
  if (increase > 0 && firstValue >= 0) {
    const toZero = sampled * (firstValue / increase);
    if (toZero < toStart) toStart = toZero;
  }
  if (toEnd >= threshold) toEnd = average / 2;
  return (increase * ((sampled + toStart + toEnd) / sampled)) / range;
}

/** One bucket of a (summed) histogram: upper bound and cumulative count. */
export interface Bucket {
  le: number;
  count: number;
}

/**
 * histogram_quantile(q, buckets): NaN without observations or without a +Inf bucket.
 *
 * Worked example: buckets le 0.1: 90, 0.3: 99, +Inf: 100; q 0.99 -> rank 99, in (0.1, 0.3]:
 * 0.1 + 0.2 x (99 - 90) / (99 - 90) = 0.3. q 0.995 -> rank 99.5 falls in +Inf: answer 0.3, the
 * highest finite bound.
 */
export function histogramQuantile(q: number, buckets: readonly Bucket[]): number {
  if (buckets.length < 2) return NaN;
  const b = [...buckets].sort((x, y) => x.le - y.le);
  if (b.at(-1)!.le !== Infinity) return NaN;
  // Rates of cumulative counts can dip by float error: keep them monotonic, as Prometheus does.
  for (let i = 1; i < b.length; i++)
    if (b[i]!.count < b[i - 1]!.count) b[i] = { ...b[i]!, count: b[i - 1]!.count };
  const total = b.at(-1)!.count;
  if (!(total > 0)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  const rank = q * total;
  let i = 0;
  while (i < b.length - 1 && b[i]!.count < rank) i++;
  if (i === b.length - 1) return b[b.length - 2]!.le;
  if (i === 0 && b[0]!.le <= 0) return b[0]!.le;
  const lower = i === 0 ? 0 : b[i - 1]!.le;
  const below = i === 0 ? 0 : b[i - 1]!.count;
  const inBucket = b[i]!.count - below;
  return lower + (b[i]!.le - lower) * ((rank - below) / inBucket);
}

/** The scraped series of one replica: requests, histogram buckets (+Inf last), CPU seconds. */
export interface ReplicaSeries {
  id: number;
  t: number[];
  requests: number[];
  buckets: number[][];
  cpu: number[];
  /** After a failed scrape of a vanished target Prometheus writes a stale marker. */
  staleAt: number | null;
}

/** A Prometheus: scraped samples, and the instant queries the autoscalers make. */
export class Tsdb {
  readonly series = new Map<number, ReplicaSeries>();

  append(
    id: number,
    t: number,
    counters: { requests: number; buckets: ArrayLike<number>; cpuSeconds: number },
  ): void {
    let s = this.series.get(id);
    if (!s) {
      s = { id, t: [], requests: [], buckets: BUCKETS.map(() => []).concat([[]]), cpu: [], staleAt: null };
      this.series.set(id, s);
    }
    s.t.push(t);
    s.requests.push(counters.requests);
    for (let k = 0; k < s.buckets.length; k++) s.buckets[k]!.push(counters.buckets[k]!);
    s.cpu.push(counters.cpuSeconds);
  }

  markStale(id: number, t: number): void {
    const s = this.series.get(id);
    if (s && s.staleAt === null) s.staleAt = t;
  }

  /** Drops series whose samples all left the longest window (memory only). */
  compact(now: number, keepSeconds: number): void {
    for (const [id, s] of this.series)
      if (s.staleAt !== null && now - s.staleAt > keepSeconds) this.series.delete(id);
  }

  /** sum(rate(metric[range])) over the series that have a value; null when none has. */
  sumRate(pick: (s: ReplicaSeries) => number[], end: number, range: number): number | null {
    let sum = 0;
    let any = false;
    for (const s of this.series.values()) {
      const r = rate({ t: s.t, v: pick(s) }, end, range);
      if (r !== null) {
        sum += r;
        any = true;
      }
    }
    return any ? sum : null;
  }

  /** histogram_quantile(q, sum by (le) (rate(bucket[range]))); null when no series has a value. */
  quantile(q: number, end: number, range: number): number | null {
    const buckets: Bucket[] = [];
    for (let k = 0; k <= BUCKETS.length; k++) {
      const r = this.sumRate((s) => s.buckets[k]!, end, range);
      if (r === null) return null;
      buckets.push({ le: k < BUCKETS.length ? BUCKETS[k]! : Infinity, count: r });
    }
    return histogramQuantile(q, buckets);
  }

  /** max(timestamp(metric)): the newest sample of a live series within the 5-minute lookback. */
  newestSample(end: number): number | null {
    let newest: number | null = null;
    for (const s of this.series.values()) {
      if (s.staleAt !== null && s.staleAt <= end) continue;
      let j = s.t.length - 1;
      while (j >= 0 && s.t[j]! > end) j--;
      if (j < 0 || end - s.t[j]! > 300) continue;
      if (newest === null || s.t[j]! > newest) newest = s.t[j]!;
    }
    return newest;
  }
}
