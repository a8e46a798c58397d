import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Express, RequestHandler } from 'express';
import { Histogram } from 'prom-client';
import {
  AppError,
  LATENCY_BUCKETS,
  assignRequestId,
  errorResponse,
  RateLimiter,
  baseApp,
  createHttpMetrics,
  finishApp,
  notFound,
  tooManyRequests,
  Readiness,
  type HttpMetrics,
  type Logger,
} from '@laas/shared';
import type { AuthMode } from './config.js';
import { cors } from './cors.js';
import { openApiDocument } from './openapi.js';
import { IDENTITY_HEADERS, Upstream } from './proxy.js';
import { matchRoute, needsToken, type UpstreamName } from './routing.js';
import { tokenVerifier } from './tokens.js';
import { scalingRoute } from './scaling/index.js';
import { siteHandler, type Site } from './web/site.js';

export interface GatewayAppOptions {
  logger: Logger;
  upstreams: Record<UpstreamName, string>;
  authMode?: AuthMode;
  /** HS256 secret shared with auth; required unless authMode is 'none'. */
  verificationKey?: Uint8Array | null;
  issuer?: string;
  audience?: string;
  clockSkewSeconds?: number;
  upstreamTimeoutMs?: number;
  /** Per-upstream timeouts, overriding upstreamTimeoutMs (auth hashes passwords: it may need longer). */
  upstreamTimeouts?: Partial<Record<UpstreamName, number>>;
  upstreamConnections?: number;
  bodyLimitBytes?: number;
  /** Per-client requests per window; 0 (default) turns the limiter off. */
  rateLimit?: { limit: number; windowSeconds: number };
  corsOrigins?: '*' | string[];
  /** Milliseconds since the epoch. */
  clock?: () => number;
  metrics?: HttpMetrics;
  /** The web page served at / (loadSite()); without it, / answers a JSON pointer to the API. */
  site?: Site;
  /** Prometheus behind GET /api/scaling (the page's live panel); without it the panel is off. */
  prometheusUrl?: string;
}

export interface GatewayApp {
  /** The Express app: every route, including the proxied ones. */
  app: Express;
  /** What the server runs: the fast path for token-free proxied reads, the app for the rest. */
  handler: RequestListener;
  readiness: Readiness;
  metrics: HttpMetrics;
  close(): Promise<void>;
}

