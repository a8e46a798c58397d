import { loadSite, type Site } from '../src/index.js';
import {
  startGateway,
  startServices,
  uniqueDbName,
  type RunningGateway,
  type Services,
} from './support/stack.js';

/** The gateway serving the page (as built by tsc -b) in front of real images and auth apps. */
describe('the web page at the gateway', () => {
  let services: Services;
  let gateway: RunningGateway;
  let site: Site;
  beforeAll(async () => {
    services = await startServices(uniqueDbName('site'));
    site = loadSite();
    gateway = await startGateway({
      upstreams: { images: services.images.url, auth: services.auth.url },
      site,
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await services?.close();
  });

  test('GET / is the page, revalidated on every visit, with a strict content policy', async () => {
    const res = await fetch(`${gateway.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await res.text();
    expect(html).toContain(`<script type="module" src="web/${site.build}/app/main.js"></script>`);
    const again = await fetch(`${gateway.url}/`, { headers: { 'if-none-match': res.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  test.each([
    ['app/main.js', 'text/javascript; charset=utf-8'],
    ['style.css', 'text/css; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml'],
  ])('web/<build>/%s is served as %s, cached for a year', async (path, type) => {
    const res = await fetch(`${gateway.url}/web/${site.build}/${path}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  test('every module the page imports is served (no 404 behind a relative import)', async () => {
    const main = await (await fetch(`${gateway.url}/web/${site.build}/app/main.js`)).text();
    const imports = [...main.matchAll(/from '\.\/([a-z-]+\.js)'/g)].map((m) => m[1]!);
    expect(imports.length).toBeGreaterThan(3);
    for (const file of imports)
      expect((await fetch(`${gateway.url}/web/${site.build}/app/${file}`)).status).toBe(200);
  });

  test("an asset asked for under an older build's folder gets the current bytes, revalidated", async () => {
    const res = await fetch(`${gateway.url}/web/000000000000/style.css`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  test('an unknown asset is a JSON 404 like any unknown route', async () => {
    const res = await fetch(`${gateway.url}/web/${site.build}/nope.js`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('route_not_found');
  });

  test('the pictures go through the gateway to images, with their cache headers', async () => {
    const res = await fetch(`${gateway.url}/pictures/7.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const again = await fetch(`${gateway.url}/pictures/7.svg`, {
      headers: { 'if-none-match': res.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  test('with GATEWAY_AUTH=all the page, its panel and the pictures still need no token (an <img> sends none)', async () => {
    const strict = await startGateway({
      upstreams: { images: services.images.url, auth: services.auth.url },
      site,
      authMode: 'all',
    });
    try {
      for (const path of ['/', `/web/${site.build}/app/main.js`, '/api/scaling', '/pictures/7.svg'])
        expect({ path, status: (await fetch(`${strict.url}${path}`)).status }).toEqual({ path, status: 200 });
      expect((await fetch(`${strict.url}/api/images/random`)).status).toBe(401);
    } finally {
      await strict.close();
    }
  });
});
