import type { IncomingMessage } from 'node:http';
import type { AuthMode } from './config.js';

export type UpstreamName = 'images' | 'auth';

/** What every route has: the metrics label, and whether GATEWAY_AUTH applies to it. */
interface RouteBase {
  /** The template used as the `route` label of the RED metrics. */
  template: string;
  /**
   * Whether GATEWAY_AUTH applies (see needsToken). False for routes that must be reachable
   * without a token: auth's own (register, login), and public pages.
   */
  guarded: boolean;
}

/** A route forwarded to an upstream, its path rewritten. */
export interface ProxyRoute extends RouteBase {
  kind: 'proxy';
  upstream: UpstreamName;
  /** The upstream path for the public path (without query); null = not this route. */
  rewrite(path: string): string | null;
}

/** What a local route answers. */
export interface LocalAnswer {
  status?: number;
  headers?: Record<string, string>;
  body: string | Uint8Array;
}

/** What a local route is given: the request, its path, and the user of a verified token (if one was needed). */
export interface LocalRequest {
  req: IncomingMessage;
  /** The public path, without query. */
  path: string;
  user: { id: string; email: string } | null;
}

/**
 * A route the gateway answers itself, through the same pipeline as the proxied ones (request
 * id, drain, CORS, rate limit, token check, metrics, errors). A static file is a local route
 * whose `respond` reads the file; a JSON endpoint one that returns `jsonAnswer(value)`.
 */
export interface LocalRoute extends RouteBase {
  kind: 'local';
  /** Methods answered; others get 405 with Allow. HEAD is answered wherever GET is. */
  methods: readonly string[];
  /** Whether this route serves the public path (without query). */
  matches(path: string): boolean;
  /** Throws an AppError for an expected failure (it becomes the usual JSON error answer). */
  respond(request: LocalRequest): LocalAnswer | Promise<LocalAnswer>;
}

export type Route = ProxyRoute | LocalRoute;

export const jsonAnswer = (value: unknown, status = 200): LocalAnswer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(value),
});

/** Maps the rest of /api/images/... onto the images service's own paths. */
function imagesPath(rest: string): string {
  if (rest === '' || rest === '/') return '/images'; // POST /api/images uploads
  if (rest === '/random') return '/random';
  return `/images${rest}`; // GET /api/images/42 -> /images/42
}

const under = (prefix: string, path: string): string | null =>
  path === prefix ? '' : path.startsWith(`${prefix}/`) ? path.slice(prefix.length) : null;

/**
 * The public routes, in matching order: the one table a new route is added to. Matching is a
 * few string comparisons, not a regular expression per route: the gateway's CPU per request is
 * the budget that decides whether it keeps up with images (see the README's benchmark).
 */
export function gatewayRoutes(): Route[] {
  return [
    {
      kind: 'proxy',
      template: '/api/images/*',
      upstream: 'images',
      guarded: true,
      rewrite: (path) => {
        const rest = under('/api/images', path);
        return rest === null ? null : imagesPath(rest);
      },
    },
    {
      kind: 'proxy',
      template: '/api/auth/*',
      upstream: 'auth',
      // register and login must be reachable without a token; auth checks /me itself.
      guarded: false,
      rewrite: (path) => {
        const rest = under('/api/auth', path);
        return rest === null ? null : rest === '' ? '/' : rest;
      },
    },
    // The llama pictures the images service draws (the seed catalog links them here). Public
    // like the page that shows them: an <img> sends no token, even with GATEWAY_AUTH=all.
    {
      kind: 'proxy',
      template: '/pictures/*',
      upstream: 'images',
      guarded: false,
      rewrite: (path) => (path.startsWith('/pictures/') ? path : null),
    },
    // The original LaaS paths, kept as aliases.
    {
      kind: 'proxy',
      template: '/random',
      upstream: 'images',
      guarded: true,
      rewrite: (path) => (path === '/random' ? '/random' : null),
    },
    {
      kind: 'proxy',
      template: '/upload',
      upstream: 'images',
      guarded: true,
      rewrite: (path) => (path === '/upload' ? '/images' : null),
    },
    {
      kind: 'local',
      template: '/',
      guarded: false,
      methods: ['GET'],
      matches: (path) => path === '/',
      respond: () => jsonAnswer({ service: 'laas gateway', openapi: '/openapi.json' }),
    },
  ];
}

export type Match =
  | { route: ProxyRoute; /** Upstream path with the original query string. */ target: string }
  | { route: LocalRoute; /** The public path, without query. */ path: string };

/** Dot segments (`..`, `%2e%2e`) have no business in a public path; refusing them is cheaper than reasoning about them. */
const DOT_SEGMENT = /(^|\/)(\.|%2e){1,2}(\/|$)/i;

/** The route serving `url` (path and query), null for none, 'bad_path' for a path with dot segments. */
export function matchRoute(routes: readonly Route[], url: string): Match | null | 'bad_path' {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  for (const route of routes) {
    if (route.kind === 'local') {
      if (!route.matches(path)) continue;
      if (DOT_SEGMENT.test(path)) return 'bad_path';
      return { route, path };
    }
    const rewritten = route.rewrite(path);
    if (rewritten === null) continue;
    if (DOT_SEGMENT.test(path)) return 'bad_path';
    return { route, target: q === -1 ? rewritten : rewritten + url.slice(q) };
  }
  return null;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Whether a request needs a verified token. Unguarded routes never do at the gateway.
 *   writes: requests other than GET/HEAD/OPTIONS (uploads)
 *   all:    every request to a guarded route
 *   none:   nothing (a trusted network, or benchmarks)
 */
export function needsToken(mode: AuthMode, route: Route, method: string): boolean {
  if (mode === 'none' || !route.guarded) return false;
  if (mode === 'all') return true;
  return !READS.has(method);
}
