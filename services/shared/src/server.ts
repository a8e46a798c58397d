import cluster from 'node:cluster';
import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Express } from 'express';
import type { Readiness } from './health.js';
import type { Logger } from './logger.js';
import { serveClusterMetrics } from './cluster.js';
import { answerWorkerReadiness, serveClusterReadiness, type CountedWorker } from './cluster-readiness.js';
import { ConfigError, type ConfigOf, type serverLimitSettings } from './config.js';
import { hasBody } from './http.js';

/** What a service builds: its request handler, its readiness, and how to release what it holds. */
export interface ServiceInstance {
  /** An Express app, or any request listener (the gateway's pipeline, with Express behind it). */
  app: Express | RequestListener;
  /** Serves /metrics on RunOptions.metricsPort, when the service keeps them off its main port. */
  metricsApp?: Express | RequestListener;
  readiness: Readiness;
  close(): Promise<void>;
}

export interface RunOptions {
  name: string;
  port: number;
  host: string;
  logger: Logger;
  shutdownGraceMs: number;
  webConcurrency: number;
  /** A second listener for instance.metricsApp (same host); unset: no second listener. */
  metricsPort?: number;
  /** What one client may hold of the listener (serverLimits(config)). */
  limits: ServerLimits;
  create(): ServiceInstance | Promise<ServiceInstance>;
}

export type ServerLimits = ConfigOf<typeof serverLimitSettings>;

/** The listener limits of a loaded config, checked against each other. */
export function serverLimits(config: ServerLimits): ServerLimits {
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs, maxHeaderBytes, maxConnections } = config;
  const { bodyTimeoutMs, bodyMinRate, maxConnectionsPerClient } = config;
  // Such a headers timeout could never fire (the request timeout covers the headers too), and
  // Node starts anyway without a word: refused here, at boot.
  if (headersTimeoutMs > requestTimeoutMs)
    throw new ConfigError([
      `HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed REQUEST_TIMEOUT_MS (${requestTimeoutMs}): the request timeout covers the headers too`,
    ]);
  return {
    headersTimeoutMs,
    bodyTimeoutMs,
    bodyMinRate,
    requestTimeoutMs,
    keepAliveTimeoutMs,
    maxHeaderBytes,
    maxConnections,
    maxConnectionsPerClient,
  };
}

/**
 * How long a request body may take once `received` bytes of it have arrived: BODY_TIMEOUT_MS,
 * and one second more per BODY_MIN_RATE bytes (Apache's mod_reqtimeout rule). With the defaults
 * (10 s, 1024 B/s) a 16 KiB body has 26 s, under the 30 s REQUEST_TIMEOUT_MS that caps it anyway,
 * while a client trickling one byte a second is cut after ten.
 */
export function bodyAllowanceMs(
  received: number,
  limits: Pick<ServerLimits, 'bodyTimeoutMs' | 'bodyMinRate'>,
): number {
  return limits.bodyTimeoutMs + (received * 1000) / limits.bodyMinRate;
}

/** How often the timeouts are checked: Node's default of 30 s would let a 10 s limit run to 40 s. */
const checkEveryMs = (limits: ServerLimits): number =>
  Math.max(25, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.bodyTimeoutMs) / 4)));

/**
 * An HTTP server that bounds what slow and greedy clients can hold: the headers within
 * HEADERS_TIMEOUT_MS, the whole request within REQUEST_TIMEOUT_MS (both Node's own, answered
 * 408 by Node), the body at the rate of bodyAllowanceMs (408 `request_timeout`), idle keep-alive
 * connections closed after KEEP_ALIVE_TIMEOUT_MS, headers over MAX_HEADER_BYTES refused (431 by
 * Node), and at most MAX_CONNECTIONS open connections, MAX_CONNECTIONS_PER_CLIENT of them from
 * one address (the TCP peer: behind a proxy, the proxy).
 */
export function createHttpServer(handler: RequestListener, limits: ServerLimits): http.Server {
  const tick = checkEveryMs(limits);
  const server = http.createServer(
    { maxHeaderSize: limits.maxHeaderBytes, connectionsCheckingInterval: tick },
    handler,
  );
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections;
  if (limits.maxConnectionsPerClient > 0) limitConnectionsPerClient(server, limits.maxConnectionsPerClient);
  watchBodies(server, limits, tick);
  return server;
}

