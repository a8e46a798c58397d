import {
  BODY_LIMIT_BYTES,
  ConfigError,
  commonSettings,
  int,
  jwtSettings,
  loadConfig,
  JWKS_PATH,
  trustProxySetting,
  oneOf,
  optionalInt,
  optionalStr,
  optionalUrl,
  url,
  type ConfigOf,
} from '@laas/shared';
import { prometheusUrl } from './scaling/config.js';

export const AUTH_MODES = ['writes', 'all', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export const gatewaySettings = {
  ...commonSettings,
  port: int('PORT', 'port to listen on', { default: 4002, min: 0, max: 65535 }),
  metricsPort: optionalInt(
    'METRICS_PORT',
    'port serving /metrics alone (then 404 on PORT); empty = /metrics on PORT',
    { min: 0, max: 65535 },
  ),
  imagesUrl: url('IMAGES_URL', 'base URL of the images service', {
    default: 'http://127.0.0.1:4000',
    protocols: ['http:'],
  }),
  authUrl: url('AUTH_URL', 'base URL of the auth service', {
    default: 'http://127.0.0.1:4001',
    protocols: ['http:'],
  }),
  authMode: oneOf(
    'GATEWAY_AUTH',
    'which requests need a token: writes (uploads), all, or none',
    AUTH_MODES,
    'writes',
  ),
  ...jwtSettings,
  jwksUrl: optionalUrl('JWKS_URL', "auth's public keys (JWKS); default AUTH_URL + /.well-known/jwks.json", {
    protocols: ['http:', 'https:'],
  }),
  ...trustProxySetting,
  upstreamTimeoutMs: int('UPSTREAM_TIMEOUT_MS', 'longest wait for an upstream to answer (then 504)', {
    default: 10_000,
    min: 1,
  }),
  imagesTimeoutMs: int('IMAGES_TIMEOUT_MS', 'timeout for the images upstream; 0 = UPSTREAM_TIMEOUT_MS', {
    default: 0,
    min: 0,
  }),
  authTimeoutMs: int('AUTH_TIMEOUT_MS', 'timeout for the auth upstream; 0 = UPSTREAM_TIMEOUT_MS', {
    default: 0,
    min: 0,
  }),
  upstreamConnections: int('UPSTREAM_CONNECTIONS', 'keep-alive connections pooled per upstream', {
    default: 64,
    min: 1,
  }),
  upstreamMaxInFlight: int(
    'UPSTREAM_MAX_IN_FLIGHT',
    'requests sent to one upstream and not answered yet; one more answers 503 upstream_busy',
    { default: 256, min: 1 },
  ),
  maxConnectionsPerClient: int(
    'MAX_CONNECTIONS_PER_CLIENT',
    'open connections per client address (the TCP peer); further ones are closed at once (0 = no limit)',
    // A quarter of MAX_CONNECTIONS (4096): one address cannot fill the listener, and an ingress
    // pod, the usual peer, keeps fewer than this open to one gateway (nginx's idle upstream cache
    // is 320 connections per worker, shared by every gateway pod).
    { default: 1024, min: 0 },
  ),
  bodyLimitBytes: int('GATEWAY_BODY_LIMIT', 'largest request body forwarded (then 413)', {
    default: BODY_LIMIT_BYTES,
    min: 0,
  }),
  rateLimit: int('GATEWAY_RATE_LIMIT', 'requests per client per window (0 = off, the default)', {
    default: 0,
    min: 0,
  }),
  rateWindowSeconds: int('GATEWAY_RATE_WINDOW_S', 'rate-limit window in seconds', { default: 1, min: 1 }),
  corsOrigins: optionalStr(
    'CORS_ORIGINS',
    'comma-separated origins allowed by CORS, or *; empty = no CORS headers',
  ),
  prometheusUrl,
};

export type GatewayConfig = ConfigOf<typeof gatewaySettings>;

export const loadGatewayConfig = (env?: Record<string, string | undefined>): GatewayConfig =>
  loadConfig(gatewaySettings, env);

/**
 * Where the gateway fetches the public keys that check tokens: JWKS_URL, or auth's own
 * document at AUTH_URL + /.well-known/jwks.json. Null with GATEWAY_AUTH=none (no checks).
 */
export function resolveJwksUrl(
  config: Pick<GatewayConfig, 'authMode' | 'jwksUrl' | 'authUrl'>,
): string | null {
  if (config.authMode === 'none') return null;
  return config.jwksUrl ?? new URL(JWKS_PATH, config.authUrl).toString();
}

/** CORS_ORIGINS: "*" or a comma-separated list of exact origins. */
export function parseCorsOrigins(raw: string | undefined): '*' | string[] {
  if (raw === undefined) return [];
  if (raw.trim() === '*') return '*';
  const origins = raw
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  const bad = origins.filter((o) => {
    try {
      return new URL(o).origin !== o;
    } catch {
      return true;
    }
  });
  if (bad.length > 0)
    throw new ConfigError([
      `CORS_ORIGINS has entries that are not origins (scheme://host[:port]): ${bad.join(', ')}`,
    ]);
  return origins;
}
