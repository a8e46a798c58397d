// MetricSource over the Prometheus HTTP API (GET /api/v1/query), with global fetch.
//
// Every way a query can fail becomes a typed MetricError (see ./types.ts): nothing here decides
// what a failure means for scaling; the decider turns any of them into "no data: hold".
//
// Queries for a selector M (e.g. service="images"), short window S, long window L:
//   rpsShort        sum(rate(http_requests_total{M}[S]))
//   rpsLong         sum(rate(http_requests_total{M}[L]))
//   latency         histogram_quantile(q, sum by (le) (rate(http_request_duration_seconds_bucket{M}[S])))
//   withinObjective sum(rate(..._bucket{M,le="0.3"}[S])) / sum(rate(..._count{M}[S]))
//   freshness       max(timestamp(http_requests_total{M}))   (the newest scrape, for staleness)
//   cpu             sum(rate(process_cpu_seconds_total{M}[S]))  (optional: the cost of a request)
//   arriving        sum(rate(http_requests_received_total{M}[S]))  (optional, metrics.useArrivals:
//                   requests counted as they arrive, before the handler; the services' counter
//                   carries only the `service` label, so a selector on route or status reads none)

import type { ResolvedSpec } from '../api/crd.js';
import type { MetricSource } from './source.js';
import type { MetricReading, MetricSample } from './types.js';
import { MetricError } from './types.js';

export interface PrometheusSourceOptions {
  /** Per query. Default 2000 ms: a reconcile of many objects must not wait on one slow query. */
  timeoutMs?: number;
  /** Called after every query with its duration (seconds) and outcome, for the operator's /metrics. */
  observe?: (seconds: number, outcome: 'ok' | MetricError['code']) => void;
  /** Monotonic-enough clock for durations only (never for decisions). Default performance.now. */
  elapsed?: () => number;
}

export interface Queries {
  rpsShort: string;
  rpsLong: string;
  latency: string;
  withinObjective: string | null;
  freshness: string | null;
  cpu: string | null;
  arriving: string | null;
}

/** `{service="images"}` or `service="images"` -> `service="images"`. */
export function matchers(selector: string): string {
  const s = selector.trim();
  return s.startsWith('{') && s.endsWith('}') ? s.slice(1, -1).trim() : s;
}

const join = (...parts: string[]): string => parts.filter((p) => p.length > 0).join(',');

/**
 * The `le` label value of the objective's bucket as client libraries write it: 0.3 -> "0.3",
 * 1 -> "1" (prom-client and the Go client both format with the shortest round-trip form).
 */
export function leLabel(seconds: number): string {
  return String(seconds);
}

export function buildQueries(spec: ResolvedSpec): Queries {
  const m = spec.metrics;
  if (m.queries) {
    return {
      rpsShort: m.queries.rps,
      rpsLong: m.queries.rpsLong ?? m.queries.rps,
      latency: m.queries.latency,
      withinObjective: m.queries.withinObjective ?? null,
      freshness: null,
      cpu: m.queries.cpu ?? null,
      // Explicit queries name every series they read; the arrival counter is not one of them.
      arriving: null,
    };
  }
  const sel = matchers(m.selector ?? '');
  const s = `${m.shortWindowSeconds}s`;
  const l = `${m.longWindowSeconds}s`;
  const le = `le="${leLabel(spec.objectiveSeconds)}"`;
  return {
    rpsShort: `sum(rate(http_requests_total{${sel}}[${s}]))`,
    rpsLong: `sum(rate(http_requests_total{${sel}}[${l}]))`,
    latency: `histogram_quantile(${spec.quantile}, sum by (le) (rate(http_request_duration_seconds_bucket{${sel}}[${s}])))`,
    withinObjective:
      `sum(rate(http_request_duration_seconds_bucket{${join(sel, le)}}[${s}]))` +
      ` / sum(rate(http_request_duration_seconds_count{${sel}}[${s}]))`,
    freshness: `max(timestamp(http_requests_total{${sel}}))`,
    cpu: `sum(rate(process_cpu_seconds_total{${sel}}[${s}]))`,
    arriving: m.useArrivals ? `sum(rate(http_requests_received_total{${sel}}[${s}]))` : null,
  };
}

interface ApiResponse {
  status?: unknown;
  errorType?: unknown;
  error?: unknown;
  data?: { resultType?: unknown; result?: unknown };
}

/** Parses the value of a Prometheus sample: "NaN", "+Inf", "-Inf" are legal values. */
function parseValue(text: unknown, query: string): number {
  if (typeof text !== 'string') throw new MetricError('BadResponse', `sample value is not a string`, query);
  const v = Number(text.replace(/^\+Inf$/, 'Infinity').replace(/^-Inf$/, '-Infinity'));
  if (Number.isNaN(v) && text !== 'NaN') throw new MetricError('BadResponse', `sample value ${text}`, query);
  return v;
}

/**
 * One instant query that must yield exactly one number (a one-element vector or a scalar).
 * Returns the number as Prometheus gave it (NaN and +-Inf included); throws MetricError otherwise.
 */