function limitConnectionsPerClient(server: http.Server, limit: number): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    const count = open.get(address) ?? 0;
    if (count >= limit) {
      // Closed before a byte is read: the client sees a reset, as from a full server (maxConnections).
      socket.destroy();
      return;
    }
    open.set(address, count + 1);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left === 0) open.delete(address);
      else open.set(address, left);
    });
  });
}

interface BodyInProgress {
  req: IncomingMessage;
  res: ServerResponse;
  start: number;
  bytesAtStart: number;
}

/** Cuts a request whose body arrives slower than bodyAllowanceMs allows, with a 408. */
function watchBodies(server: http.Server, limits: ServerLimits, tick: number): void {
  const watched = new Set<BodyInProgress>();
  let timer: NodeJS.Timeout | null = null;
  const check = (): void => {
    const now = performance.now();
    for (const body of watched) {
      const { req, res } = body;
      if (req.complete || req.socket.destroyed) {
        watched.delete(body);
        continue;
      }
      // The socket's count includes what Node has read but the app has not consumed yet.
      const received = req.socket.bytesRead - body.bytesAtStart;
      if (now - body.start <= bodyAllowanceMs(received, limits)) continue;
      watched.delete(body);
      cutSlowBody(req, res, received);
    }
    if (watched.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.complete || !hasBody(req.headers)) return;
    watched.add({ req, res, start: performance.now(), bytesAtStart: req.socket.bytesRead });
    if (timer === null) {
      timer = setInterval(check, tick);
      timer.unref();
    }
  });
  server.on('close', () => {
    if (timer !== null) clearInterval(timer);
    watched.clear();
  });
}

function cutSlowBody(req: IncomingMessage, res: ServerResponse, received: number): void {
  const socket = req.socket;
  if (res.headersSent) {
    socket.destroy();
    return;
  }
  const body = JSON.stringify({
    error: {
      code: 'request_timeout',
      message: `the request body arrived too slowly (${received} bytes in the time allowed); send it faster`,
    },
  });
  res.writeHead(408, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
  });
  res.end(body, () => socket.destroy());
  // A peer that does not read the answer either is not waited for.
  setTimeout(() => socket.destroy(), 1000).unref();
}

/**
 * Starts a service: one process, or a primary with `webConcurrency` workers sharing the port.
 * Either way SIGTERM drains: readiness goes false, the listener closes, in-flight requests
 * finish (up to `shutdownGraceMs`), the database closes, and the process exits 0.
 */
export async function runService(options: RunOptions): Promise<void> {
  if (options.webConcurrency > 1 && cluster.isPrimary) {
    runPrimary(options);
    return;
  }
  await runWorker(options);
}

/**
 * Set by the primary on a worker that replaces a dead one while others serve: it listens only
 * once ready, so the primary never hands it a connection it would answer 503 (the images
 * catalog takes a while to load). Workers started at boot listen at once, so liveness answers
 * while they load, and the pod's readiness waits for all of them.
 */
const LISTEN_WHEN_READY = 'LAAS_LISTEN_WHEN_READY';
const READY_POLL_MS = 200;

