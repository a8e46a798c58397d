import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * Which request is served where: the one table a route is added to. `GET /random` is nearly all
 * of the traffic, and Express's per-request work (its router, `req`/`res` extensions, the
 * middleware chain) was most of its cost, so it is served by a plain `node:http` function
 * (random-route.ts); every other route, health, `/metrics`, the 404 and the errors of the rest
 * are Express's (app.ts). Both answer errors through the shared `answerError`, so a client sees
 * one error shape (test/hot-path.test.ts compares the two on the same requests).
 *
 * A `hot` route answers GET and HEAD and matches its path as Express does: case-insensitively,
 * with an optional trailing slash.
 */
export const IMAGES_ROUTES = [
  { method: 'GET', path: '/random', servedBy: 'hot' },
  { method: 'GET', path: '/', servedBy: 'express' },
  { method: 'POST', path: '/images', servedBy: 'express' },
  { method: 'GET', path: '/images/:id', servedBy: 'express' },
  { method: 'GET', path: '/pictures/:file', servedBy: 'express' },
  { method: 'GET', path: '/healthz', servedBy: 'express' },
  { method: 'GET', path: '/readyz', servedBy: 'express' },
  { method: 'GET', path: '/metrics', servedBy: 'express' },
] as const;

type Route = (typeof IMAGES_ROUTES)[number];
export type HotPath = Extract<Route, { servedBy: 'hot' }>['path'];

const HOT_PATHS = IMAGES_ROUTES.flatMap((route) => (route.servedBy === 'hot' ? [route.path] : []));

/** The service's request listener: each hot route's function, else the Express app. */
export function imagesListener(
  hot: Readonly<Record<HotPath, RequestListener>>,
  express: RequestListener,
): RequestListener {
  return function images(req: IncomingMessage, res: ServerResponse): void {
    if (req.method === 'GET' || req.method === 'HEAD') {
      const url = req.url ?? '/';
      for (let i = 0; i < HOT_PATHS.length; i++) {
        const path = HOT_PATHS[i]!;
        if (urlHasPath(url, path)) {
          hot[path](req, res);
          return;
        }
      }
    }
    express(req, res);
  };
}

const SLASH = 0x2f;
const QUESTION_MARK = 0x3f;

/**
 * Whether a request target (path and query) has the path `path` (lower case, no trailing
 * slash) as Express would match it. The usual case (`/random?count=25`) costs one `startsWith`
 * and a character or two, with no string built.
 */
export function urlHasPath(url: string, path: string): boolean {
  if (url.startsWith(path)) {
    const at = path.length;
    if (url.length === at) return true;
    const next = url.charCodeAt(at);
    if (next === QUESTION_MARK) return true;
    return next === SLASH && (url.length === at + 1 || url.charCodeAt(at + 1) === QUESTION_MARK);
  }
  const end = url.indexOf('?');
  const candidate = (end === -1 ? url : url.slice(0, end)).toLowerCase();
  return candidate === path || candidate === `${path}/`;
}
