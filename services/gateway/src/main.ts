import {
  createHttpMetrics,
  createLogger,
  remoteTokenKeys,
  runMain,
  runService,
  serverLimits,
} from '@laas/shared';
import { createGatewayApp } from './app.js';
import { loadGatewayConfig, parseCorsOrigins, resolveJwksUrl } from './config.js';
import { loadSite } from './web/site.js';

await runMain('gateway', async () => {
  const config = loadGatewayConfig();
  const logger = createLogger('gateway', config.logLevel);
  const jwksUrl = resolveJwksUrl(config);
  const corsOrigins = parseCorsOrigins(config.corsOrigins);
  const site = loadSite();
  if (config.authMode === 'none')
    logger.warn('GATEWAY_AUTH=none: every request is forwarded without a token check');
  await runService({
    name: 'gateway',
    port: config.port,
    host: config.host,
    logger,
    shutdownGraceMs: config.shutdownGraceMs,
    webConcurrency: config.webConcurrency,
    limits: serverLimits(config),
    metricsPort: config.metricsPort,
    create: () => {
      const gateway = createGatewayApp({
        logger,
        upstreams: { images: config.imagesUrl, auth: config.authUrl },
        authMode: config.authMode,
        // Per process: each fetches and caches auth's public keys on its own.
        tokenKeys: jwksUrl === null ? null : remoteTokenKeys(jwksUrl),
        issuer: config.issuer,
        audience: config.audience,
        clockSkewSeconds: config.clockSkewSeconds,
        upstreamTimeoutMs: config.upstreamTimeoutMs,
        upstreamTimeouts: { images: config.imagesTimeoutMs, auth: config.authTimeoutMs },
        upstreamConnections: config.upstreamConnections,
        upstreamMaxInFlight: config.upstreamMaxInFlight,
        bodyLimitBytes: config.bodyLimitBytes,
        rateLimit: { limit: config.rateLimit, windowSeconds: config.rateWindowSeconds },
        trustedProxies: config.trustProxy,
        corsOrigins,
        metrics: createHttpMetrics('gateway', { defaultMetrics: true }),
        site,
        prometheusUrl: config.prometheusUrl,
        separateMetrics: config.metricsPort !== undefined,
      });
      return {
        app: gateway.handler,
        metricsApp: gateway.metricsApp,
        readiness: gateway.readiness,
        close: gateway.close,
      };
    },
  });
});
