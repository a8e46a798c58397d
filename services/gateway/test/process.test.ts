import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { listen } from './support/stack.js';
import { freePort } from '@laas/testbed';

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
});
