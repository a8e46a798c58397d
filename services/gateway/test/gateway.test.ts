import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { SignJWT } from 'jose';
import { TrustedProxies } from '@laas/shared';
import type { AuthMode } from '../src/index.js';
import {
  json,
  listen,
  refusedUrl,
  startEcho,
  startGateway,
  startServices,
  TEST_KEYS,
  uniqueDbName,
  type RunningGateway,
  type Services,
} from './support/stack.js';

let services: Services;
let gateway: RunningGateway;
let token: string;

beforeAll(async () => {
  services = await startServices(uniqueDbName('gateway_e2e'));
  await services.images.catalog.seed(['https://example.com/seeded-llama.jpg'], new Date());
  gateway = await startGateway({ upstreams: { images: services.images.url, auth: services.auth.url } });
  await fetch(
    `${gateway.url}/api/auth/register`,
    json({ email: 'gw@example.com', password: 'gateway password' }),
  );
  const login = await fetch(
    `${gateway.url}/api/auth/login`,
    json({ email: 'gw@example.com', password: 'gateway password' }),
  );
  ({ token } = (await login.json()) as { token: string });
});
afterAll(async () => {
  await gateway.close();
  await services.close();
});

/** A token like auth's, with auth's kid, signed by a key that is not auth's. */
const forgedWithAuthsKid = (): Promise<string> =>
  new SignJWT({ email: 'gw@example.com' })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: TEST_KEYS.current.kid })
    .setSubject('0123456789abcdef01234567')
    .setIssuer('laas-auth')
    .setAudience('laas')
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(generateKeyPairSync('ed25519').privateKey);

const withToken = (init: RequestInit, t = token): RequestInit => ({
  ...init,
  headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${t}` },
});

/** The two kinds of request every pipeline test runs: both go through the one pipeline; the write also passes the token check. */
const requests: Record<string, (url: string, init?: RequestInit) => Promise<Response>> = {
  'a read': (url, init = {}) => fetch(`${url}/api/images/random?count=2`, init),
  'an authenticated write': (url, init = {}) =>
    fetch(`${url}/api/images`, {
      ...init,
      method: 'POST',
      body: JSON.stringify({ url: `https://example.com/pipeline-${Math.random()}.jpg` }),
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...(init.headers as Record<string, string> | undefined),
      },
    }),
};
const kinds = Object.keys(requests);

