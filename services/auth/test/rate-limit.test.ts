import http from 'node:http';
import { TrustedProxies } from '@laas/shared';
import { argon2Hasher, DEFAULT_LIMITS, type PasswordHasher } from '../src/index.js';
import { postJson, startAuth, uniqueDbName, type RunningAuth } from './support/auth-server.js';

// The app trusts loopback proxies (as behind the gateway), so X-Forwarded-For names the client.
const OWNER = 'owner@example.com';
const OWNER_PASSWORD = 'owners password';

describe('login limits slow a guesser without locking out the owner', () => {
  let now = 1_000_000;
  let auth: RunningAuth;
  beforeAll(async () => {
    auth = await startAuth(uniqueDbName('auth_login_limits'), {
      clock: () => now,
      limits: {
        register: { perAddress: 100, windowSeconds: 60 },
        login: {
          perAddress: 8,
          windowSeconds: 60,
          freeFailures: 2,
          backoffMaxSeconds: 60,
          // More than the 3 failures one backed-off address makes in these tests, as the default
          // 50 an hour is more than the ~18 one address can make: one guesser alone never spends it.
          accountFailures: 4,
          accountWindowSeconds: 300,
        },
      },
    });
    for (const email of [OWNER, 'second@example.com', 'third@example.com'])
      await postJson(`${auth.url}/register`, { email, password: OWNER_PASSWORD });
  });
  afterAll(() => auth.close());

  const login = (email: string, client: string, password = 'a wrong password') =>
    postJson(`${auth.url}/login`, { email, password }, { 'x-forwarded-for': client });
  const statuses = async (email: string, client: string, times: number) => {
    const seen: number[] = [];
    for (let i = 0; i < times; i++) seen.push((await login(email, client)).status);
    return seen;
  };

  test('a guesser at one address waits after its free failures, longer after each one, while the owner at another address logs in', async () => {
    now += 600_000;
    // Two free failures, then a 1 s backoff.
    expect(await statuses('second@example.com', '10.0.1.1', 3)).toEqual([401, 401, 429]);
    const waited = await login('second@example.com', '10.0.1.1');
    expect(waited.headers.get('retry-after')).toBe('1');
    expect(await waited.json()).toMatchObject({ error: { code: 'rate_limited' } });
    // After the wait one more guess, then twice as long.
    now += 1_000;
    expect(await statuses('second@example.com', '10.0.1.1', 2)).toEqual([401, 429]);
    expect((await login('second@example.com', '10.0.1.1')).headers.get('retry-after')).toBe('2');
    expect((await login('second@example.com', '10.0.1.2', OWNER_PASSWORD)).status).toBe(200);
  });

  test('many addresses spending the account budget stop new addresses, but not an address the owner logged in from', async () => {
    now += 600_000;
    expect((await login(OWNER, '10.0.2.100', OWNER_PASSWORD)).status).toBe(200);
    // Four failures from four addresses spend the budget of 4 per 300 s.
    for (const guesser of ['10.0.2.1', '10.0.2.2', '10.0.2.3', '10.0.2.4'])
      expect((await login(OWNER, guesser)).status).toBe(401);
    const stopped = await login(OWNER, '10.0.2.5');
    expect(stopped.status).toBe(429);
    // 4 per 300 s: one failure back every 75 s.
    expect(stopped.headers.get('retry-after')).toBe('75');
    expect((await login(OWNER, '10.0.2.100', OWNER_PASSWORD)).status).toBe(200);
  });

  test('one address trying many accounts answers 429 once its budget is spent, and another address is not affected', async () => {
    now += 600_000;
    const seen: number[] = [];
    for (let i = 0; i < 9; i++) seen.push((await login(`victim${i}@example.com`, '10.0.3.1')).status);
    expect(seen).toEqual([...Array<number>(8).fill(401), 429]);
    expect((await login('victim0@example.com', '10.0.3.2')).status).toBe(401);
  });

  test('a successful login after the wait clears the backoff of its address', async () => {
    now += 600_000;
    expect(await statuses('third@example.com', '10.0.4.1', 3)).toEqual([401, 401, 429]);
    now += 1_000;
    expect((await login('third@example.com', '10.0.4.1', OWNER_PASSWORD)).status).toBe(200);
    expect(await statuses('third@example.com', '10.0.4.1', 2)).toEqual([401, 401]);
  });
});

