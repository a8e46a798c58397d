/**
 * What the gateway serves at `/`: the page, its style and icon (as strings, so `tsc -b` carries
 * them into dist with the scripts), and the folder of the compiled browser scripts.
 */
export { PAGE_HTML } from './page.js';
export { STYLE_CSS } from './style.js';
export { FAVICON_SVG } from './favicon.js';

/**
 * web/dist/app/: the browser modules, as tsc emits them. Resolved from this module, which sits
 * in src/site (tests) or dist/site (built), two levels under web/ either way.
 */
export const SCRIPTS_DIR: URL = new URL('../../dist/app/', import.meta.url);

/**
 * The answer of GET /api/scaling: the page's panel reads it, the gateway builds it. Declared once,
 * in app/scaling-types.ts (the browser build cannot import the gateway's Node code); the gateway
 * imports these types from here, type-only, so nothing of the page runs in the gateway for it.
 */
export type { AutoscalerDecision, ScalingReport, ServiceScaling } from '../app/scaling-types.js';
