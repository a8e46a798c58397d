export { createGatewayApp, type GatewayApp, type GatewayAppOptions } from './app.js';
export {
  AUTH_MODES,
  gatewaySettings,
  loadGatewayConfig,
  parseCorsOrigins,
  resolveJwksUrl,
  type AuthMode,
  type GatewayConfig,
} from './config.js';
export { openApiDocument } from './openapi.js';
export { forwardableHeaders, IDENTITY_HEADERS } from './proxy.js';
export { clientAddress } from './client-address.js';
export { gatewayPipeline, type PipelineOptions } from './pipeline.js';
export {
  gatewayRoutes,
  jsonAnswer,
  matchRoute,
  needsToken,
  type LocalAnswer,
  type LocalRequest,
  type LocalRoute,
  type Match,
  type ProxyRoute,
  type Route,
  type UpstreamName,
} from './routing.js';
export { loadSite, siteAnswer, type Site } from './web/site.js';
export { websiteRoutes } from './web/routes.js';
export {
  buildReport,
  lastDecision,
  scalingQuery,
  scalingReporter,
  SharedLoad,
  type RangeSeries,
  type ScalingReport,
} from './scaling/index.js';
