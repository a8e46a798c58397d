import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Db, MongoClient } from 'mongodb';
import { testMongoUrl } from '@laas/testbed';
import { createLogger, openDatabase } from '@laas/shared';
import { createImagesApp, type ImagesApp, type ImagesAppOptions } from '../../src/index.js';

/** The test bed's, re-exported for this service's tests. */
export { testMongoUrl };

export interface RunningImages extends ImagesApp {
  url: string;
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

/**
 * The images app in-process on a loopback port, on its own database of the test FerretDB, with
 * its catalog started (the first load tried) as main.ts starts it.
 */
export async function startImages(
  dbName: string,
  options: Partial<Omit<ImagesAppOptions, 'db' | 'logger'>> & { mongoUrl?: string } = {},
): Promise<RunningImages> {
  // The service's own connection (shared/mongo.ts), with its retries, as main.ts opens it.
  const { client, db, close } = openDatabase(options.mongoUrl ?? testMongoUrl(), dbName, {
    selectionTimeoutMs: 1500,
  });
  const images = createImagesApp({ ...options, db, logger: createLogger('images-test', 'silent') });
  await images.catalog.ensureIndexes().catch(() => undefined);
  await images.catalog.start();
  const server = http.createServer(images.handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ...images,
    client,
    db,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await images.catalog.stop();
      await close();
    },
  };
}

export const uniqueDbName = (prefix: string): string => `${prefix}_${process.pid}_${Date.now().toString(36)}`;

/** Polls `check` every 50 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting until ${what}`);
}
