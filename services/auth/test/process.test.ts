import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, testMongoUrl } from '@laas/testbed';
import { TEST_SECRET, uniqueDbName } from './support/auth-server.js';

const mainJs = (): string => {
  const path = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first (npm test does)`);
  return path;
};

function start(env: Record<string, string>): {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
} {
  let output = '';
  const child = spawn(process.execPath, [mainJs()], {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOST: '127.0.0.1',
      MONGO_URL: testMongoUrl(),
      MONGO_DB: uniqueDbName('auth_proc'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitReady(url: string, output: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (
    !(await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`auth did not become ready:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the auth process', () => {
  test.each([
    ['no JWT_SECRET', {}, /JWT_SECRET \(or JWT_SECRET_FILE\) is required/],
    ['a JWT_SECRET under 32 bytes', { JWT_SECRET: 'short' }, /at least 32 bytes/],
    [
      'an unreadable JWT_SECRET_FILE',
      { JWT_SECRET_FILE: '/nonexistent/secret' },
      /JWT_SECRET_FILE cannot be read/,
    ],
    ['a TOKEN_TTL of 0', { JWT_SECRET: TEST_SECRET, TOKEN_TTL: '0' }, /TOKEN_TTL must be >= 60/],
  ])('refuses to start with %s (exit 78), naming the problem', async (_label, env, message) => {
    const started = start(env);
    expect(await started.exited).toBe(78);
    expect(started.output()).toMatch(message);
  });

  test('AUTH_DEV_MODE=true generates a secret, says so in its log, and serves', async () => {
    const port = String(await freePort());
    const started = start({ AUTH_DEV_MODE: 'true', PORT: port });
    try {
      await waitReady(`http://127.0.0.1:${port}`, started.output);
      expect(started.output()).toMatch(/AUTH_DEV_MODE=true and no JWT_SECRET: signing with a random secret/);
      expect(started.output()).toMatch(/"source":"generated"/);
    } finally {
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    }
  });

  test('with JWT_SECRET_FILE it registers and logs in, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-secret-'));
    writeFileSync(join(dir, 'secret'), `${TEST_SECRET}\n`);
    const port = String(await freePort());
    const url = `http://127.0.0.1:${port}`;
    const started = start({ JWT_SECRET_FILE: join(dir, 'secret'), PORT: port });
    try {
      await waitReady(url, started.output);
      expect(started.output()).toMatch(/"source":"JWT_SECRET_FILE"/);
      const post = (path: string, body: unknown) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
      // The unique index is created in the background at boot: wait for it before relying on it.
      expect(
        (await post('/register', { email: 'proc@example.com', password: 'process-password' })).status,
      ).toBe(202);
      expect((await post('/login', { email: 'proc@example.com', password: 'process-password' })).status).toBe(
        200,
      );
    } finally {
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    }
    expect(started.output()).toMatch(/"msg":"stopped"/);
  });
});
