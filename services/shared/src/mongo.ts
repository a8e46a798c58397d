import { MongoClient, type Db } from 'mongodb';
import type { ReadinessCheck } from './health.js';

export interface Database {
  client: MongoClient;
  db: Db;
  readiness: ReadinessCheck;
  close(): Promise<void>;
}

/**
 * A driver client that fails fast and heals by itself. `connect()` is not awaited at boot: a
 * service starts while its database is down, answers 503 for what needs it, and resumes once a
 * connect succeeds (retried every second) and the driver's monitor finds the server. A 2 s server-selection timeout bounds how long a
 * request waits on a dead database (the driver's default of 30 s would hold every request).
 */
export function openDatabase(
  url: string,
  dbName: string,
  options: { selectionTimeoutMs?: number } = {},
): Database {
  const client = new MongoClient(url, {
    serverSelectionTimeoutMS: options.selectionTimeoutMs ?? 2000,
    connectTimeoutMS: 2000,
    heartbeatFrequencyMS: 2000,
    maxPoolSize: 50,
  });
  // A client whose first connect fails stays closed for good (driver 6.x: every later operation
  // fails with "Topology is closed", even once the server is back), so keep trying until one
  // connect succeeds. Until then requests answer 503 and readiness reports it.
  let closing = false;
  const connect = (): void => {
    client.connect().catch(() => {
      if (!closing) setTimeout(connect, 1000).unref();
    });
  };
  connect();
  const db = client.db(dbName);
  return {
    client,
    db,
    readiness: {
      name: 'database',
      check: async () => {
        await db.command({ ping: 1 });
      },
    },
    close: () => {
      closing = true;
      return client.close();
    },
  };
}

/**
 * Whether a write failed on a unique index (E11000): the error of a single insert carries the
 * code itself; an ordered insertMany's bulk error carries it on its first write error.
 */
export function isDuplicateKey(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  if ((err as { code?: unknown }).code === 11000) return true;
  const writeErrors = (err as { writeErrors?: unknown }).writeErrors;
  const first: unknown = Array.isArray(writeErrors) ? writeErrors[0] : writeErrors;
  return typeof first === 'object' && first !== null && (first as { code?: unknown }).code === 11000;
}