async function runWorker(options: RunOptions): Promise<void> {
  const { logger } = options;
  const instance = await options.create();
  if (cluster.isWorker) answerWorkerReadiness(instance.readiness);
  if (process.env[LISTEN_WHEN_READY] === '1') {
    logger.info({ pid: process.pid }, 'replacing a worker: taking connections once ready');
    while (!(await instance.readiness.evaluate()).ready)
      await new Promise((r) => setTimeout(r, READY_POLL_MS));
  }
  // KEEP_ALIVE_TIMEOUT_MS defaults to 65 s, longer than the proxies' upstream keep-alive (nginx:
  // 60 s), so the proxy, not Node, closes idle connections; otherwise a request can race a socket
  // Node is closing.
  const server = createHttpServer(instance.app, options.limits);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  logger.info({ port, pid: process.pid }, `${options.name} listening`);
  const metricsServer =
    instance.metricsApp !== undefined && options.metricsPort !== undefined
      ? createHttpServer(instance.metricsApp, options.limits)
      : null;
  if (metricsServer !== null) {
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('error', reject);
      metricsServer.listen(options.metricsPort, options.host, () => resolve());
    });
    const { port: metricsPort } = metricsServer.address() as AddressInfo;
    logger.info({ port: metricsPort }, `${options.name} serving /metrics`);
  }

  let stopping = false;
  const stop = async (signal: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceMs: options.shutdownGraceMs }, 'draining');
    instance.readiness.startDraining();
    const forceClose = setTimeout(() => {
      logger.warn('grace period over: closing the connections still open');
      server.closeAllConnections();
    }, options.shutdownGraceMs);
    forceClose.unref();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // close() ends only the connections idle right now; a keep-alive connection whose request
    // was already running becomes idle later and would otherwise wait out keepAliveTimeout.
    server.closeIdleConnections();
    const reapIdle = setInterval(() => server.closeIdleConnections(), 50);
    await closed;
    clearInterval(reapIdle);
    clearTimeout(forceClose);
    // Scrapes keep being answered through the drain, so its last requests are counted.
    metricsServer?.closeAllConnections();
    metricsServer?.close();
    await instance.close().catch((err: unknown) => logger.warn({ err }, 'error while closing resources'));
    logger.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** Restart delay after a worker dies: doubles per crash within a minute, 100 ms up to 10 s. */
export function restartDelayMs(recentCrashes: number): number {
  return Math.min(10_000, 100 * 2 ** Math.max(0, recentCrashes - 1));
}

function runPrimary(options: RunOptions): void {
  const { logger } = options;
  serveClusterMetrics();
  // Worker id -> whether it waits until ready to listen, and whether it listens yet.
  const roster = new Map<number, CountedWorker & { whenReady: boolean }>();
  // A replacement waiting to be ready is not counted: the others serve meanwhile.
  serveClusterReadiness(() => [...roster.values()].filter((w) => w.listening || !w.whenReady));
  cluster.on('listening', (worker) => {
    const member = roster.get(worker.id);
    if (member) member.listening = true;
  });
  let stopping = false;
  const crashes: number[] = [];
  const fork = (whenReady: boolean): void => {
    const worker = cluster.fork(whenReady ? { [LISTEN_WHEN_READY]: '1' } : {});
    roster.set(worker.id, { worker, whenReady, listening: false });
  };
  for (let i = 0; i < options.webConcurrency; i++) fork(false);
  logger.info({ workers: options.webConcurrency, pid: process.pid }, `${options.name} primary started`);

  cluster.on('exit', (worker, code, signal) => {
    roster.delete(worker.id);
    if (stopping) return;
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && now - crashes[0]! > 60_000) crashes.shift();
    const delay = restartDelayMs(crashes.length);
    logger.error({ pid: worker.process.pid, code, signal, restartInMs: delay }, 'worker died; restarting');
    // With no worker left listening, nothing else answers liveness: the replacement listens at once.
    setTimeout(() => fork([...roster.values()].some((w) => w.listening)), delay);
  });

  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    const workers = Object.values(cluster.workers ?? {});
    for (const w of workers) w?.process.kill('SIGTERM');
    const deadline = setTimeout(() => {
      logger.warn('workers did not stop within the grace period');
      process.exit(1);
    }, options.shutdownGraceMs + 2000);
    deadline.unref();
    const check = setInterval(() => {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        clearInterval(check);
        logger.info('stopped');
        process.exit(0);
      }
    }, 50);
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
}

/** EX_CONFIG from sysexits.h: the exit code of a process refused by its configuration. */
export const EXIT_CONFIG = 78;

/**
 * A service's entry point: runs `main`, and turns a ConfigError into its message on stderr and
 * exit code 78, so a bad variable stops the pod with a readable reason instead of a stack trace.
 */
export async function runMain(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${name}: ${err.message}\n`);
    process.exit(EXIT_CONFIG);
  }
}

/**
 * Runs `task` until it succeeds, every `intervalMs`, without holding the process open. For
 * start-up work against a database that may be down at boot (creating indexes): the service
 * starts anyway and answers 503 until the database is back.
 */
export function retryInBackground(task: () => Promise<unknown>, intervalMs = 2000): void {
  const attempt = (): void => {
    task().catch(() => setTimeout(attempt, intervalMs).unref());
  };
  attempt();
}
