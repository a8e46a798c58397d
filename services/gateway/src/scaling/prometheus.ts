import { AppError } from '@laas/shared';
import type { RangeSeries } from './report.js';

export interface RangeQuery {
  query: string;
  /** Unix seconds. */
  start: number;
  end: number;
  stepSeconds: number;
}

/**
 * POST /api/v1/query_range on a Prometheus server. Every way it can fail becomes a 502 with a
 * code the page shows as is: unreachable or slow (prometheus_unavailable), or an answer that is
 * not a successful matrix (prometheus_error, with Prometheus's own words).
 */
export async function queryRange(
  baseUrl: string,
  range: RangeQuery,
  timeoutMs: number,
): Promise<RangeSeries[]> {
  const url = new URL('api/v1/query_range', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        query: range.query,
        start: String(range.start),
        end: String(range.end),
        step: `${range.stepSeconds}s`,
      }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await response.text();
  } catch (err) {
    throw new AppError(
      502,
      'prometheus_unavailable',
      `Prometheus at ${url.origin} did not answer: ${describe(err)}`,
      {
        cause: err,
      },
    );
  }
  let body: { status?: string; error?: string; data?: { resultType?: string; result?: unknown } };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    throw new AppError(502, 'prometheus_error', `Prometheus answered HTTP ${response.status} with no JSON`);
  }
  if (!response.ok || body.status !== 'success')
    throw new AppError(
      502,
      'prometheus_error',
      `Prometheus answered HTTP ${response.status}: ${body.error ?? 'no error message'}`,
    );
  if (body.data?.resultType !== 'matrix' || !Array.isArray(body.data.result))
    throw new AppError(
      502,
      'prometheus_error',
      `Prometheus answered a ${String(body.data?.resultType)}, not a matrix`,
    );
  return body.data.result as RangeSeries[];
}

const describe = (err: unknown): string =>
  err instanceof Error
    ? err.name === 'TimeoutError'
      ? 'timed out'
      : ((err.cause as Error | undefined)?.message ?? err.message)
    : String(err);
