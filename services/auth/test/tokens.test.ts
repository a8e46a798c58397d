import { SignJWT } from 'jose';
import { decodeProtectedHeader } from 'jose';
import { generateSigningKey, signingKeys, TokenService } from '../src/index.js';
import { postJson, startAuth, testKeys, uniqueDbName, type RunningAuth } from './support/auth-server.js';

// What a token must be to pass is tabled once, in services/shared/test/tokens.test.ts (the
// verifier auth and the gateway share). Here: that auth issues tokens the verifier accepts, and
// that its endpoints answer the verifier's refusals as 401s with their codes.
const T0 = Date.parse('2026-03-01T12:00:00Z');
const iat = Math.floor(T0 / 1000);
let now = T0;
let auth: RunningAuth;
let token: string;

beforeAll(async () => {
  auth = await startAuth(uniqueDbName('auth_tokens'), {
    clock: () => now,
    tokenTtlSeconds: 600,
    clockSkewSeconds: 30,
  });
  await postJson(`${auth.url}/register`, { email: 'tok@example.com', password: 'password-tok' });
  const res = await postJson(`${auth.url}/login`, { email: 'tok@example.com', password: 'password-tok' });
  ({ token } = (await res.json()) as { token: string });
});
afterAll(() => auth.close());
afterEach(() => {
  now = T0;
});

const authenticate = (header: string) => postJson(`${auth.url}/authenticate`, '', { authorization: header });

test('a token auth issued authenticates, and /authenticate answers its claims', async () => {
  const res = await authenticate(`Bearer ${token}`);
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({
    claims: { email: 'tok@example.com', iss: 'laas-auth', aud: 'laas', iat, exp: iat + 600 },
  });
});

const foreignIssuer = () =>
  new SignJWT({ email: 'tok@example.com' })
    .setProtectedHeader({ alg: 'EdDSA', kid: testKeys.current.kid })
    .setSubject('0123456789abcdef01234567')
    .setIssuer('evil')
    .setAudience('laas')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 600)
    .sign(testKeys.current.privateKey);

const refusals: [string, string, number, () => string | Promise<string>][] = [
  ['its own token 631 s after issue (600 s TTL + 30 s skew)', 'token_expired', 631, () => `Bearer ${token}`],
  ['a token of another issuer', 'invalid_token', 0, async () => `Bearer ${await foreignIssuer()}`],
  ['a Basic header', 'invalid_token', 0, () => 'Basic dXNlcjpwYXNz'],
];
test.each(refusals)('/authenticate with %s answers 401 %s', async (_label, code, afterSeconds, header) => {
  now = T0 + afterSeconds * 1000;
  const res = await authenticate(await header());
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  expect(await res.json()).toMatchObject({ error: { code } });
});

test('TokenService.issue sets iat from the injected clock and exp = iat + ttl', async () => {
  const service = new TokenService({
    keys: testKeys,
    issuer: 'laas-auth',
    audience: 'laas',
    ttlSeconds: 600,
    clockSkewSeconds: 0,
    clock: () => T0,
  });
  const issued = await service.issue({ id: 'u1', email: 'u@example.com' });
  expect(issued.expiresAt).toBe(new Date(T0 + 600_000).toISOString());
  expect(await service.verifier.verify(issued.token)).toMatchObject({
    userId: 'u1',
    email: 'u@example.com',
    claims: { iat, exp: iat + 600 },
  });
});

describe('asymmetric keys: EdDSA with a kid, a JWKS of public keys, rotation with an overlap', () => {
  test('a token auth issues is EdDSA with its key id, and the JWKS publishes that public key only', async () => {
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: testKeys.current.kid });
    const res = await fetch(`${auth.url}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const jwks = (await res.json()) as { keys: Record<string, string>[] };
    expect(jwks.keys).toEqual([
      {
        kty: 'OKP',
        crv: 'Ed25519',
        x: expect.any(String),
        kid: testKeys.current.kid,
        alg: 'EdDSA',
        use: 'sig',
      },
    ]);
  });

  const issueWith = (keys: ReturnType<typeof signingKeys>) =>
    new TokenService({
      keys,
      issuer: 'laas-auth',
      audience: 'laas',
      ttlSeconds: 600,
      clockSkewSeconds: 30,
      clock: () => T0,
    }).issue({ id: '0123456789abcdef01234567', email: 'rot@example.com' });

  test.each([
    ['signed by the previous key, during the overlap (both keys published)', 200, true],
    ['signed by a key no longer published, after the overlap', 401, false],
  ])('a token %s answers %i', async (_label, status, keepPrevious) => {
    const previous = generateSigningKey();
    const current = generateSigningKey();
    const old = await issueWith(signingKeys(previous));
    const rotated = await startAuth(uniqueDbName('auth_rotation'), {
      clock: () => T0,
      signingKeys: keepPrevious ? signingKeys(current, previous) : signingKeys(current),
    });
    try {
      const res = await postJson(`${rotated.url}/authenticate`, '', { authorization: `Bearer ${old.token}` });
      expect(res.status).toBe(status);
      expect(
        decodeProtectedHeader((await rotated.tokens.issue({ id: 'u', email: 'u@example.com' })).token).kid,
      ).toBe(signingKeys(current).current.kid);
    } finally {
      await rotated.close();
    }
  });

  test('with the defaults an access token lives 15 minutes', async () => {
    const defaults = await startAuth(uniqueDbName('auth_ttl'), { clock: () => T0 });
    try {
      const issued = await defaults.tokens.issue({ id: 'u', email: 'u@example.com' });
      expect(issued.expiresAt).toBe(new Date(T0 + 900_000).toISOString());
    } finally {
      await defaults.close();
    }
  });
});
