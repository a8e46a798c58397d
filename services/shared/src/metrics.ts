import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ServerResponse } from 'node:http';
import type { Request, Response, NextFunction, RequestHandler } from 'express';

/**
 * Latency buckets in seconds. prom-client's defaults have no 0.3 s bound; the objective
 * "p99 < 300 ms" is checked exactly as bucket{le="0.3"} / count >= 0.99, so 0.3 must be a bound.
 */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10];

export interface HttpMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status_code'>;
  duration: Histogram<'method' | 'route' | 'status_code'>;
  /**
   * Requests counted as they arrive, before the handler runs: unlike `http_requests_total`,
   * which counts a request when it is answered, this includes requests still queued behind a
   * busy event loop or that never finish, so its rate is the offered load, not the served one.
   */
  received: Counter;
  /** Requests arrived and not yet answered (Little's law: arrival rate x time in the process). */
  inFlight: Gauge;
  /**
   * Counts one request on arrival (received, and in flight until its response closes). The
   * middleware calls it; handlers outside Express (the gateway's pipeline, the images hot path)
   * call it themselves, first thing.
   */
  arrived(res: ServerResponse): void;
  /** Records one answered request; for handlers that run outside Express (the gateway's pipeline). */
  observe(method: string, route: string, status: number, seconds: number): void;
  middleware: RequestHandler;
}

/**
 * RED metrics labelled by route *template* (`/images/:id`, not `/images/42`): one series per
 * route, whatever the traffic. Requests that match no route share the label "unmatched".
 */
export function createHttpMetrics(service: string, options: { defaultMetrics?: boolean } = {}): HttpMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry });
  const labelNames = ['method', 'route', 'status_code'] as const;
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status code',
    labelNames,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration in seconds, by method, route template and status code',
    labelNames,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });

  const received = new Counter({
    name: 'http_requests_received_total',
    help: 'HTTP requests received, counted on arrival before the handler runs',
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'http_requests_in_flight',
    help: 'HTTP requests received and not yet answered',
    registers: [registry],
  });

  const observe = (method: string, route: string, status: number, seconds: number): void => {
    const labels = { method, route, status_code: String(status) };
    requests.inc(labels);
    duration.observe(labels, seconds);
  };
  // One listener for every response, no closure per request: the images hot path calls this.
  const leave = (): void => {
    inFlight.dec();
  };
  const arrived = (res: ServerResponse): void => {
    received.inc();
    inFlight.inc();
    // 'close' fires for every response, answered or aborted; 'finish' only for answered ones.
    res.on('close', leave);
  };
  const middleware = (req: Request, res: Response, next: NextFunction): void => {
    const start = process.hrtime.bigint();
    arrived(res);
    res.once('finish', () => {
      observe(req.method, routeOf(req), res.statusCode, Number(process.hrtime.bigint() - start) / 1e9);
    });
    next();
  };
  return { registry, requests, duration, received, inFlight, arrived, observe, middleware };
}

/** The Express route template that answered, or "unmatched". */
function routeOf(req: Request): string {
  const path: unknown = req.route?.path;
  if (typeof path === 'string') return `${req.baseUrl}${path}`;
  return 'unmatched';
}
