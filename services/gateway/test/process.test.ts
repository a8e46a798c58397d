import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listen } from './support/stack.js';
import { freePort } from '@laas/testbed';

const waitReady = async (url: string, output: () => string): Promise<void> => {
  const deadline = Date.now() + 15_000;
  while (
    !(await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`gateway did not become ready:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

const mainJs = (): string => {
  const path = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first (npm test does)`);
  return path;
};

function start(env: Record<string, string>) {
  let output = '';
  const child = spawn(process.execPath, [mainJs()], {
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

describe('the gateway process', () => {
  test.each([
    ['a JWKS_URL that is not a URL', { JWKS_URL: 'auth/keys' }, /JWKS_URL must be a URL/],
    [
      'a bad TRUST_PROXY',
      { TRUST_PROXY: '198.18.0.0/99' },
      /TRUST_PROXY "198.18.0.0\/99": the prefix length/,
    ],
    ['an unknown GATEWAY_AUTH', { GATEWAY_AUTH: 'some' }, /GATEWAY_AUTH must be one of writes\|all\|none/],
    ['an IMAGES_URL that is not http', { IMAGES_URL: 'ftp://x' }, /IMAGES_URL must use http:/],
    [
      'a CORS_ORIGINS entry with a path',
      { CORS_ORIGINS: 'https://a.example/app' },
      /CORS_ORIGINS has entries that are not origins/,
    ],
    [
      'a headers timeout longer than the request timeout',
      { HEADERS_TIMEOUT_MS: '40000', REQUEST_TIMEOUT_MS: '30000' },
      /HEADERS_TIMEOUT_MS \(40000\) must not exceed REQUEST_TIMEOUT_MS \(30000\)/,
    ],
    ['a METRICS_PORT that is not a port', { METRICS_PORT: '70000' }, /METRICS_PORT must be <= 65535/],
  ])('refuses to start with %s (exit 78)', async (_label, env, message) => {
    const started = start(env);
    expect(await started.exited).toBe(78);
    expect(started.output()).toMatch(message);
  });

  test('started from dist, it proxies to its upstream and stops cleanly on SIGTERM', async () => {
    const upstream = await listen((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ message: req.url }));
    });
    const port = String(await freePort());
    const url = `http://127.0.0.1:${port}`;
    const started = start({
      PORT: port,
      IMAGES_URL: upstream.url,
      AUTH_URL: upstream.url,
    });
    try {
      const deadline = Date.now() + 15_000;
      while (
        !(await fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ))
      ) {
        if (Date.now() > deadline) throw new Error(`gateway did not become ready:\n${started.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await (await fetch(`${url}/api/images/random?count=2`)).json()).toEqual({
        message: '/random?count=2',
      });
      expect((await fetch(`${url}/upload`, { method: 'POST' })).status).toBe(401);
    } finally {
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
      await upstream.close();
    }
    expect(started.output()).toMatch(/"msg":"stopped"/);
  });

  test('with METRICS_PORT, /metrics is served on that port alone and answers 404 on the public port', async () => {
    const upstream = await listen((_req, res) => res.end('{}'));
    const [port, metricsPort] = [String(await freePort()), String(await freePort())];
    const url = `http://127.0.0.1:${port}`;
    const started = start({
      PORT: port,
      METRICS_PORT: metricsPort,
      IMAGES_URL: upstream.url,
      AUTH_URL: upstream.url,
    });
    try {
      await waitReady(url, started.output);
      expect((await fetch(`${url}/api/images/random`)).status).toBe(200);
      const hidden = await fetch(`${url}/metrics`);
      expect(hidden.status).toBe(404);
      expect(await hidden.json()).toMatchObject({ error: { code: 'route_not_found' } });
      const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(/http_requests_total\{[^}]*route="\/api\/images\/\*"/);
      // The metrics port serves nothing else: not the API, not the page.
      expect((await fetch(`http://127.0.0.1:${metricsPort}/api/images/random`)).status).toBe(404);
    } finally {
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
      await upstream.close();
    }
  });
});
