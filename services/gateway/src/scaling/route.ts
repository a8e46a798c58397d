import { SharedLoad } from './cache.js';
import { queryRange } from './prometheus.js';
import { scalingQuery } from './promql.js';
import { buildReport, offReport, type ScalingReport } from './report.js';

export interface ScalingOptions {
  /** Base URL of Prometheus; without it the panel is off and says so. */
  prometheusUrl?: string | undefined;
  /** Milliseconds since the epoch. */
  clock?: () => number;
  /** The sparklines' span. Default 600 s (10 minutes). */
  windowSeconds?: number;
  /** Default 5 s: 121 points per line. */
  stepSeconds?: number;
  /** rate() window: at least 4 scrape intervals (the chart scrapes every 5 s). Default 30s. */
  rateWindow?: string;
  /** How long one Prometheus answer serves every page. Default 1000 ms. */
  cacheMs?: number;
  timeoutMs?: number;
}

/**
 * The report behind GET /api/scaling: read-only, one Prometheus range query per second at most,
 * shared by every open page (SharedLoad); errors are the typed 502s of queryRange, cached for
 * the same second.
 */
export function scalingReporter(options: ScalingOptions): () => Promise<ScalingReport> {
  const clock = options.clock ?? Date.now;
  const window = { windowSeconds: options.windowSeconds ?? 600, stepSeconds: options.stepSeconds ?? 5 };
  const query = scalingQuery(options.rateWindow ?? '30s');
  const prometheusUrl = options.prometheusUrl;
  const load = async (): Promise<ScalingReport> => {
    if (!prometheusUrl)
      return offReport('PROMETHEUS_URL is not set on the gateway', new Date(clock()), window);
    // Whole seconds, so the points fall on the same grid from one query to the next.
    const end = Math.floor(clock() / 1000);
    const series = await queryRange(
      prometheusUrl,
      { query, start: end - window.windowSeconds, end, stepSeconds: window.stepSeconds },
      options.timeoutMs ?? 2000,
    );
    return buildReport(series, { end, ...window });
  };
  const shared = new SharedLoad(load, options.cacheMs ?? 1000, clock);
  return () => shared.get();
}
