import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import {
  Readiness,
  baseApp,
  bodyAllowanceMs,
  createHttpMetrics,
  createHttpServer,
  createLogger,
  finishApp,
  jsonBody,
  type ServerLimits,
} from '../src/index.js';

describe('bodyAllowanceMs: the body timeout, one second more per BODY_MIN_RATE bytes received', () => {
  test.each([
    ['nothing received yet', 10_000, 0],
    ['1024 bytes received', 11_000, 1024],
    ['a whole 16 KiB body received', 26_000, 16_384],
    ['200 bytes received (a client trickling 20 bytes a second for 10 s)', 10_195.3125, 200],
  ])('with 10 s and 1024 B/s, %s allows %d ms', (_label, allowed, received) => {
    expect(bodyAllowanceMs(received, { bodyTimeoutMs: 10_000, bodyMinRate: 1024 })).toBeCloseTo(allowed, 3);
  });
});

/** A service's listener as runService builds it: an Express app of this kit reading JSON bodies. */
const LIMITS: ServerLimits = {
  headersTimeoutMs: 500,
  bodyTimeoutMs: 500,
  bodyMinRate: 1024,
  requestTimeoutMs: 3000,
  keepAliveTimeoutMs: 5000,
  maxHeaderBytes: 4096,
  maxConnections: 100,
  maxConnectionsPerClient: 0,
};

let server: http.Server;
let port: number;

beforeAll(async () => {
  const logger = createLogger('test', 'silent');
  const app = baseApp({ logger, readiness: new Readiness([]), metrics: createHttpMetrics('limits-test') });
  app.post('/echo', ...jsonBody(), (req, res) => {
    res.json({ got: req.body as unknown });
  });
  app.get('/fast', (_req, res) => {
    res.json({ ok: true });
  });
  finishApp(app, logger);
  server = createHttpServer(app, LIMITS);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  ({ port } = server.address() as AddressInfo);
  await (await fetch(`http://127.0.0.1:${port}/fast`)).arrayBuffer();
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

test('a service cuts a client trickling its JSON body with 408 request_timeout, and answers a polite client within 300 ms meanwhile', async () => {
  const opened = performance.now();
  let received = '';
  const socket = net.connect({ host: '127.0.0.1', port });
  socket.on('data', (c: Buffer) => (received += c.toString()));
  const closed = new Promise<number>((resolve) =>
    socket.once('close', () => resolve(performance.now() - opened)),
  );
  socket.write(
    'POST /echo HTTP/1.1\r\nHost: svc\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n',
  );
  const trickle = setInterval(() => !socket.destroyed && socket.write(' '), 50);
  const polite: number[] = [];
  let done = false;
  void closed.then(() => (done = true));
  while (!done) {
    const start = performance.now();
    const res = await fetch(`http://127.0.0.1:${port}/fast`);
    await res.arrayBuffer();
    expect(res.status).toBe(200);
    polite.push(performance.now() - start);
    await new Promise((r) => setTimeout(r, 20));
  }
  clearInterval(trickle);
  const ms = await closed;
  expect(ms).toBeGreaterThanOrEqual(450);
  expect(ms).toBeLessThan(1000);
  expect(received).toMatch(/^HTTP\/1\.1 408 /);
  expect(received).toContain('"code":"request_timeout"');
  expect(polite.length).toBeGreaterThan(3);
  expect(polite.filter((t) => t >= 300)).toEqual([]);
});

test('a service answers a body that arrives whole at once', async () => {
  const res = await fetch(`http://127.0.0.1:${port}/echo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ a: 1 }),
  });
  expect(await res.json()).toEqual({ got: { a: 1 } });
});