describe('the public API through the gateway', () => {
  test.each([
    ['a token auth issued', 200, () => token],
    ['a token signed by another key under auth`s kid', 401, () => forgedWithAuthsKid()],
  ])(
    'a gateway given no keys checks %s with the public keys it fetches from auth`s JWKS: %i',
    async (_label, status, tokenOf) => {
      const gw = await startGateway({
        upstreams: { images: services.images.url, auth: services.auth.url },
        authMode: 'all',
        tokenKeys: null,
      });
      try {
        const res = await fetch(`${gw.url}/api/images/random?count=1`, withToken({}, await tokenOf()));
        expect(res.status).toBe(status);
      } finally {
        await gw.close();
      }
    },
  );

  test('register -> login -> upload with the token -> the image is among /api/images/random', async () => {
    const registered = await fetch(
      `${gateway.url}/api/auth/register`,
      json({ email: 'flow@example.com', password: 'flow password' }),
    );
    expect(registered.status).toBe(202);
    const login = await fetch(
      `${gateway.url}/api/auth/login`,
      json({ email: 'flow@example.com', password: 'flow password' }),
    );
    expect(login.status).toBe(200);
    const { token: flowToken } = (await login.json()) as { token: string };
    const upload = await fetch(
      `${gateway.url}/api/images`,
      withToken(json({ url: 'https://example.com/flow-llama.jpg' }), flowToken),
    );
    expect(upload.status).toBe(201);
    const image = (await upload.json()) as { id: number; url: string };
    const random = await fetch(`${gateway.url}/api/images/random?count=25`);
    expect(random.status).toBe(200);
    expect(((await random.json()) as { message: string[] }).message).toContain(
      'https://example.com/flow-llama.jpg',
    );
    const byId = await fetch(`${gateway.url}/api/images/${image.id}`);
    expect(await byId.json()).toMatchObject({ id: image.id, url: image.url });
  });

  test('the original LaaS paths still work: GET /random and POST /upload', async () => {
    const upload = await fetch(
      `${gateway.url}/upload`,
      withToken(json({ url: 'https://example.com/alias-llama.jpg' })),
    );
    expect(upload.status).toBe(201);
    const random = await fetch(`${gateway.url}/random?count=25`);
    expect(((await random.json()) as { message: string[] }).message).toContain(
      'https://example.com/alias-llama.jpg',
    );
    expect(
      typeof ((await (await fetch(`${gateway.url}/random`)).json()) as { message: unknown }).message,
    ).toBe('string');
  });

  test('GET /api/auth/me with the token answers its user (auth routes pass the Authorization header on)', async () => {
    const me = await fetch(`${gateway.url}/api/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { email: 'gw@example.com' } });
  });

  test.each([
    ['malformed JSON', '{"url": ', 'application/json', 400, 'malformed_json'],
    ['a JSON string', '"https://example.com/x.jpg"', 'application/json', 400, 'malformed_json'],
    ['text/plain', 'hello', 'text/plain', 415, 'unsupported_media_type'],
    ['operator injection', '{"url": {"$gt": ""}}', 'application/json', 400, 'invalid_url'],
  ])(
    'an upload with %s is forwarded unparsed and answered by images: %i %s',
    async (_label, body, type, status, code) => {
      const res = await fetch(
        `${gateway.url}/api/images`,
        withToken({ method: 'POST', body, headers: { 'content-type': type } }),
      );
      expect(res.status).toBe(status);
      expect(await res.json()).toMatchObject({ error: { code } });
    },
  );

  test.each([
    ['an unknown route', 'GET', '/nope', 404, 'route_not_found'],
    ['a dot segment', 'GET', '/api/images/../auth/me', 400, 'invalid_path'],
    ['an encoded dot segment', 'GET', '/api/images/%2e%2e/metrics', 400, 'invalid_path'],
  ])('%s answers %i %s', async (_label, method, path, status, code) => {
    // node:http, because fetch normalises dot segments away before sending.
    const res = await rawRequest({ method, path });
    expect(res.status).toBe(status);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code } });
  });
});

describe('authentication at the gateway', () => {
  const cases: [AuthMode, string, string, number][] = [
    ['writes', 'GET', '/api/images/random', 200],
    ['writes', 'POST', '/api/images', 401],
    ['writes', 'POST', '/upload', 401],
    ['all', 'GET', '/api/images/random', 401],
    ['all', 'GET', '/random', 401],
    ['all', 'POST', '/api/auth/login', 200],
    ['none', 'POST', '/api/images', 201],
  ];
  test.each(cases)(
    'GATEWAY_AUTH=%s: %s %s without a token answers %i',
    async (mode, method, path, status) => {
      const gw =
        mode === 'writes'
          ? gateway
          : await startGateway({
              authMode: mode,
              upstreams: { images: services.images.url, auth: services.auth.url },
            });
      try {
        const body =
          path === '/api/auth/login'
            ? { email: 'gw@example.com', password: 'gateway password' }
            : { url: `https://example.com/${mode}-${Math.random()}.jpg` };
        const res = await fetch(`${gw.url}${path}`, method === 'GET' ? {} : json(body));
        expect(res.status).toBe(status);
        if (status === 401) {
          expect(await res.json()).toMatchObject({ error: { code: 'missing_token' } });
          expect(res.headers.get('www-authenticate')).toBe('Bearer');
        }
      } finally {
        if (gw !== gateway) await gw.close();
      }
    },
  );

  // What the verifier accepts and refuses is tabled once, in services/shared/test/tokens.test.ts.
  // Here: that a refusal stops the request at the gateway.
  test('an upload with a tampered token answers 401 invalid_token and is not forwarded', async () => {
    const [h, p, sig] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url')}.${sig}`;
    const url = 'https://example.com/rejected-tampered.jpg';
    const res = await fetch(`${gateway.url}/api/images`, withToken(json({ url }), forged));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: 'invalid_token' } });
    const random = (await (await fetch(`${gateway.url}/api/images/random?count=25`)).json()) as {
      message: string[];
    };
    expect(random.message).not.toContain(url);
  });

  test('a token that expires is refused once the gateway clock passes exp plus the skew', async () => {
    const exp = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number })
      .exp;
    let now = Date.now();
    const gw = await startGateway({
      clock: () => now,
      clockSkewSeconds: 30,
      upstreams: { images: services.images.url, auth: services.auth.url },
    });
    try {
      const upload = () =>
        fetch(`${gw.url}/upload`, withToken(json({ url: `https://example.com/exp-${Math.random()}.jpg` })));
      expect((await upload()).status).toBe(201);
      now = exp * 1000 + 29_000; // 29 s past exp is within the 30 s skew
      expect((await upload()).status).toBe(201);
      now += 2_000;
      const late = await upload();
      expect(late.status).toBe(401);
      expect(await late.json()).toMatchObject({ error: { code: 'token_expired' } });
    } finally {
      await gw.close();
    }
  });
});

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** node:http, for what fetch forbids: hop-by-hop headers and unnormalised paths. */
function rawRequest(options: {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  url?: string;
}): Promise<RawResponse> {
  const base = new URL(options.url ?? gateway.url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname,
        port: base.port,
        method: options.method,
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

describe('proxying', () => {
  let echo: Awaited<ReturnType<typeof startEcho>>;
  let gw: RunningGateway;
  beforeAll(async () => {
    echo = await startEcho();
    gw = await startGateway({ authMode: 'none', upstreams: { images: echo.url, auth: echo.url } });
  });
  afterAll(async () => {
    await gw.close();
    await echo.close();
  });

  test.each([
    ['/api/images/random?count=25', '/random?count=25'],
    ['/api/images/7', '/images/7'],
    ['/api/images', '/images'],
    ['/random?count=2', '/random?count=2'],
    ['/upload', '/images'],
    ['/api/auth/login', '/login'],
    ['/api/auth', '/'],
  ])('%s is forwarded to the upstream path %s', async (path, upstreamPath) => {
    const res = await fetch(`${gw.url}${path}`);
    expect(((await res.json()) as { url: string }).url).toBe(upstreamPath);
  });

  test('a given x-request-id reaches the upstream and comes back', async () => {
    const res = await fetch(`${gw.url}/api/images/random`, { headers: { 'x-request-id': 'trace-gw-1' } });
    expect(res.headers.get('x-request-id')).toBe('trace-gw-1');
    expect(((await res.json()) as { headers: Record<string, string> }).headers['x-request-id']).toBe(
      'trace-gw-1',
    );
  });

  test('without an x-request-id the gateway makes one, and the upstream sees the same', async () => {
    const res = await fetch(`${gw.url}/api/images/random`);
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(((await res.json()) as { headers: Record<string, string> }).headers['x-request-id']).toBe(id);
  });

  test('hop-by-hop headers are stripped both ways; end-to-end ones and X-Forwarded-For pass', async () => {
    const res = await rawRequest({
      url: gw.url,
      method: 'GET',
      path: '/api/images/random',
      headers: {
        connection: 'keep-alive, x-client-hop',
        'x-client-hop': 'secret',
        'keep-alive': 'timeout=5',
        te: 'trailers',
        'proxy-authorization': 'Basic abc',
        'x-end-to-end': 'kept',
      },
    });
    const seen = (JSON.parse(res.body) as { headers: Record<string, string> }).headers;
    for (const name of ['x-client-hop', 'keep-alive', 'te', 'proxy-authorization'])
      expect(seen).not.toHaveProperty(name);
    expect(seen['x-end-to-end']).toBe('kept');
    expect(seen['x-forwarded-for']).toBe('127.0.0.1');
    expect(res.headers).not.toHaveProperty('x-upstream-hop');
    expect(res.headers['keep-alive']).not.toMatch(/max=1000/);
    expect(res.headers['connection']).not.toMatch(/x-upstream-hop/);
  });

  test('identity headers sent by a client are dropped; the gateway sets them from a verified token only', async () => {
    const secured = await startGateway({ authMode: 'all', upstreams: { images: echo.url, auth: echo.url } });
    try {
      const spoofed = await fetch(`${secured.url}/api/auth/me`, { headers: { 'x-auth-user-id': 'admin' } });
      expect(((await spoofed.json()) as { headers: Record<string, string> }).headers).not.toHaveProperty(
        'x-auth-user-id',
      );
      const real = await fetch(`${secured.url}/api/images/random`, {
        headers: { authorization: `Bearer ${token}`, 'x-auth-user-id': 'admin' },
      });
      const seen = ((await real.json()) as { headers: Record<string, string> }).headers;
      expect(seen['x-auth-user-id']).toMatch(/^[0-9a-f]{24}$/);
      expect(seen['x-auth-user-email']).toBe('gw@example.com');
    } finally {
      await secured.close();
    }
  });

  test.each([
    [
      'with a Content-Length over the limit',
      { 'content-type': 'application/json', 'content-length': String(17 * 1024) },
    ],
    [
      'chunked, growing past the limit',
      { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    ],
  ])('a body %s answers 413 payload_too_large', async (_label, headers) => {
    const res = await rawRequest({
      url: gw.url,
      method: 'POST',
      path: '/api/images',
      headers,
      body: 'x'.repeat(17 * 1024),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body)).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  test('a body under the limit is streamed through byte for byte', async () => {
    const body = JSON.stringify({ url: 'https://example.com/a.jpg', pad: 'é'.repeat(1000) });
    const res = await fetch(`${gw.url}/api/images`, json(body));
    expect(((await res.json()) as { body: string }).body).toBe(body);
  });
});

describe('upstream failures, each for a read and for an authenticated write', () => {
  /** The log lines (pino JSON) that carry this error code. */
  const logged = (gw: RunningGateway, code: string): { level: number; cause?: { code?: string } }[] =>
    gw
      .logs()
      .split('\n')
      .filter((line) => line.includes(`"code":"${code}"`))
      .map((line) => JSON.parse(line) as { level: number; cause?: { code?: string } });

  test.each(kinds)(
    '%s to an upstream that refuses connections answers 502 upstream_unavailable at once, logged once as a warning',
    async (kind) => {
      const gw = await startGateway({
        upstreamTimeoutMs: 2000,
        upstreams: { images: await refusedUrl(), auth: services.auth.url },
      });
      try {
        const start = Date.now();
        const res = await requests[kind]!(gw.url);
        expect(res.status).toBe(502);
        expect(Date.now() - start).toBeLessThan(2000);
        expect(res.headers.get('retry-after')).toBe('1');
        expect(res.headers.get('x-request-id')).toBeTruthy();
        expect(await res.json()).toMatchObject({
          error: { code: 'upstream_unavailable', requestId: res.headers.get('x-request-id') },
        });
        const lines = logged(gw, 'upstream_unavailable');
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatchObject({ level: 40, cause: { code: 'ECONNREFUSED' } });
        // Readiness does not follow the upstreams (see app.ts).
        expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
      } finally {
        await gw.close();
      }
    },
  );

  test.each(kinds)('%s to an upstream that resets the connection answers 502', async (kind) => {
    const resetting = await listen((req) => req.socket.destroy());
    const gw = await startGateway({ upstreams: { images: resetting.url, auth: services.auth.url } });
    try {
      const res = await requests[kind]!(gw.url);
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: { code: 'upstream_unavailable' } });
      expect(logged(gw, 'upstream_unavailable')).toHaveLength(1);
    } finally {
      await gw.close();
      await resetting.close();
    }
  });

  test.each([
    ['a read', 200, 2],
    ['an authenticated write', 502, 1],
  ] as const)(
    '%s whose upstream connection is reset before any answer (a draining pod closing it) answers %i after %i upstream attempt(s): only bodiless GETs are repeated',
    async (kind, status, attempts) => {
      let seen = 0;
      const flaky = await listen((req, res) => {
        seen++;
        if (seen === 1) {
          req.socket.destroy();
          return;
        }
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"message":["https://example.com/llama.jpg"]}');
      });
      const gw = await startGateway({ upstreams: { images: flaky.url, auth: services.auth.url } });
      try {
        const res = await requests[kind]!(gw.url);
        expect(res.status).toBe(status);
        await res.arrayBuffer();
        expect(seen).toBe(attempts);
      } finally {
        await gw.close();
        await flaky.close();
      }
    },
  );

  test.each(kinds)(
    '%s to an upstream that hangs answers 504 upstream_timeout within the timeout, logged once',
    async (kind) => {
      const hanging = await listen(() => undefined);
      const gw = await startGateway({
        upstreamTimeoutMs: 400,
        upstreams: { images: hanging.url, auth: services.auth.url },
      });
      try {
        const start = Date.now();
        const res = await requests[kind]!(gw.url);
        const elapsed = Date.now() - start;
        expect(res.status).toBe(504);
        expect(await res.json()).toMatchObject({ error: { code: 'upstream_timeout' } });
        expect(elapsed).toBeGreaterThanOrEqual(350);
        expect(elapsed).toBeLessThan(2000);
        expect(logged(gw, 'upstream_timeout')).toHaveLength(1);
        const metrics = await (await fetch(`${gw.url}/metrics`)).text();
        expect(metrics).toMatch(
          /gateway_upstream_duration_seconds_count\{[^}]*upstream="images"[^}]*status_code="504"[^}]*\} 1/,
        );
      } finally {
        await gw.close();
        await hanging.close();
      }
    },
  );

  test.each(kinds)(
    '%s times out after its upstream`s own timeout (300 ms) while the other upstream keeps the default (5 s)',
    async (kind) => {
      const hanging = await listen(() => undefined);
      const gw = await startGateway({
        upstreamTimeoutMs: 5000,
        upstreamTimeouts: { images: 300 },
        upstreams: { images: hanging.url, auth: services.auth.url },
      });
      try {
        const start = Date.now();
        expect((await requests[kind]!(gw.url)).status).toBe(504);
        expect(Date.now() - start).toBeLessThan(2000);
        expect((await fetch(`${gw.url}/api/auth`)).status).toBe(200);
      } finally {
        await gw.close();
        await hanging.close();
      }
    },
  );

  test.each(kinds)(
    '%s to an upstream that dies in the middle of its body closes the client connection instead of hanging',
    async (kind) => {
      const dying = await listen((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"message": [');
        setTimeout(() => res.socket?.destroy(), 50);
      });
      const gw = await startGateway({ upstreams: { images: dying.url, auth: services.auth.url } });
      try {
        const res = await requests[kind]!(gw.url);
        expect(res.status).toBe(200);
        await expect(res.text()).rejects.toThrow();
      } finally {
        await gw.close();
        await dying.close();
      }
    },
  );

  test.each(kinds)(
    '%s whose client leaves in the middle of the answer aborts the upstream request at once, not at the upstream timeout',
    async (kind) => {
      let upstreamClosed!: () => void;
      const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
      // Sends the status line and a first chunk, then holds the rest of its body forever.
      const slow = await listen((req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"message": [');
        res.on('close', upstreamClosed);
      });
      const gw = await startGateway({
        upstreamTimeoutMs: 10_000,
        upstreams: { images: slow.url, auth: services.auth.url },
      });
      try {
        const leaving = new AbortController();
        const res = await requests[kind]!(gw.url, { signal: leaving.signal });
        expect(res.status).toBe(200);
        const reader = res.body!.getReader();
        await reader.read(); // the first chunk has come through
        const start = Date.now();
        leaving.abort();
        await closed;
        expect(Date.now() - start).toBeLessThan(5_000);
        expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
      } finally {
        await gw.close();
        await slow.close();
      }
    },
  );
});

test('tokens and passwords never reach the gateway log, even when upstreams fail', async () => {
  const gw = await startGateway({
    upstreamTimeoutMs: 300,
    upstreams: { images: await refusedUrl(), auth: services.auth.url },
  });
  try {
    const password = 'gateway-log-password-77';
    await fetch(`${gw.url}/api/auth/register`, json({ email: 'gwlog@example.com', password }));
    const login = await fetch(`${gw.url}/api/auth/login`, json({ email: 'gwlog@example.com', password }));
    const { token: logToken } = (await login.json()) as { token: string };
    await fetch(`${gw.url}/api/images`, withToken(json({ url: 'https://example.com/l.jpg' }), logToken));
    await fetch(
      `${gw.url}/api/images`,
      withToken(json({ url: 'https://example.com/l.jpg' }), `${logToken}x`),
    );
    expect(gw.logs()).toMatch(/upstream_unavailable/);
    expect(gw.logs()).not.toContain(password);
    expect(gw.logs()).not.toContain(logToken.split('.')[2]);
  } finally {
    await gw.close();
  }
});

describe('limits, CORS, health and metrics', () => {
  test.each(kinds)(
    '%s over its client`s rate limit answers 429 with Retry-After; time refills it',
    async (kind) => {
      // The gateway's clock also checks the token: start it at the real time, then move it by hand.
      let now = Date.now();
      const gw = await startGateway({
        clock: () => now,
        rateLimit: { limit: 3, windowSeconds: 3 },
        upstreams: { images: services.images.url, auth: services.auth.url },
      });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) statuses.push((await requests[kind]!(gw.url)).status);
        expect(statuses.map((status) => status < 300)).toEqual([true, true, true, false]);
        const limited = await requests[kind]!(gw.url);
        expect(limited.status).toBe(429);
        expect(limited.headers.get('retry-after')).toBe('1');
        expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
        now += 1000;
        expect((await requests[kind]!(gw.url)).status).toBeLessThan(300);
        // Health and metrics are never limited: probes must not be refused.
        expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
      } finally {
        await gw.close();
      }
    },
  );

  test('clients behind trusted proxies (TRUST_PROXY 127.0.0.0/8,10.0.0.0/8) are limited by their X-Forwarded-For address, each on its own budget', async () => {
    const gw = await startGateway({
      clock: () => 0,
      rateLimit: { limit: 1, windowSeconds: 60 },
      trustedProxies: TrustedProxies.parse('127.0.0.0/8,10.0.0.0/8'),
      upstreams: { images: services.images.url, auth: services.auth.url },
    });
    try {
      const from = (client: string) =>
        fetch(`${gw.url}/random`, { headers: { 'x-forwarded-for': `${client}, 10.0.0.9` } });
      expect((await from('198.51.100.7')).status).toBe(200);
      expect((await from('198.51.100.7')).status).toBe(429);
      expect((await from('198.51.100.8')).status).toBe(200);
    } finally {
      await gw.close();
    }
  });

  test.each(kinds)(
    'CORS: %s from a listed origin gets Access-Control-Allow-Origin, from another origin none',
    async (kind) => {
      const gw = await startGateway({
        corsOrigins: ['https://laas.example'],
        upstreams: { images: services.images.url, auth: services.auth.url },
      });
      try {
        const allowed = await requests[kind]!(gw.url, { headers: { origin: 'https://laas.example' } });
        expect(allowed.status).toBeLessThan(300);
        expect(allowed.headers.get('access-control-allow-origin')).toBe('https://laas.example');
        expect(allowed.headers.get('access-control-expose-headers')).toMatch(/x-request-id/);
        expect(allowed.headers.get('vary')).toMatch(/Origin/);
        const other = await requests[kind]!(gw.url, { headers: { origin: 'https://evil.example' } });
        expect(other.headers.get('access-control-allow-origin')).toBeNull();
      } finally {
        await gw.close();
      }
    },
  );

  test('CORS: a preflight answers 204 before the token check, even with GATEWAY_AUTH=all', async () => {
    const gw = await startGateway({
      authMode: 'all',
      corsOrigins: ['https://laas.example'],
      upstreams: { images: services.images.url, auth: services.auth.url },
    });
    try {
      const preflight = await fetch(`${gw.url}/api/images`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://laas.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/authorization/);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('https://laas.example');
    } finally {
      await gw.close();
    }
  });

  test('readiness is 200 while serving and 503 once draining; then every answer closes its connection', async () => {
    const gw = await startGateway({ upstreams: { images: services.images.url, auth: services.auth.url } });
    try {
      expect(await (await fetch(`${gw.url}/readyz`)).json()).toEqual({ status: 'ready', checks: {} });
      expect((await requests['a read']!(gw.url)).headers.get('connection')).not.toBe('close');
      gw.readiness.startDraining();
      expect((await fetch(`${gw.url}/readyz`)).status).toBe(503);
      for (const kind of kinds)
        expect((await requests[kind]!(gw.url)).headers.get('connection')).toBe('close');
    } finally {
      await gw.close();
    }
  });

  test('RED metrics are labelled by route template, and upstream latency by upstream and status', async () => {
    const gw = await startGateway({ upstreams: { images: services.images.url, auth: services.auth.url } });
    try {
      for (let i = 0; i < 3; i++) await fetch(`${gw.url}/api/images/random?count=2`);
      await fetch(`${gw.url}/api/images/999999`);
      await fetch(`${gw.url}/upload`, json({ url: 'https://example.com/m.jpg' }));
      const text = await (await fetch(`${gw.url}/metrics`)).text();
      expect(text).toMatch(/http_requests_total\{[^}]*route="\/api\/images\/\*",status_code="200"[^}]*\} 3/);
      expect(text).toMatch(/http_requests_total\{[^}]*route="\/api\/images\/\*",status_code="404"[^}]*\} 1/);
      expect(text).toMatch(/http_requests_total\{[^}]*route="\/upload",status_code="401"[^}]*\} 1/);
      expect(text).toMatch(
        /gateway_upstream_duration_seconds_count\{[^}]*upstream="images",status_code="200"[^}]*\} 3/,
      );
      expect(text).toMatch(/gateway_upstream_duration_seconds_bucket\{le="0.3",[^}]*upstream="images"/);
    } finally {
      await gw.close();
    }
  });
});
