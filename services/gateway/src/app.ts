import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import { Counter, Histogram } from 'prom-client';
import {
  LATENCY_BUCKETS,
  notFound,
  RateLimiter,
  LOOPBACK_PROXIES,
  TrustedProxies,
  baseApp,
  createHttpMetrics,
  finishApp,
  metricsApp,
  Readiness,
  tokenVerifier,
  remoteTokenKeys,
  JWKS_PATH,
  type TokenKeys,
  type HttpMetrics,
  type Logger,
} from '@laas/shared';
import type { AuthMode } from './config.js';
import { cors } from './cors.js';
import { openApiDocument } from './openapi.js';
import { gatewayPipeline } from './pipeline.js';
import { Upstream } from './proxy.js';
import { gatewayRoutes, type Route, type UpstreamName } from './routing.js';
import { scalingReporter } from './scaling/index.js';
import { websiteRoutes } from './web/routes.js';
import type { Site } from './web/site.js';

export interface GatewayAppOptions {
  logger: Logger;
  upstreams: Record<UpstreamName, string>;
  authMode?: AuthMode;
  /**
   * The public keys that check tokens (remoteTokenKeys of auth's JWKS, or localTokenKeys);
   * undefined or null: fetched from the auth upstream's /.well-known/jwks.json. Unused with
   * authMode 'none'.
   */
  tokenKeys?: TokenKeys | null;
  issuer?: string;
  audience?: string;
  clockSkewSeconds?: number;
  upstreamTimeoutMs?: number;
  /** Per-upstream timeouts, overriding upstreamTimeoutMs (auth hashes passwords: it may need longer). */
  upstreamTimeouts?: Partial<Record<UpstreamName, number>>;
  upstreamConnections?: number;
  /** Requests sent to one upstream and not answered yet; one more answers 503 upstream_busy. */
  upstreamMaxInFlight?: number;
  bodyLimitBytes?: number;
  /** Per-client requests per window; 0 (default) turns the limiter off. */
  rateLimit?: { limit: number; windowSeconds: number };
  /** Whose X-Forwarded-For names the client (TRUST_PROXY). Default: loopback only. */
  trustedProxies?: TrustedProxies;
  corsOrigins?: '*' | string[];
  /** The public routes; default gatewayRoutes() (routing.ts). */
  routes?: readonly Route[];
  /** Milliseconds since the epoch. */
  clock?: () => number;
  metrics?: HttpMetrics;
  /** The web page served at / (loadSite()); without it, / answers a JSON pointer to the API. */
  site?: Site;
  /** Prometheus behind GET /api/scaling (the page's live panel); without it the panel is off. */
  prometheusUrl?: string;
  /**
   * Serve /metrics only from `metricsApp` (its own listener, METRICS_PORT), answering 404 on the
   * public one. Default false: /metrics on the public listener too.
   */
  separateMetrics?: boolean;
}

export interface GatewayApp {
  /** The Express app: /openapi.json, health, /metrics and the 404 of unknown paths. */
  app: Express;
  /** What the server runs: the pipeline of every public route, falling back to the app. */
  handler: RequestListener;
  /** GET /metrics alone, for the metrics listener (with separateMetrics). */
  metricsApp: Express;
  readiness: Readiness;
  metrics: HttpMetrics;
  close(): Promise<void>;
}

/** Builds the gateway app without listening, so tests run it in-process on port 0. */
export function createGatewayApp(options: GatewayAppOptions): GatewayApp {
  const { logger } = options;
  const clock = options.clock ?? Date.now;
  const authMode = options.authMode ?? 'writes';
  const keys =
    authMode === 'none'
      ? null
      : (options.tokenKeys ?? remoteTokenKeys(new URL(JWKS_PATH, options.upstreams.auth).toString()));

  // Ready whenever it is not draining. Deliberately no upstream checks: if images is down,
  // a gateway that turned unready would be taken out of the load balancer too, and clients
  // would get connection errors instead of a clear 502 — and auth routes, which do work, would
  // go down with it. Every gateway replica shares the same upstreams, so unreadiness could only
  // empty the whole pool. Upstream health belongs to the upstreams' own readiness probes.
  const readiness = new Readiness([]);
  const metrics = options.metrics ?? createHttpMetrics('gateway');
  const latency = new Histogram({
    name: 'gateway_upstream_duration_seconds',
    help: 'Time from forwarding a request to receiving the upstream response headers, by upstream and status code',
    labelNames: ['upstream', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [metrics.registry],
  });
  const retries = new Counter({
    name: 'gateway_upstream_retries_total',
    help: 'Requests sent to an upstream a second time because the connection failed before any answer, by upstream and reason',
    labelNames: ['upstream', 'reason'] as const,
    registers: [metrics.registry],
  });
  const common = {
    timeoutMs: options.upstreamTimeoutMs ?? 10_000,
    connections: options.upstreamConnections ?? 64,
    maxInFlight: options.upstreamMaxInFlight ?? 256,
    bodyLimitBytes: options.bodyLimitBytes ?? 16 * 1024,
    latency,
    retries,
    logger,
  };
  const upstream = (name: UpstreamName, baseUrl: string): Upstream =>
    new Upstream({
      name,
      baseUrl,
      ...common,
      timeoutMs: options.upstreamTimeouts?.[name] || common.timeoutMs,
    });
  const upstreams: Record<UpstreamName, Upstream> = {
    images: upstream('images', options.upstreams.images),
    auth: upstream('auth', options.upstreams.auth),
  };

  // Express serves only what no public route matches: the document, health, metrics, 404.
  const trustedProxies = options.trustedProxies ?? TrustedProxies.parse(LOOPBACK_PROXIES);
  const app = baseApp({
    logger,
    readiness,
    metrics,
    serveMetrics: options.separateMetrics !== true,
    trustedProxies,
  });
  const document = JSON.stringify(openApiDocument);
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  app.use((req, _res, next) =>
    next(notFound('route_not_found', `no route for ${req.method} ${req.path}: see /openapi.json`)),
  );
  finishApp(app, logger);

  const limit = options.rateLimit ?? { limit: 0, windowSeconds: 1 };
  const handler = gatewayPipeline({
    routes: options.routes ?? [
      ...websiteRoutes({
        site: options.site,
        scaling: scalingReporter({ prometheusUrl: options.prometheusUrl, clock }),
      }),
      ...gatewayRoutes(),
    ],
    upstreams,
    authMode,
    verifier: keys
      ? tokenVerifier({
          keys,
          issuer: options.issuer ?? 'laas-auth',
          audience: options.audience ?? 'laas',
          clockSkewSeconds: options.clockSkewSeconds ?? 30,
          clock,
        })
      : null,
    cors: cors(options.corsOrigins ?? []),
    limiter:
      limit.limit > 0 ? new RateLimiter({ limit: limit.limit, windowMs: limit.windowSeconds * 1000 }) : null,
    trustedProxies,
    clock,
    readiness,
    metrics,
    logger,
    fallback: app,
  });

  return {
    app,
    handler,
    metricsApp: metricsApp(metrics, logger),
    readiness,
    metrics,
    close: async () => {
      await Promise.all([upstreams.images.close(), upstreams.auth.close()]);
    },
  };
}
