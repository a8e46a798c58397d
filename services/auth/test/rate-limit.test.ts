import { postJson, startAuth, uniqueDbName, type RunningAuth } from './support/auth-server.js';

let now = 1_000_000;
let auth: RunningAuth;
beforeAll(async () => {
  auth = await startAuth(uniqueDbName('auth_limits'), {
    clock: () => now,
    loginLimits: { perAddress: 4, perEmail: 2, windowSeconds: 60 },
  });
  await postJson(`${auth.url}/register`, { email: 'eve@example.com', password: 'eves password' });
});
afterAll(() => auth.close());

// The app trusts loopback proxies (as behind the gateway), so X-Forwarded-For names the client.
const login = (email: string, client: string, password = 'a wrong password') =>
  postJson(`${auth.url}/login`, { email, password }, { 'x-forwarded-for': client });

test('one email tried too often answers 429 with Retry-After, from any address, until the window refills', async () => {
  expect((await login('target@example.com', '10.0.0.1')).status).toBe(401);
  expect((await login('target@example.com', '10.0.0.2')).status).toBe(401);
  const limited = await login('target@example.com', '10.0.0.3');
  expect(limited.status).toBe(429);
  // 2 per 60 s: one attempt back every 30 s.
  expect(limited.headers.get('retry-after')).toBe('30');
  expect(await limited.json()).toMatchObject({ error: { code: 'rate_limited' } });
  now += 30_000;
  expect((await login('target@example.com', '10.0.0.4')).status).toBe(401);
});

test('one address trying many emails answers 429 once its budget is spent', async () => {
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await login(`victim${i}@example.com`, '10.9.9.9')).status);
  expect(statuses).toEqual([401, 401, 401, 401, 429]);
  // Another address is not affected.
  expect((await login('victim0@example.com', '10.9.9.10')).status).toBe(401);
});

test('a successful login resets the email budget', async () => {
  expect((await login('eve@example.com', '10.1.1.1')).status).toBe(401);
  expect((await login('eve@example.com', '10.1.1.2', 'eves password')).status).toBe(200);
  expect((await login('eve@example.com', '10.1.1.3')).status).toBe(401);
});
