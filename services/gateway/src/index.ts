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
export { loadSite, siteHandler, type Site } from './web/site.js';
export {
  buildReport,
  lastDecision,
  scalingQuery,
  scalingRoute,
  SharedLoad,
  type RangeSeries,
  type ScalingReport,
} from './scaling/index.js';