describe('registration is limited per address and its hashing is bounded', () => {
  test('registrations from one address answer 429 with Retry-After once its budget is spent, and another address is not affected', async () => {
    let now = 5_000_000;
    const auth = await startAuth(uniqueDbName('auth_register_limits'), {
      clock: () => now,
      limits: { register: { perAddress: 3, windowSeconds: 3600 } },
    });
    try {
      const register = (i: number, client: string) =>
        postJson(
          `${auth.url}/register`,
          { email: `reg${i}@example.com`, password: 'register password' },
          { 'x-forwarded-for': client },
        );
      const seen: number[] = [];
      for (let i = 0; i < 4; i++) seen.push((await register(i, '10.0.5.1')).status);
      expect(seen).toEqual([202, 202, 202, 429]);
      const refused = await register(9, '10.0.5.1');
      // 3 per hour: one registration back every 1,200 s.
      expect(refused.headers.get('retry-after')).toBe('1200');
      expect(await refused.json()).toMatchObject({ error: { code: 'rate_limited' } });
      expect(await auth.db.collection('users').countDocuments({ email: 'reg9@example.com' })).toBe(0);
      expect((await register(10, '10.0.5.2')).status).toBe(202);
      now += 1_200_000;
      expect((await register(11, '10.0.5.1')).status).toBe(202);
    } finally {
      await auth.close();
    }
  });

  test('a burst beyond the hashing queue answers 429 server_busy with Retry-After, and no more hashes than allowed run at once', async () => {
    // The real argon2id, watched: how many hashes are running at the same moment.
    const real = argon2Hasher({ memoryCost: 8_192, timeCost: 2 });
    let running = 0;
    let mostRunning = 0;
    const watched: PasswordHasher = {
      hash: async (password) => {
        mostRunning = Math.max(mostRunning, ++running);
        try {
          return await real.hash(password);
        } finally {
          running--;
        }
      },
      verify: (hash, password) => real.verify(hash, password),
    };
    const auth = await startAuth(uniqueDbName('auth_hash_queue'), {
      hasher: watched,
      limits: {
        register: { perAddress: 0, windowSeconds: 60 },
        hashing: { concurrency: 1, maxWaiting: 2 },
      },
    });
    try {
      const burst = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          postJson(`${auth.url}/register`, { email: `burst${i}@example.com`, password: 'burst password' }),
        ),
      );
      const answers = await Promise.all(
        burst.map(async (res) => ({
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          code: res.status === 429 ? ((await res.json()) as { error: { code: string } }).error.code : null,
        })),
      );
      const accepted = answers.filter((a) => a.status === 202);
      const busy = answers.filter((a) => a.status === 429);
      // One running and two waiting is at least 3 accepted; the rest arrive while the queue is full.
      expect(accepted.length).toBeGreaterThanOrEqual(3);
      expect(busy.length).toBeGreaterThan(0);
      expect(accepted.length + busy.length).toBe(12);
      expect(busy.every((a) => a.code === 'server_busy' && a.retryAfter === '1')).toBe(true);
      expect(mostRunning).toBe(1);
      expect(await auth.db.collection('users').countDocuments({})).toBe(accepted.length);
    } finally {
      await auth.close();
    }
  });
});

test('with no limits configured, the 11th registration from one address within an hour answers 429', async () => {
  const auth = await startAuth(uniqueDbName('auth_default_limits'));
  try {
    const seen: number[] = [];
    for (let i = 0; i < DEFAULT_LIMITS.register.perAddress + 1; i++) {
      const res = await postJson(`${auth.url}/register`, {
        email: `d${i}@example.com`,
        password: 'default password',
      });
      seen.push(res.status);
    }
    expect(seen).toEqual([...Array<number>(10).fill(202), 429]);
  } finally {
    await auth.close();
  }
});

describe('TRUST_PROXY decides whose X-Forwarded-For names the client', () => {
  // 127.0.0.2 plays the trusted proxy (the ingress), 127.0.0.1 an untrusted peer: both are
  // loopback addresses this machine can connect from.
  let auth: RunningAuth;
  beforeAll(async () => {
    auth = await startAuth(uniqueDbName('auth_trust_proxy'), {
      trustedProxies: TrustedProxies.parse('127.0.0.2/32'),
      limits: { login: { ...DEFAULT_LIMITS.login, perAddress: 2 } },
    });
  });
  afterAll(() => auth.close());

  /** A login attempt sent from `from`, claiming to be `client`. */
  const loginFrom = (from: string, client: string): Promise<number> =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ email: 'nobody@example.com', password: 'a wrong password' });
      const req = http.request(
        `${auth.url}/login`,
        {
          method: 'POST',
          localAddress: from,
          headers: { 'content-type': 'application/json', 'x-forwarded-for': client, connection: 'close' },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(body);
    });

  test('two clients behind a trusted proxy get separate budgets', async () => {
    const first = [await loginFrom('127.0.0.2', '203.0.113.1'), await loginFrom('127.0.0.2', '203.0.113.1')];
    const second = [await loginFrom('127.0.0.2', '203.0.113.2'), await loginFrom('127.0.0.2', '203.0.113.2')];
    expect([...first, ...second]).toEqual([401, 401, 401, 401]);
    expect(await loginFrom('127.0.0.2', '203.0.113.1')).toBe(429);
  });

  test('an untrusted peer`s X-Forwarded-For is ignored: every claimed client shares the peer`s budget', async () => {
    const seen = [
      await loginFrom('127.0.0.1', '203.0.113.11'),
      await loginFrom('127.0.0.1', '203.0.113.12'),
      await loginFrom('127.0.0.1', '203.0.113.13'),
    ];
    expect(seen).toEqual([401, 401, 429]);
  });
});