export async function queryOne(
  baseUrl: string,
  query: string,
  time: number,
  timeoutMs: number,
): Promise<number> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/query?${new URLSearchParams({
    query,
    time: (time / 1000).toFixed(3),
  }).toString()}`;
  let response: Response;
  try {
    response = await fetch(url, {
      signal: AbortSignal.timeout(timeoutMs),
      headers: { accept: 'application/json' },
    });
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError') {
      throw new MetricError('Timeout', `no answer within ${timeoutMs} ms`, query);
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new MetricError('Unreachable', cause?.code ?? cause?.message ?? String(error), query);
  }
  let body: ApiResponse;
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'TimeoutError' || name === 'AbortError')
      throw new MetricError('Timeout', `body not read within ${timeoutMs} ms`, query);
    throw new MetricError('Unreachable', `reading body: ${String(error)}`, query);
  }
  try {
    body = JSON.parse(text) as ApiResponse;
  } catch {
    throw new MetricError(
      response.ok ? 'BadResponse' : 'HttpError',
      `HTTP ${response.status}, not JSON: ${text.slice(0, 120)}`,
      query,
    );
  }
  if (body.status === 'error') {
    // Prometheus answers 400 (bad_data), 422 (execution), 503 (timeout/canceled) with a JSON body.
    throw new MetricError(
      'QueryError',
      `HTTP ${response.status} ${String(body.errorType)}: ${String(body.error)}`,
      query,
    );
  }
  if (!response.ok) throw new MetricError('HttpError', `HTTP ${response.status}`, query);
  if (body.status !== 'success' || typeof body.data !== 'object' || body.data === null) {
    throw new MetricError('BadResponse', 'no data in a success response', query);
  }
  const { resultType, result } = body.data;
  if (resultType === 'scalar') return parseValue((result as unknown[] | undefined)?.[1], query);
  if (resultType !== 'vector' || !Array.isArray(result)) {
    throw new MetricError('BadResponse', `expected a vector, got ${String(resultType)}`, query);
  }
  if (result.length === 0) throw new MetricError('EmptyResult', 'no series matched', query);
  if (result.length > 1)
    throw new MetricError('MultipleSeries', `${result.length} series; expected one`, query);
  const value = (result[0] as { value?: unknown[] }).value;
  if (!Array.isArray(value) || value.length < 2)
    throw new MetricError('BadResponse', 'sample without a value', query);
  return parseValue(value[1], query);
}

function rate(v: number, which: string, query: string): number {
  if (!Number.isFinite(v) || v < 0) throw new MetricError('NotANumber', `${which} is ${v}`, query);
  return v;
}

export class PrometheusMetricSource implements MetricSource {
  private readonly timeoutMs: number;
  private readonly observe: NonNullable<PrometheusSourceOptions['observe']>;
  private readonly elapsed: () => number;

  constructor(options: PrometheusSourceOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.observe = options.observe ?? (() => undefined);
    this.elapsed = options.elapsed ?? (() => performance.now());
  }

  private async timed(baseUrl: string, query: string, now: number): Promise<number> {
    const start = this.elapsed();
    try {
      const v = await queryOne(baseUrl, query, now, this.timeoutMs);
      this.observe((this.elapsed() - start) / 1000, 'ok');
      return v;
    } catch (error) {
      this.observe(
        (this.elapsed() - start) / 1000,
        error instanceof MetricError ? error.code : 'BadResponse',
      );
      throw error;
    }
  }

  async read(spec: ResolvedSpec, now: number): Promise<MetricReading> {
    const q = buildQueries(spec);
    const url = spec.metrics.prometheusUrl;
    const optional = async (query: string | null): Promise<number | null> => {
      if (query === null) return null;
      try {
        return await this.timed(url, query, now);
      } catch (error) {
        // No bucket at exactly the objective (e.g. 250 ms with buckets 0.1, 0.3): fall back to the
        // interpolated quantile; no CPU series: no cost check. Any other failure is a failure.
        if (error instanceof MetricError && error.code === 'EmptyResult') return null;
        throw error;
      }
    };
    // The arrivals only ever add to the completed rates (the decider sizes from the larger), so
    // their absence is no reason to hold: no series (a service built before the counter, or a
    // selector on a label the counter lacks) reads as no arrivals, as does a value that is not a
    // rate (NaN, +-Inf, negative). Prometheus failing on this query fails the reading, as it does
    // on every other: a timeout here says the same about Prometheus as one on the RPS query.
    const arrivals = async (): Promise<number | null> => {
      const v = await optional(q.arriving);
      return v === null || !Number.isFinite(v) || v < 0 ? null : v;
    };
    try {
      const [rpsShort, rpsLong, latency, within, freshest, cpu, arriving] = await Promise.all([
        this.timed(url, q.rpsShort, now),
        this.timed(url, q.rpsLong, now),
        this.timed(url, q.latency, now),
        optional(q.withinObjective),
        q.freshness === null ? Promise.resolve(null) : this.timed(url, q.freshness, now),
        optional(q.cpu),
        arrivals(),
      ]);
      if (latency === -Infinity) throw new MetricError('NotANumber', 'latency is -Inf', q.latency);
      const sample: MetricSample = {
        // The newest scrape of the series, not the query time: a target that stopped being
        // scraped 60 s ago still has values inside a 120 s window, and must read as stale.
        observedAt: freshest === null || !Number.isFinite(freshest) ? now : Math.min(now, freshest * 1000),
        rpsShort: rate(rpsShort, 'rpsShort', q.rpsShort),
        rpsLong: rate(rpsLong, 'rpsLong', q.rpsLong),
        // NaN: no observation in the window (0/0 inside histogram_quantile). +Inf: above the
        // largest finite bucket, a real and severe breach.
        latencySeconds: Number.isNaN(latency) ? null : latency,
        withinObjective: within === null || Number.isNaN(within) ? null : within,
        cpuSecondsPerSecond: cpu === null || !Number.isFinite(cpu) || cpu < 0 ? null : cpu,
        arrivingRps: arriving,
      };
      return { kind: 'ok', sample };
    } catch (error) {
      if (error instanceof MetricError) return { kind: 'error', error };
      throw error; // a programmer error: let the reconciler's central handler see it
    }
  }
}
