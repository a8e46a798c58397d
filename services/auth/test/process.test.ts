import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, testMongoUrl } from '@laas/testbed';
import { TEST_PRIVATE_PEM, uniqueDbName } from './support/auth-server.js';

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
  const dir = mkdtempSync(join(tmpdir(), 'auth-keys-'));
  const file = (name: string, text: string): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const keyFile = file('signing-key.pem', TEST_PRIVATE_PEM);
  const publicFile = file(
    'public.pem',
    createPublicKey(TEST_PRIVATE_PEM).export({ type: 'spki', format: 'pem' }).toString(),
  );
  const rsaFile = file(
    'rsa.pem',
    generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
  );
  test.each([
    [
      'no JWT_PRIVATE_KEY_FILE',
      {},
      /JWT_PRIVATE_KEY_FILE \(an Ed25519 private key, PKCS#8 PEM\) is required/,
    ],
    [
      'an unreadable key file',
      { JWT_PRIVATE_KEY_FILE: '/nonexistent/key' },
      /JWT_PRIVATE_KEY_FILE cannot be read/,
    ],
    [
      'a file that is not a key',
      { JWT_PRIVATE_KEY_FILE: file('junk.pem', 'junk') },
      /JWT_PRIVATE_KEY_FILE is not a PEM key/,
    ],
    ['an RSA key', { JWT_PRIVATE_KEY_FILE: rsaFile }, /must be an Ed25519 key \(PKCS#8 PEM\), got rsa/],
    ['a public key to sign with', { JWT_PRIVATE_KEY_FILE: publicFile }, /holds a public key/],
    ['a TOKEN_TTL of 0', { JWT_PRIVATE_KEY_FILE: keyFile, TOKEN_TTL: '0' }, /TOKEN_TTL must be >= 60/],
    [
      'a TOKEN_TTL over an hour',
      { JWT_PRIVATE_KEY_FILE: keyFile, TOKEN_TTL: '3601' },
      /TOKEN_TTL must be <= 3600/,
    ],
    [
      'a bad TRUST_PROXY',
      { JWT_PRIVATE_KEY_FILE: keyFile, TRUST_PROXY: '10.0.0.0/33' },
      /TRUST_PROXY "10.0.0.0\/33": the prefix length must be 0..32/,
    ],
  ])('refuses to start with %s (exit 78), naming the problem', async (_label, env, message) => {
    const started = start(env);
    expect(await started.exited).toBe(78);
    expect(started.output()).toMatch(message);
  });

  test('AUTH_DEV_MODE=true generates a key, says so in its log, and serves', async () => {
    const port = String(await freePort());
    const started = start({ AUTH_DEV_MODE: 'true', PORT: port });
    try {
      await waitReady(`http://127.0.0.1:${port}`, started.output);
      expect(started.output()).toMatch(
        /AUTH_DEV_MODE=true and no JWT_PRIVATE_KEY_FILE: signing with a key generated at boot/,
      );
      expect(started.output()).toMatch(/"source":"generated"/);
    } finally {
      started.child.kill('SIGTERM');
      expect(await started.exited).toBe(0);
    }
  });

  test('with JWT_PRIVATE_KEY_FILE it registers and logs in, and stops cleanly on SIGTERM', async () => {
    const port = String(await freePort());
    const url = `http://127.0.0.1:${port}`;
    const started = start({ JWT_PRIVATE_KEY_FILE: keyFile, PORT: port });
    try {
      await waitReady(url, started.output);
      expect(started.output()).toMatch(/"source":"JWT_PRIVATE_KEY_FILE"/);
      const post = (path: string, body: unknown) =>
        fetch(`${url}${path}`, {
          method: 'POST',
          body: JSON.stringify(body),
          headers: { 'content-type': 'application/json' },
        });
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
