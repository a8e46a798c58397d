export { createGatewayApp, type GatewayApp, type GatewayAppOptions } from './app.js';
export {
  AUTH_MODES,
  gatewaySettings,
  loadGatewayConfig,
  parseCorsOrigins,
  resolveVerificationKey,
  type AuthMode,
  type GatewayConfig,
} from './config.js';
export { openApiDocument } from './openapi.js';
export { forwardableHeaders, IDENTITY_HEADERS } from './proxy.js';
export { ROUTES, matchRoute, needsToken, type Route, type UpstreamName } from './routing.js';
export { tokenVerifier, type Principal } from './tokens.js';
