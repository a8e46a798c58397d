import { DEFAULT_LIMITS, REGISTRATION_ACCEPTED } from '../src/index.js';
import { postJson, startAuth, uniqueDbName, type RunningAuth } from './support/auth-server.js';

let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth(uniqueDbName('auth_api'), {
    limits: {
      register: { perAddress: 1000, windowSeconds: 60 },
      login: { ...DEFAULT_LIMITS.login, perAddress: 1000 },
    },
  });
});
afterAll(() => auth.close());

const register = (body: unknown) => postJson(`${auth.url}/register`, body);
const login = (body: unknown) => postJson(`${auth.url}/login`, body);
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('register, login, authenticate, me', () => {
  test('registering answers 202 without the user, a token, the password or its hash, and stores an argon2id hash', async () => {
    const res = await register({ email: 'Ada@Example.com', password: 'correct horse', name: 'Ada' });
    expect(res.status).toBe(202);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual(REGISTRATION_ACCEPTED);
    const stored = await auth.db.collection('users').findOne({ email: 'ada@example.com' });
    expect(stored).toMatchObject({ name: 'Ada', passwordHash: expect.stringMatching(/^\$argon2id\$/) });
    const login = await postJson(`${auth.url}/login`, {
      email: 'ada@example.com',
      password: 'correct horse',
    });
    expect(login.status).toBe(200);
  });

  test.each([
    ['the same email', 'dup@example.com'],
    ['the same email in other letter cases', 'DUP@example.COM'],
  ])(
    'registering %s again answers exactly as the first time, stores one account and keeps its password',
    async (_label, second) => {
      const first = await register({ email: 'dup@example.com', password: 'password-1' });
      const again = await register({ email: second, password: 'password-2' });
      expect([first.status, again.status]).toEqual([202, 202]);
      expect(await again.json()).toEqual(await first.json());
      expect(await auth.db.collection('users').countDocuments({ email: 'dup@example.com' })).toBe(1);
      expect((await login({ email: 'dup@example.com', password: 'password-1' })).status).toBe(200);
      expect((await login({ email: 'dup@example.com', password: 'password-2' })).status).toBe(401);
    },
  );

  test('logging in answers a token that authenticates, and /me answers its user', async () => {
    await register({ email: 'bob@example.com', password: 'bobs password' });
    const res = await login({ email: 'BOB@example.com', password: 'bobs password' });
    expect(res.status).toBe(200);
    const { token, expiresAt } = (await res.json()) as { token: string; expiresAt: string };
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());

    const claims = await postJson(`${auth.url}/authenticate`, '', bearer(token));
    expect(claims.status).toBe(200);
    expect(await claims.json()).toMatchObject({
      claims: { email: 'bob@example.com', iss: 'laas-auth', aud: 'laas' },
    });

    const me = await fetch(`${auth.url}/me`, { headers: bearer(token) });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { email: 'bob@example.com' } });
  });

  test('an unknown email and a wrong password get the same 401 answer', async () => {
    await register({ email: 'carol@example.com', password: 'carols password' });
    const wrong = await login({ email: 'carol@example.com', password: 'not her password' });
    const unknown = await login({ email: 'nobody@example.com', password: 'not her password' });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const strip = (b: unknown) => JSON.stringify(b).replace(/"requestId":"[^"]*"/, '');
    expect(strip(await wrong.json())).toBe(strip(await unknown.json()));
  });

  test('an unknown email costs a password check too, so timing does not tell which emails exist', async () => {
    await register({ email: 'dan@example.com', password: 'dans password' });
    const time = async (email: string): Promise<number> => {
      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        await login({ email, password: 'a wrong password' });
        samples.push(performance.now() - start);
      }
      return samples.sort((a, b) => a - b)[2]!;
    };
    const known = await time('dan@example.com');
    const unknown = await time('nobody-at-all@example.com');
    // Without the dummy hash an unknown email answers in ~1 ms against ~20+ ms for a hash.
    expect(unknown).toBeGreaterThan(known * 0.4);
  });

  test.each([
    ['/authenticate', 'POST'],
    ['/me', 'GET'],
  ])('%s without a token answers 401 missing_token with WWW-Authenticate', async (path, method) => {
    const res = await fetch(`${auth.url}${path}`, { method });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(await res.json()).toMatchObject({ error: { code: 'missing_token' } });
  });
});

describe('bad input answers a clear 4xx JSON error', () => {
  const long = 'p'.repeat(129);
  test.each([
    ['/register', 'a missing email', { password: 'password1' }, 400, 'missing_email'],
    ['/register', 'a missing password', { email: 'e@example.com' }, 400, 'missing_password'],
    ['/register', 'an invalid email', { email: 'not-an-email', password: 'password1' }, 400, 'invalid_email'],
    [
      '/register',
      'an email with spaces',
      { email: 'a b@example.com', password: 'password1' },
      400,
      'invalid_email',
    ],
    [
      '/register',
      'a 7-character password',
      { email: 'e@example.com', password: '1234567' },
      400,
      'password_too_short',
    ],
    [
      '/register',
      'a 129-character password',
      { email: 'e@example.com', password: long },
      400,
      'password_too_long',
    ],
    [
      '/register',
      'a numeric password',
      { email: 'e@example.com', password: 12345678 },
      400,
      'invalid_password',
    ],
    [
      '/register',
      'an empty name',
      { email: 'e@example.com', password: 'password1', name: ' ' },
      400,
      'invalid_name',
    ],
    [
      '/register',
      'an unknown field',
      { email: 'e@example.com', password: 'password1', admin: true },
      400,
      'unknown_field',
    ],
    ['/register', 'an array body', [1, 2], 400, 'invalid_body'],
    [
      '/login',
      'operator injection in the email',
      { email: { $ne: null }, password: 'password1' },
      400,
      'invalid_email',
    ],
    [
      '/login',
      'operator injection in the password',
      { email: 'e@example.com', password: { $gt: '' } },
      400,
      'invalid_password',
    ],
    ['/login', 'a missing password', { email: 'e@example.com' }, 400, 'missing_password'],
    [
      '/login',
      'a 129-character password',
      { email: 'e@example.com', password: long },
      400,
      'password_too_long',
    ],
    ['/login', 'malformed JSON', '{"email": ', 400, 'malformed_json'],
    [
      '/register',
      'a body over 16 KiB',
      { email: 'e@example.com', password: 'password1', name: 'n'.repeat(17 * 1024) },
      413,
      'payload_too_large',
    ],
  ])('%s with %s answers %i %s', async (path, _label, body, status, code) => {
    const res = await postJson(`${auth.url}${path}`, body);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
  });

  test.each([
    ['/register', 'text/plain'],
    ['/login', 'application/x-www-form-urlencoded'],
  ])('%s with Content-Type %s answers 415 unsupported_media_type', async (path, type) => {
    const res = await fetch(`${auth.url}${path}`, {
      method: 'POST',
      body: 'email=a&password=b',
      headers: { 'content-type': type },
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: { code: 'unsupported_media_type' } });
  });

  test.each(['/register', '/login'])('%s without a body answers 400 missing_body', async (path) => {
    const res = await fetch(`${auth.url}${path}`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'missing_body' } });
  });
});

describe('service endpoints', () => {
  test('/readyz is ready while the database answers, and /metrics counts by route', async () => {
    expect(await (await fetch(`${auth.url}/readyz`)).json()).toEqual({
      status: 'ready',
      checks: { database: 'ok' },
    });
    const metrics = await (await fetch(`${auth.url}/metrics`)).text();
    expect(metrics).toMatch(/http_requests_total\{[^}]*route="\/register"/);
  });
});
