import type { Setting } from '@laas/shared';

/** Where a fresh install's clients reach the gateway: `npm run local`'s default gateway port. */
export const DEFAULT_PUBLIC_BASE_URL = 'http://127.0.0.1:4002';

/**
 * PUBLIC_BASE_URL: the URL clients use to reach the system (the ingress, or the gateway), under
 * which the seed catalog links its pictures (`<base>/pictures/...`). Checked at boot: an
 * absolute http(s) URL, optionally with a path prefix, and nothing a link could not carry on
 * (no query, fragment or credentials). A trailing slash is dropped.
 */
export const publicBaseUrl: Setting<string> = {
  env: 'PUBLIC_BASE_URL',
  doc: 'public URL of the gateway or ingress (e.g. http://laas.local); the seeded pictures link under it',
  parse: (raw) => {
    const value = raw === undefined || raw === '' ? DEFAULT_PUBLIC_BASE_URL : raw;
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return { problem: `must be an absolute URL like http://laas.local, got "${value}"` };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
      return { problem: `must use http: or https:, got "${parsed.protocol}"` };
    if (parsed.search || parsed.hash || parsed.username || parsed.password)
      return { problem: `must not carry a query, fragment or credentials, got "${value}"` };
    return { value: parsed.href.replace(/\/+$/, '') };
  },
};
