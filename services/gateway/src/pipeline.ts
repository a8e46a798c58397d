import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import {
  AppError,
  answerError,
  assignRequestId,
  tooManyRequests,
  type HttpMetrics,
  type Logger,
  type RateLimiter,
  type TrustedProxies,
  type Readiness,
  type TokenVerifier,
} from '@laas/shared';
import { clientAddress } from './client-address.js';
import type { AuthMode } from './config.js';
import type { Cors } from './cors.js';
import { IDENTITY_HEADERS, type Upstream } from './proxy.js';
import {
  matchRoute,
  needsToken,
  type LocalRequest,
  type LocalRoute,
  type Match,
  type Route,
  type UpstreamName,
} from './routing.js';

export interface PipelineOptions {
  routes: readonly Route[];
  upstreams: Record<UpstreamName, Upstream>;
  authMode: AuthMode;
  /** Null only with authMode 'none'. */
  verifier: TokenVerifier | null;
  cors: Cors | null;
  /** Null when no rate limit is configured. */
  limiter: RateLimiter | null;
  /** Whose X-Forwarded-For names the client the limiter counts (TRUST_PROXY). */
  trustedProxies: TrustedProxies;
  /** Milliseconds since the epoch. */
  clock: () => number;
  readiness: Readiness;
  metrics: HttpMetrics;
  logger: Logger;
  /** Serves what no route matches: the Express app (/openapi.json, health, /metrics, 404). */
  fallback: RequestListener;
}

const NO_IDENTITY: Record<string, string> = {};

/**
 * The gateway's one path for every public route, proxied or local:
 *   request id -> drain -> route match -> CORS -> rate limit -> token check -> forward/respond,
 * with every failure answered by the shared answerError. It is a plain node:http listener, not
 * Express middleware, because Express was most of the gateway's cost: measured here, a proxied
 * GET took 0.65–0.88 ms of CPU through an Express app and 0.26–0.46 ms from a bare handler, with
 * images itself at ~0.7 ms; at 250m each, a gateway costing nearly what images costs queues as
 * soon as images does (README, Benchmark). What no route matches goes to `fallback`.
 */
export function gatewayPipeline(options: PipelineOptions): RequestListener {
  const {
    routes,
    upstreams,
    authMode,
    verifier,
    cors,
    limiter,
    trustedProxies,
    clock,
    readiness,
    metrics,
    logger,
  } = options;

  const observe = (req: IncomingMessage, res: ServerResponse, template: string, start: bigint): void => {
    metrics.arrived(res);
    res.once('finish', () => {
      metrics.observe(
        req.method ?? 'GET',
        template,
        res.statusCode,
        Number(process.hrtime.bigint() - start) / 1e9,
      );
    });
  };

  const serve = async (req: IncomingMessage, res: ServerResponse, match: Match): Promise<void> => {
    if (limiter !== null) {
      const decision = limiter.take(clientAddress(req, trustedProxies), clock());
      if (!decision.allowed)
        throw tooManyRequests('too many requests from this client: slow down', decision.retryAfterSeconds);
    }
    // Identity headers come from a verified token only, never from the client.
    for (const header of IDENTITY_HEADERS) if (req.headers[header] !== undefined) delete req.headers[header];
    const token = needsToken(authMode, match.route, req.method ?? 'GET')
      ? await verifier!.verifyHeader(req.headers.authorization)
      : null;
    if ('target' in match) {
      const identity =
        token === null ? NO_IDENTITY : { 'x-auth-user-id': token.userId, 'x-auth-user-email': token.email };
      await upstreams[match.route.upstream].forward(req, res, match.target, identity);
    } else {
      const user = token === null ? null : { id: token.userId, email: token.email };
      await respondLocally(res, match.route, { req, path: match.path, user });
    }
  };

  return (req, res) => {
    const start = process.hrtime.bigint();
    assignRequestId(req, res);
    // While draining, every response closes its connection, so keep-alive clients reconnect elsewhere.
    if (readiness.isDraining) res.setHeader('connection', 'close');
    const match = matchRoute(routes, req.url ?? '/');
    if (cors !== null && cors(req, res)) {
      observe(req, res, 'preflight', start);
      return;
    }
    if (match === null) {
      options.fallback(req, res);
      return;
    }
    if (match === 'bad_path') {
      observe(req, res, 'unmatched', start);
      answerError(
        new AppError(400, 'invalid_path', 'dot segments are not allowed in paths'),
        req,
        res,
        logger,
      );
      return;
    }
    observe(req, res, match.route.template, start);
    serve(req, res, match).catch((err: unknown) => answerError(err, req, res, logger));
  };
}

async function respondLocally(res: ServerResponse, route: LocalRoute, request: LocalRequest): Promise<void> {
  const { req, path } = request;
  const method = req.method ?? 'GET';
  const allowed = route.methods.includes(method) || (method === 'HEAD' && route.methods.includes('GET'));
  if (!allowed) {
    const allow = [...route.methods, ...(route.methods.includes('GET') ? ['HEAD'] : [])].join(', ');
    throw new AppError(405, 'method_not_allowed', `${path} answers ${allow}, not ${method}`, {
      headers: { allow },
    });
  }
  const answer = await route.respond(request);
  res.writeHead(answer.status ?? 200, {
    ...answer.headers,
    'content-length':
      typeof answer.body === 'string' ? Buffer.byteLength(answer.body) : answer.body.byteLength,
  });
  res.end(answer.body);
}
