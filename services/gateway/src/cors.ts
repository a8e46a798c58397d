import type { IncomingMessage, ServerResponse } from 'node:http';

const ALLOW_METHODS = 'GET, HEAD, POST, OPTIONS';
const ALLOW_HEADERS = 'authorization, content-type, x-request-id';
const EXPOSE_HEADERS = 'x-request-id, retry-after, location, www-authenticate';

/** Sets the CORS headers of a request; true when it was a preflight, answered here (204). */
export type Cors = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * CORS for a browser frontend, or null when no origin is configured (then it costs nothing).
 * Tokens travel in the Authorization header, never in cookies, so credentials are not allowed
 * and "*" is safe to use. An origin not on the list gets no CORS headers (the browser then
 * blocks the response); a preflight is answered 204 by the gateway itself, before the rate
 * limit and authentication (browsers send preflights without credentials).
 */
export function cors(origins: '*' | string[]): Cors | null {
  if (origins !== '*' && origins.length === 0) return null;
  const allowed = origins === '*' ? null : new Set(origins);
  return (req, res) => {
    const origin = req.headers.origin;
    if (origin === undefined) return false;
    const ok = allowed === null || allowed.has(origin);
    res.setHeader('vary', 'Origin');
    if (ok) {
      res.setHeader('access-control-allow-origin', allowed === null ? '*' : origin);
      res.setHeader('access-control-expose-headers', EXPOSE_HEADERS);
    }
    if (req.method !== 'OPTIONS' || req.headers['access-control-request-method'] === undefined) return false;
    if (ok) {
      res.setHeader('access-control-allow-methods', ALLOW_METHODS);
      res.setHeader('access-control-allow-headers', ALLOW_HEADERS);
      res.setHeader('access-control-max-age', '600');
    }
    res.writeHead(204).end();
    return true;
  };
}
