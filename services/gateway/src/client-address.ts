import type { IncomingMessage } from 'node:http';
import type { TrustedProxies } from '@laas/shared';

/**
 * The client's address, the key the rate limit counts: the connection's peer, or, when the peer
 * is one of the trusted proxies (TRUST_PROXY: the ingress controller's pods), the first
 * X-Forwarded-For hop from the right that is not a trusted proxy. The same walk Express makes
 * for `req.ip` in the other services with the same list (TrustedProxies in @laas/shared).
 */
export function clientAddress(req: IncomingMessage, trusted: TrustedProxies): string {
  return trusted.clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for']);
}
