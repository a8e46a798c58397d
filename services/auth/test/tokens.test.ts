import { SignJWT, UnsecuredJWT } from 'jose';
import { TokenService } from '../src/index.js';
import { postJson, startAuth, testKey, uniqueDbName, type RunningAuth } from './support/auth-server.js';

const T0 = Date.parse('2026-03-01T12:00:00Z');
let now = T0;
let auth: RunningAuth;
let token: string;

beforeAll(async () => {
  auth = await startAuth(uniqueDbName('auth_tokens'), {
    clock: () => now,
    tokenTtlSeconds: 600,
    clockSkewSeconds: 30,
  });
  const res = await postJson(`${auth.url}/register`, { email: 'tok@example.com', password: 'password-tok' });
  ({ token } = (await res.json()) as { token: string });
});
afterAll(() => auth.close());
afterEach(() => {
  now = T0;
});

const authenticate = (t: string) =>
  postJson(`${auth.url}/authenticate`, '', { authorization: `Bearer ${t}` });
const iat = Math.floor(T0 / 1000);

describe('token lifetime, with the clock advanced by hand', () => {
  test.each([
    ['at issue', 0, 200, undefined],
    ['just before expiry', 599, 200, undefined],
    ['past expiry but within the 30 s clock skew', 620, 200, undefined],
    ['past expiry and the skew', 631, 401, 'token_expired'],
  ])('a 600 s token checked %s answers %i', async (_label, afterSeconds, status, code) => {
    now = T0 + afterSeconds * 1000;
    const res = await authenticate(token);
    expect(res.status).toBe(status);
    if (code) expect(await res.json()).toMatchObject({ error: { code } });
  });

  test('a token issued by a clock running ahead is accepted within the skew', async () => {
    const ahead = await new SignJWT({ email: 'tok@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('0123456789abcdef01234567')
      .setIssuer('laas-auth')
      .setAudience('laas')
      .setIssuedAt(iat + 20)
      .setExpirationTime(iat + 600)
      .sign(testKey());
    expect((await authenticate(ahead)).status).toBe(200);
  });
});

const forged = {
  'a tampered payload': () => {
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Record<string, unknown>;
    const tampered = Buffer.from(JSON.stringify({ ...claims, email: 'admin@example.com' })).toString(
      'base64url',
    );
    return Promise.resolve(`${h}.${tampered}.${s}`);
  },
  'a tampered signature': () =>
    Promise.resolve(token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA')),
  'alg none': () =>
    Promise.resolve(
      new UnsecuredJWT({ email: 'tok@example.com' })
        .setSubject('x')
        .setIssuer('laas-auth')
        .setAudience('laas')
        .setIssuedAt(iat)
        .setExpirationTime(iat + 600)
        .encode(),
    ),
  'HS512 with the right secret': () =>
    new SignJWT({ email: 'tok@example.com' })
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('x')
      .setIssuer('laas-auth')
      .setAudience('laas')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .sign(new Uint8Array(64).fill(7)),
  'another secret': () =>
    new SignJWT({ email: 'tok@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer('laas-auth')
      .setAudience('laas')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .sign(new TextEncoder().encode('another-secret-of-thirty-two-bytes-at-least')),
  'another issuer': () =>
    new SignJWT({ email: 'tok@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer('evil')
      .setAudience('laas')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .sign(testKey()),
  'another audience': () =>
    new SignJWT({ email: 'tok@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer('laas-auth')
      .setAudience('other')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 600)
      .sign(testKey()),
  'no expiry': () =>
    new SignJWT({ email: 'tok@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setIssuer('laas-auth')
      .setAudience('laas')
      .setIssuedAt(iat)
      .sign(testKey()),
};

test.each(Object.keys(forged))('a token with %s answers 401 invalid_token', async (label) => {
  const res = await authenticate(await forged[label as keyof typeof forged]());
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ error: { code: 'invalid_token' } });
});

test('TokenService.issue sets iat from the injected clock and exp = iat + ttl', async () => {
  const service = new TokenService({
    key: testKey(),
    issuer: 'laas-auth',
    audience: 'laas',
    ttlSeconds: 600,
    clockSkewSeconds: 0,
    clock: () => T0,
  });
  const issued = await service.issue({ id: 'u1', email: 'u@example.com' });
  expect(issued.expiresAt).toBe(new Date(T0 + 600_000).toISOString());
  expect(await service.verify(issued.token)).toMatchObject({ sub: 'u1', iat, exp: iat + 600 });
});