/** Builds the gateway app without listening, so tests run it in-process on port 0. */
export function createGatewayApp(options: GatewayAppOptions): GatewayApp {
  const { logger } = options;
  const clock = options.clock ?? Date.now;
  const authMode = options.authMode ?? 'writes';
  const key = options.verificationKey ?? null;
  if (authMode !== 'none' && key === null) throw new Error(`authMode ${authMode} needs a verification key`);

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
  const common = {
    timeoutMs: options.upstreamTimeoutMs ?? 10_000,
    connections: options.upstreamConnections ?? 64,
    bodyLimitBytes: options.bodyLimitBytes ?? 16 * 1024,
    logger,
    latency,
  };
  const upstreams: Record<UpstreamName, Upstream> = {
    images: new Upstream({
      name: 'images',
      baseUrl: options.upstreams.images,
      ...common,
      timeoutMs: options.upstreamTimeouts?.images || common.timeoutMs,
    }),
    auth: new Upstream({
      name: 'auth',
      baseUrl: options.upstreams.auth,
      ...common,
      timeoutMs: options.upstreamTimeouts?.auth || common.timeoutMs,
    }),
  };
  const verify = key
    ? tokenVerifier({
        key,
        issuer: options.issuer ?? 'laas-auth',
        audience: options.audience ?? 'laas',
        clockSkewSeconds: options.clockSkewSeconds ?? 30,
        clock,
      })
    : null;

  const app = baseApp({ logger, readiness, metrics });
  const corsHandler = cors(options.corsOrigins ?? []);
  if (corsHandler) app.use(corsHandler);

  const document = JSON.stringify(openApiDocument);
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });

  const limit = options.rateLimit ?? { limit: 0, windowSeconds: 1 };
  if (limit.limit > 0)
    app.use(
      rateLimited(new RateLimiter({ limit: limit.limit, windowMs: limit.windowSeconds * 1000 }), clock),
    );

  // The proxy: authentication happens here, before a single byte is forwarded — the original
  // LaaS gateway registered its proxies ahead of the auth check, so nothing was ever checked.
  const proxy: RequestHandler = async (req, res, next) => {
    const match = matchRoute(req.url);
    if (match === null) {
      next();
      return;
    }
    if (match === 'bad_path')
      throw new AppError(400, 'invalid_path', 'dot segments are not allowed in paths');
    const { route, target } = match;
    res.locals['route'] = route.template;
    const identity: Record<string, string> = {};
    for (const header of IDENTITY_HEADERS) delete req.headers[header];
    if (needsToken(authMode, route.upstream, req.method)) {
      const principal = await verify!(req.headers.authorization);
      identity['x-auth-user-id'] = principal.userId;
      identity['x-auth-user-email'] = principal.email;
    }
    await upstreams[route.upstream].forward(req, res, target, identity);
  };
  app.use(proxy);
  app.get('/api/scaling', scalingRoute({ prometheusUrl: options.prometheusUrl, clock }));
  if (options.site) app.use(siteHandler(options.site));
  app.get('/', (_req, res) => {
    res.json({ service: 'laas gateway', openapi: '/openapi.json' });
  });
  app.use((req, _res, next) =>
    next(notFound('route_not_found', `no route for ${req.method} ${req.path}: see /openapi.json`)),
  );
  finishApp(app, logger);

  // The fast path. Express costs the gateway more than the proxying itself: measured here, a
  // proxied GET through the app took 0.65–0.88 ms of CPU and the same forward from a bare
  // node:http handler 0.26–0.46 ms, with images at about 0.7 ms. At 250m each, a gateway that
  // costs nearly what images costs queues as soon as images does, and the through-gateway
  // limit falls well short of images alone. So the requests that need nothing from Express —
  // proxied reads needing no token, with no CORS or rate limit configured — are forwarded from
  // here, with the same request id, metrics, header hygiene and error answers as the app's.
  const fastPathOpen = corsHandler === null && limit.limit <= 0;
  const fast = (
    req: IncomingMessage,
    res: ServerResponse,
    route: { template: string; upstream: UpstreamName },
    target: string,
  ): void => {
    const start = process.hrtime.bigint();
    const id = assignRequestId(req, res);
    if (readiness.isDraining) res.setHeader('connection', 'close');
    for (const header of IDENTITY_HEADERS) delete req.headers[header];
    res.once('finish', () => {
      metrics.observe(
        req.method ?? 'GET',
        route.template,
        res.statusCode,
        Number(process.hrtime.bigint() - start) / 1e9,
      );
    });
    upstreams[route.upstream].forward(req, res, target, {}).catch((err: unknown) => {
      const answer = errorResponse(err, id);
      if (!answer.expected) logger.error({ err, method: req.method, url: req.url }, 'unhandled error');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      res.writeHead(answer.status, { ...answer.headers, 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(answer.body));
    });
  };
  const handler: RequestListener = (req, res) => {
    const method = req.method ?? 'GET';
    if (fastPathOpen && (method === 'GET' || method === 'HEAD')) {
      const match = matchRoute(req.url ?? '/');
      if (match !== null && match !== 'bad_path' && !needsToken(authMode, match.route.upstream, method)) {
        fast(req, res, match.route, match.target);
        return;
      }
    }
    app(req, res);
  };

  return {
    app,
    handler,
    readiness,
    metrics,
    close: async () => {
      await Promise.all([upstreams.images.close(), upstreams.auth.close()]);
    },
  };
}

function rateLimited(limiter: RateLimiter, clock: () => number): RequestHandler {
  return (req, _res, next) => {
    const decision = limiter.take(req.ip ?? req.socket.remoteAddress ?? 'unknown', clock());
    if (!decision.allowed) {
      next(tooManyRequests('too many requests from this client: slow down', decision.retryAfterSeconds));
      return;
    }
    next();
  };
}
