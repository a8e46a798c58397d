import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { freePort } from './ports.js';
import { makeTempDir, removeTempDir, retryOnPortClash, spawnServer, waitUntilReady } from './processes.js';
import type { Supervision } from './processes.js';
import { toolPath } from './tool-paths.js';

export interface MongoServer {
  /** `mongodb://127.0.0.1:PORT/` — add the database name yourself. */
  url: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface StartMongoOptions extends Supervision {
  /** FerretDB log level (debug, info, warn, error). Default warn. */
  logLevel?: string;
  timeoutMs?: number;
}

/**
 * Starts FerretDB (MongoDB wire protocol, SQLite backend) on a free loopback port with a
 * fresh data folder. Ready once a driver `ping` succeeds.
 */
export async function startMongo(options: StartMongoOptions = {}): Promise<MongoServer> {
  const binary = toolPath('ferretdb');
  return retryOnPortClash(async () => {
    const dir = makeTempDir('ferretdb');
    const dataDir = join(dir, 'data');
    const port = await freePort();
    const server = spawnServer({
      name: 'ferretdb',
      command: binary,
      args: [
        `--listen-addr=127.0.0.1:${port}`,
        `--data-dir=${dataDir}`,
        `--log-level=${options.logLevel ?? 'warn'}`,
      ],
      logPath: join(dir, 'ferretdb.log'),
      joinCgroups: options.joinCgroups,
      ref: options.ref,
    });
    const stop = async (): Promise<void> => {
      await server.stop();
      removeTempDir(dir);
    };
    const url = `mongodb://127.0.0.1:${port}/`;
    try {
      await waitUntilReady(server, () => ping(url), `FerretDB to answer a ping on ${url}`, options.timeoutMs);
    } catch (error) {
      await stop();
      throw error;
    }
    return { url, port, dataDir, stop };
  });
}

async function ping(url: string): Promise<boolean> {
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 1_000, connectTimeoutMS: 1_000 });
  try {
    await client.connect();
    const reply = await client.db('admin').command({ ping: 1 });
    return reply.ok === 1;
  } finally {
    await client.close(true);
  }
}
