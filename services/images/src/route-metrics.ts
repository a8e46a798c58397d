import { LATENCY_BUCKETS, type HttpMetrics } from '@laas/shared';

/**
 * What prom-client 15 keeps per series, inside its metric objects (not in its typings): a map
 * from the series' label hash to its values. The recorder below writes there directly.
 */
interface CounterSeries {
  value: number;
  labels: Record<string, string>;
}
interface HistogramSeries {
  sum: number;
  count: number;
  bucketValues: Record<string, number>;
}
interface SeriesMap<T> {
  hashMap: Record<string, T | undefined>;
}

/**
 * Records one series of the RED metrics (`http_requests_total` and
 * `http_request_duration_seconds` for one method, route and status) with no allocation per
 * request. prom-client's own `observe(labels, value)` builds a closure, a `{labels, value}`
 * pair and a hash string for every call, and validates the labels; for the hottest route's
 * 200s the labels never change, so the series is created once here (it reads 0 from the
 * start, so its first `rate()` window is not short) and each request adds to its numbers.
 *
 * It leans on prom-client's internal layout, so the constructor checks that layout and throws
 * if a prom-client upgrade changed it (every test that starts the service would fail), and
 * `record` falls back to the public API if the series is gone (after a `registry.resetMetrics()`).
 */
export class SeriesRecorder {
  private readonly hash: string;
  private readonly counters: SeriesMap<CounterSeries>;
  private readonly histograms: SeriesMap<HistogramSeries>;
  private readonly bucketKeys: string[];
  private readonly status: number;

  constructor(
    private readonly metrics: HttpMetrics,
    private readonly method: string,
    private readonly route: string,
    status: number,
  ) {
    this.status = status;
    const labels = { method, route, status_code: String(status) };
    metrics.requests.inc(labels, 0);
    metrics.duration.zero(labels);
    this.counters = metrics.requests as unknown as SeriesMap<CounterSeries>;
    this.histograms = metrics.duration as unknown as SeriesMap<HistogramSeries>;
    const map = this.counters.hashMap;
    const hash = Object.keys(map).find((key) => {
      const series = map[key]!.labels;
      return series.method === method && series.route === route && series.status_code === labels.status_code;
    });
    const histogram = hash === undefined ? undefined : this.histograms.hashMap[hash];
    this.bucketKeys = LATENCY_BUCKETS.map(String);
    if (
      hash === undefined ||
      histogram === undefined ||
      typeof map[hash]!.value !== 'number' ||
      typeof histogram.sum !== 'number' ||
      this.bucketKeys.some((key) => typeof histogram.bucketValues[key] !== 'number')
    )
      throw new Error('prom-client keeps its series differently than SeriesRecorder expects: update it');
    this.hash = hash;
  }

  /** Counts one request of this series that took `seconds`. */
  record(seconds: number): void {
    const counter = this.counters.hashMap[this.hash];
    const histogram = this.histograms.hashMap[this.hash];
    if (counter === undefined || histogram === undefined) {
      this.metrics.observe(this.method, this.route, this.status, seconds);
      return;
    }
    counter.value += 1;
    histogram.count += 1;
    histogram.sum += seconds;
    // prom-client keeps per-bucket counts (it sums them when exported): the first bound >= seconds.
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) {
      if (seconds <= LATENCY_BUCKETS[i]!) {
        histogram.bucketValues[this.bucketKeys[i]!]! += 1;
        return;
      }
    }
  }
}
