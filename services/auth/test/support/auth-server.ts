import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { MongoClient, type Db } from 'mongodb';
import { createLogger } from '@laas/shared';
import { testMongoUrl } from '@laas/testbed';
import {
  argon2Hasher,
  createAuthApp,
  generateSigningKey,
  signingKeys,
  type AuthApp,
  type AuthAppOptions,
} from '../../src/index.js';

/** One Ed25519 key per test file, as auth would read it from JWT_PRIVATE_KEY_FILE. */
export const TEST_PRIVATE_KEY = generateSigningKey();
export const TEST_PRIVATE_PEM = TEST_PRIVATE_KEY.export({ type: 'pkcs8', format: 'pem' }).toString();
export const testKeys = signingKeys(TEST_PRIVATE_KEY);

export interface RunningAuth extends AuthApp {
  url: string;
  db: Db;
  /** Every log line written so far (the logger writes at debug level). */
  logs(): string;
  close(): Promise<void>;
}

export const uniqueDbName = (prefix: string): string => `${prefix}_${process.pid}_${Date.now().toString(36)}`;

/** A cheaper argon2id for tests (still argon2id, still a real hash). */
export const testHasher = argon2Hasher({ memoryCost: 8_192, timeCost: 2 });

/** The auth app in-process on a loopback port, on its own database of the test FerretDB. */
export async function startAuth(
  dbName: string,
  options: Partial<Omit<AuthAppOptions, 'db' | 'logger' | 'databaseCheck'>> = {},
): Promise<RunningAuth> {
  const client = new MongoClient(testMongoUrl(), { serverSelectionTimeoutMS: 1500 });
  client.connect().catch(() => undefined);
  const db = client.db(dbName);
  let logs = '';
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logs += chunk.toString();
      callback();
    },
  });
  const auth = createAuthApp({
    signingKeys: testKeys,
    hasher: testHasher,
    ...options,
    db,
    logger: createLogger('auth-test', 'debug', sink),
    databaseCheck: { name: 'database', check: async () => void (await db.command({ ping: 1 })) },
  });
  await auth.users.ensureIndexes();
  const server = http.createServer(auth.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...auth,
    db,
    url: `http://127.0.0.1:${port}`,
    logs: () => logs,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await client.close();
    },
  };
}

export const postJson = (
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> =>
  fetch(url, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });
