import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAVICON_SVG, PAGE_HTML, SCRIPTS_DIR, STYLE_CSS } from '@laas/web';

export interface Asset {
  body: Buffer;
  type: string;
  etag: string;
}

/** The web page, read once at boot and served from memory. */
export interface Site {
  /** A hash of every asset: the folder name under /web/, new whenever any asset changes. */
  build: string;
  page: Asset;
  /** By path under /web/<build>/: `style.css`, `favicon.svg`, `app/main.js`, ... */
  assets: Map<string, Asset>;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

const asset = (body: Buffer, type: string): Asset => ({
  body,
  type,
  etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
});

/**
 * Loads the page built by `tsc -b` (the @laas/web workspace). Fails at boot, with the command
 * that fixes it, when the scripts were never built: a gateway serving a page whose scripts 404
 * would look broken for a reason nobody could see.
 */
export function loadSite(scriptsDir: URL = SCRIPTS_DIR): Site {
  const dir = fileURLToPath(scriptsDir);
  let scripts: string[];
  try {
    scripts = readdirSync(dir).filter((name) => name.endsWith('.js'));
  } catch {
    scripts = [];
  }
  if (!scripts.includes('main.js'))
    throw new Error(`the web page is not built (no main.js in ${dir}): run "npx tsc -b" first`);
  const assets = new Map<string, Asset>([
    ['style.css', asset(Buffer.from(STYLE_CSS), TYPES['.css']!)],
    ['favicon.svg', asset(Buffer.from(FAVICON_SVG), TYPES['.svg']!)],
  ]);
  for (const name of scripts.sort())
    assets.set(`app/${name}`, asset(readFileSync(join(dir, name)), TYPES['.js']!));
  const hash = createHash('sha256');
  for (const [path, { etag }] of assets) hash.update(`${path} ${etag}\n`);
  const build = hash.digest('hex').slice(0, 12);
  const page = asset(
    Buffer.from(PAGE_HTML.replaceAll('%ASSETS%', `web/${build}`)),
    'text/html; charset=utf-8',
  );
  return { build, page, assets };
}

/**
 * The page's security headers. Pictures may come from any http(s) host (uploads are external
 * URLs); everything else only from the gateway itself. no-referrer: the hosts of uploaded
 * pictures need not learn who looks at them.
 */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' http: https:; script-src 'self'; style-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

/** A year: an asset's URL carries the build hash, so its bytes never change under it. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The page itself is revalidated every time (a 304 when unchanged), so a new build shows at once. */
const REVALIDATE = 'no-cache';

/** What the gateway sends for a path of the site: status, headers and body. */
export interface SiteAnswer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Whether `path` (without query) is under the site's asset folders. */
export const isAssetPath = (path: string): boolean => path.startsWith('/web/');

/**
 * The answer for `path`: the page at `/`, an asset at `/web/<build>/<asset>`, or null (not the
 * site's: the caller's 404). An asset asked for under another build's folder (a page loaded just
 * before a rollout) gets the current bytes, revalidated rather than cached for a year.
 * `ifNoneMatch` is the request's If-None-Match header: a match answers 304 with no body.
 */
export function siteAnswer(site: Site, path: string, ifNoneMatch: string | undefined): SiteAnswer | null {
  if (path === '/' || path === '/index.html') return answer(site.page, REVALIDATE, PAGE_HEADERS, ifNoneMatch);
  const match = /^\/web\/([0-9a-f]{12})\/(.+)$/.exec(path);
  const found = match ? site.assets.get(match[2]!) : undefined;
  if (!match || !found) return null;
  return answer(
    found,
    match[1] === site.build ? IMMUTABLE : REVALIDATE,
    { 'x-content-type-options': 'nosniff' },
    ifNoneMatch,
  );
}

function answer(
  asset: Asset,
  cacheControl: string,
  extra: Record<string, string>,
  ifNoneMatch: string | undefined,
): SiteAnswer {
  const headers = { 'cache-control': cacheControl, etag: asset.etag, ...extra };
  if (
    ifNoneMatch !== undefined &&
    ifNoneMatch.split(',').some((t) => t.trim().replace(/^W\//, '') === asset.etag)
  )
    return { status: 304, headers, body: Buffer.alloc(0) };
  return { status: 200, headers: { ...headers, 'content-type': asset.type }, body: asset.body };
}
