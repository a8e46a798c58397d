import type { AuthMode } from './config.js';

export type UpstreamName = 'images' | 'auth';

/** One public route: which upstream serves it and how its path is rewritten. */
export interface Route {
  /** The template used as the `route` label of the RED metrics. */
  template: string;
  upstream: UpstreamName;
  /** The upstream path for the public path (without query); null = no such route. */
  rewrite(path: string): string | null;
}

/** Maps the rest of /api/images/... onto the images service's own paths. */
function imagesPath(rest: string): string {
  if (rest === '' || rest === '/') return '/images'; // POST /api/images uploads
  if (rest === '/random') return '/random';
  return `/images${rest}`; // GET /api/images/42 -> /images/42
}

const under = (prefix: string, path: string): string | null =>
  path === prefix ? '' : path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : null;

/**
 * The public API. Matching is a few string comparisons, not a regular expression per route:
 * the gateway's CPU per request is the budget this issue is about.
 */
export const ROUTES: Route[] = [
  {
    template: '/api/images/*',
    upstream: 'images',
    rewrite: (path) => {
      const rest = under('/api/images', path);
      return rest === null ? null : imagesPath(rest);
    },
  },
  {
    template: '/api/auth/*',
    upstream: 'auth',
    rewrite: (path) => {
      const rest = under('/api/auth', path);
      return rest === null ? null : rest === '' ? '/' : rest;
    },
  },
  // The llama pictures the images service draws (the seed catalog links them here).
  {
    template: '/pictures/*',
    upstream: 'images',
    rewrite: (path) => (path.startsWith('/pictures/') ? path : null),
  },
  // The original LaaS paths, kept as aliases.
  { template: '/random', upstream: 'images', rewrite: (path) => (path === '/random' ? '/random' : null) },
  { template: '/upload', upstream: 'images', rewrite: (path) => (path === '/upload' ? '/images' : null) },
];

export interface Match {
  route: Route;
  /** Upstream path with the original query string. */
  target: string;
}

/** Dot segments (`..`, `%2e%2e`) have no business in a public path; refusing them is cheaper than reasoning about them. */
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

export function matchRoute(url: string): Match | null | 'bad_path' {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  for (const route of ROUTES) {
    const rewritten = route.rewrite(path);
    if (rewritten === null) continue;
    if (DOT_SEGMENT.test(path)) return 'bad_path';
    return { route, target: q === -1 ? rewritten : rewritten + url.slice(q) };
  }
  return null;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request needs a verified token. Auth's own routes never do at the gateway
 * (register and login must be reachable without one; auth checks the token of /me itself).
 *   writes: images requests other than GET/HEAD/OPTIONS (uploads)
 *   all:    every images request
 *   none:   nothing (a trusted network, or benchmarks)
 */
export function needsToken(mode: AuthMode, upstream: UpstreamName, method: string): boolean {
  if (mode === 'none' || upstream === 'auth') return false;
  if (mode === 'all') return true;
  return !READS.has(method);
}
