import { postJson, startAuth, uniqueDbName } from './support/auth-server.js';

test('passwords and tokens never reach the log, even at debug level and on errors', async () => {
  const auth = await startAuth(uniqueDbName('auth_logs'));
  try {
    const password = 'very-secret-password-0042';
    await postJson(`${auth.url}/register`, { email: 'log@example.com', password });
    const loggedIn = await postJson(`${auth.url}/login`, { email: 'log@example.com', password });
    const { token } = (await loggedIn.json()) as { token: string };
    await postJson(`${auth.url}/login`, { email: 'log@example.com', password });
    await postJson(`${auth.url}/login`, { email: 'log@example.com', password: `${password}-wrong` });
    await postJson(`${auth.url}/authenticate`, '', { authorization: `Bearer ${token}` });
    await postJson(`${auth.url}/authenticate`, '', { authorization: `Bearer ${token}x` });
    await fetch(`${auth.url}/me`, { headers: { authorization: `Bearer ${token}` } });

    const logs = auth.logs();
    expect(logs).toMatch(/user registered/);
    expect(logs).toMatch(/login refused/);
    expect(logs).not.toContain(password);
    expect(logs).not.toContain(token.split('.')[2]);
    expect(logs).not.toContain(token.split('.')[1]);
    expect(logs).not.toMatch(/\$argon2/);
  } finally {
    await auth.close();
  }
});
