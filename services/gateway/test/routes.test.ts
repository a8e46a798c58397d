import type { IncomingMessage } from 'node:http';
import { SignJWT } from 'jose';
import { AppError, TrustedProxies } from '@laas/shared';
import { clientAddress, gatewayRoutes, jsonAnswer, type LocalRoute } from '../src/index.js';
import { startEcho, startGateway, TEST_KEYS, type RunningGateway } from './support/stack.js';

let echo: Awaited<ReturnType<typeof startEcho>>;
beforeAll(async () => {
  echo = await startEcho();
});
afterAll(() => echo.close());

const validToken = (): Promise<string> => {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ email: 'local@example.com' })
    .setProtectedHeader({ alg: 'EdDSA', kid: TEST_KEYS.current.kid })
    .setSubject('0123456789abcdef01234567')
    .setIssuer('laas-auth')
    .setAudience('laas')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 600)
    .sign(TEST_KEYS.current.privateKey);
};

describe("the gateway's own routes: local routes in the route table", () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway({ upstreams: { images: echo.url, auth: echo.url } });
  });
  afterAll(() => gw.close());

  test('GET / answers the index as JSON, with a request id, labelled "/" in the metrics', async () => {
    const res = await fetch(`${gw.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toEqual({ service: 'laas gateway', openapi: '/openapi.json' });
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{[^}]*method="GET",route="\/",status_code="200"[^}]*\} 1/);
  });

  test('HEAD / answers the headers of GET / without a body', async () => {
    const res = await fetch(`${gw.url}/`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get('content-length'))).toBeGreaterThan(0);
    expect(await res.text()).toBe('');
  });

  test('POST / answers 405 method_not_allowed with Allow: GET, HEAD', async () => {
    const res = await fetch(`${gw.url}/`, { method: 'POST' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(await res.json()).toMatchObject({ error: { code: 'method_not_allowed' } });
  });
});

describe('a local route added to the table goes through the same pipeline as the proxied ones', () => {
  const probe: LocalRoute = {
    kind: 'local',
    template: '/api/probe',
    guarded: true,
    methods: ['GET'],
    matches: (path) => path === '/api/probe',
    respond: ({ user }) => jsonAnswer({ user }),
  };
  const T_START = Date.now();
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway({
      authMode: 'all',
      corsOrigins: ['https://laas.example'],
      rateLimit: { limit: 3, windowSeconds: 60 },
      // A clock that stands still: the rate limit refills nothing during the test.
      clock: () => T_START,
      routes: [...gatewayRoutes(), probe],
      upstreams: { images: echo.url, auth: echo.url },
    });
  });
  afterAll(() => gw.close());

  test('it needs a token under GATEWAY_AUTH=all, gets CORS headers, sees the verified identity, and is rate limited', async () => {
    const origin = { origin: 'https://laas.example' };
    const anonymous = await fetch(`${gw.url}/api/probe`, { headers: origin });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('access-control-allow-origin')).toBe('https://laas.example');
    const authorization = `Bearer ${await validToken()}`;
    const signedIn = await fetch(`${gw.url}/api/probe`, {
      headers: { ...origin, authorization, 'x-auth-user-email': 'spoofed@example.com' },
    });
    expect(signedIn.status).toBe(200);
    expect(await signedIn.json()).toEqual({
      user: { id: '0123456789abcdef01234567', email: 'local@example.com' },
    });
    expect((await fetch(`${gw.url}/api/probe`, { headers: { authorization } })).status).toBe(200);
    const limited = await fetch(`${gw.url}/api/probe`, { headers: { authorization } });
    expect(limited.status).toBe(429);
  });
});

describe('a local route that fails', () => {
  test('answers its AppError as the usual JSON error with the request id, logged once as a warning', async () => {
    const failing: LocalRoute = {
      kind: 'local',
      template: '/api/failing',
      guarded: false,
      methods: ['GET'],
      matches: (path) => path === '/api/failing',
      respond: () => {
        throw new AppError(503, 'probe_unavailable', 'the probe has nothing to say', {
          headers: { 'retry-after': '5' },
        });
      },
    };
    const gw = await startGateway({ routes: [failing], upstreams: { images: echo.url, auth: echo.url } });
    try {
      const res = await fetch(`${gw.url}/api/failing`, { headers: { 'x-request-id': 'local-fail-1' } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect(await res.json()).toEqual({
        error: {
          code: 'probe_unavailable',
          message: 'the probe has nothing to say',
          requestId: 'local-fail-1',
        },
      });
      expect(gw.logs().match(/"code":"probe_unavailable"/g)).toHaveLength(1);
    } finally {
      await gw.close();
    }
  });
});

describe('clientAddress: the address the rate limit counts (TRUST_PROXY 127.0.0.0/8, 10.0.0.0/8, fd00::/8)', () => {
  const trusted = TrustedProxies.parse('127.0.0.0/8,10.0.0.0/8,fd00::/8');
  const req = (peer: string, forwarded?: string): IncomingMessage =>
    ({
      socket: { remoteAddress: peer },
      headers: forwarded === undefined ? {} : { 'x-forwarded-for': forwarded },
    }) as unknown as IncomingMessage; // a plain object with the two fields clientAddress reads
  test.each([
    ['a direct client is its peer address', '198.51.100.1', undefined, '198.51.100.1'],
    ['an untrusted peer`s X-Forwarded-For is ignored', '198.51.100.1', '10.0.0.1', '198.51.100.1'],
    ['a private peer outside the list is not trusted', '192.168.1.1', '198.51.100.7', '192.168.1.1'],
    ['behind a loopback proxy, the forwarded client', '127.0.0.1', '198.51.100.7', '198.51.100.7'],
    [
      'behind an IPv4-mapped loopback peer, the forwarded client',
      '::ffff:127.0.0.1',
      '203.0.113.9',
      '203.0.113.9',
    ],
    [
      'behind two trusted proxies, the first untrusted hop from the right',
      '10.0.0.5',
      '198.51.100.7, 10.0.0.9',
      '198.51.100.7',
    ],
    [
      'a client-written hop left of a real one is not believed',
      '127.0.0.1',
      '203.0.113.1, 198.51.100.7',
      '198.51.100.7',
    ],
    ['only trusted hops: the leftmost', '127.0.0.1', '10.0.0.2, 10.1.1.1', '10.0.0.2'],
    ['behind an IPv6 unique-local proxy in the list', 'fd00::1', '2001:db8::7', '2001:db8::7'],
  ])('%s', (_label, peer, forwarded, expected) => {
    expect(clientAddress(req(peer, forwarded), trusted)).toBe(expected);
  });
});
