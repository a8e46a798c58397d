import express, { type Express, type RequestHandler } from 'express';
import { errorHandler, notFoundHandler } from './error-handler.js';
import { healthRouter, type Readiness } from './health.js';
import { requestId } from './http.js';
import type { Logger } from './logger.js';
import { clusterAwareMetrics } from './cluster.js';
import type { HttpMetrics } from './metrics.js';
import { LOOPBACK_PROXIES, TrustedProxies } from './trusted-proxies.js';

export interface AppKit {
  logger: Logger;
  readiness: Readiness;
  metrics: HttpMetrics;
  /** Serve GET /metrics on this app (default true); false when metricsApp serves it on its own port. */
  serveMetrics?: boolean;
  /** Whose X-Forwarded-For makes `req.ip` (TRUST_PROXY). Default: loopback only. */
  trustedProxies?: TrustedProxies;
}

const LOOPBACK = TrustedProxies.parse(LOOPBACK_PROXIES);

/**
 * The middleware every service shares, in order: request id, RED metrics, health, /metrics.
 * Kept to four cheap steps: on a 0.25-CPU pod, Express itself already costs most of the budget.
 */
export function baseApp(kit: AppKit): Express {
  const app = express();
  app.disable('x-powered-by');
  const trusted = kit.trustedProxies ?? LOOPBACK;
  // Express walks X-Forwarded-For from the right while this answers true, as clientAddress does.
  app.set('trust proxy', (address: string) => trusted.trusts(address));
  app.set('query parser', 'simple');
  app.use(requestId());
  app.use(kit.metrics.middleware);
  app.use(closeWhenDraining(kit.readiness));
  app.use(healthRouter(kit.readiness));
  if (kit.serveMetrics !== false) app.get('/metrics', clusterAwareMetrics(kit.metrics.registry));
  return app;
}

/**
 * GET /metrics alone, for a listener of its own (METRICS_PORT) that only Prometheus reaches; every
 * other path answers 404. Keeps the metrics off a public listener without a second copy of them.
 */
export function metricsApp(metrics: HttpMetrics, logger: Logger): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', clusterAwareMetrics(metrics.registry));
  return finishApp(app, logger);
}

/** Route-not-found and the central error handler: the last middleware of every app. */
export function finishApp(app: Express, logger: Logger): Express {
  app.use(notFoundHandler);
  app.use(errorHandler(logger));
  return app;
}

/** While draining, every response closes its connection, so keep-alive clients reconnect elsewhere. */
function closeWhenDraining(readiness: Readiness): RequestHandler {
  return (_req, res, next) => {
    if (readiness.isDraining) res.setHeader('connection', 'close');
    next();
  };
}
