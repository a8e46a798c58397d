import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MongoClient, type Db } from 'mongodb';
import { createLogger } from '@laas/shared';
import { testMongoUrl } from '@laas/testbed';
import { createImagesApp, type ImagesApp, type ImagesAppOptions } from '../../src/index.js';

/** The test bed's, re-exported for this service's tests. */
export { testMongoUrl };

export interface RunningImages extends ImagesApp {
  url: string;
  client: MongoClient;
  db: Db;
  close(): Promise<void>;
}

/** The images app in-process on a loopback port, on its own database of the test FerretDB. */
export async function startImages(
  dbName: string,
  options: Partial<Omit<ImagesAppOptions, 'db' | 'logger' | 'databaseCheck'>> & { mongoUrl?: string } = {},
): Promise<RunningImages> {
  const client = new MongoClient(options.mongoUrl ?? testMongoUrl(), {
    serverSelectionTimeoutMS: 1500,
    heartbeatFrequencyMS: 500,
  });
  client.connect().catch(() => undefined);
  const db = client.db(dbName);
  const images = createImagesApp({
    idSpaceTtlMs: 0,
    ...options,
    db,
    logger: createLogger('images-test', 'silent'),
    databaseCheck: { name: 'database', check: async () => void (await db.command({ ping: 1 })) },
  });
  await images.catalog.ensureIndexes().catch(() => undefined);
  const server = http.createServer(images.app);
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
      await client.close();
    },
  };
}

export const uniqueDbName = (prefix: string): string => `${prefix}_${process.pid}_${Date.now().toString(36)}`;
