import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { ServerLimits } from '@laas/shared';
import { listen, refusedUrl, startGateway, type Listening, type RunningGateway } from './support/stack.js';

/**
 * Slow and greedy clients against the gateway's real listener (the shared createHttpServer, as
 * main.ts runs it), with a polite client beside them that must keep its 300 ms objective.
 * Limits are scaled down so each test takes about a second; the check tick is a quarter of the
 * shortest timeout (125 ms), so a limit of 500 ms cuts between 500 and ~650 ms.
 */
const LIMITS: ServerLimits = {
  headersTimeoutMs: 500,
  bodyTimeoutMs: 500,
  bodyMinRate: 1024,
  requestTimeoutMs: 3000,
  keepAliveTimeoutMs: 5000,
  maxHeaderBytes: 4096,
  maxConnections: 60,
  maxConnectionsPerClient: 10,
};
const OBJECTIVE_MS = 300;
/** The limit, one check tick, and scheduling on a loaded 2-core machine. */
const CUT_WITHIN_MS = 500 + 125 + 375;

let upstream: Listening & { seen: string[] };
let gateway: RunningGateway;

beforeAll(async () => {
  const seen: string[] = [];
  const server = await listen((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"message":["https://example.com/llama.jpg"]}');
    });
  });
  upstream = { ...server, seen };
  gateway = await startGateway(
    {
      authMode: 'none',
      upstreamConnections: 2,
      upstreams: { images: upstream.url, auth: await refusedUrl() },
    },
    LIMITS,
  );
  // One request first, so the objective is judged on a warm process, not on its first compile.
  await (await fetch(`${gateway.url}/api/images/random?count=1`)).arrayBuffer();
});
afterAll(async () => {
  await gateway.close();
  await upstream.close();
});

const port = (): number => Number(new URL(gateway.url).port);

/** A raw connection: what it received, and when it closed (ms after it was opened). */
interface RawClient {
  socket: net.Socket;
  received(): string;
  closed: Promise<number>;
}

function connect(localAddress = '127.0.0.1'): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const opened = performance.now();
    let received = '';
    const socket = net.connect({ host: '127.0.0.1', port: port(), localAddress });
    const closed = new Promise<number>((done) =>
      socket.once('close', () => done(performance.now() - opened)),
    );
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined); // a reset is one of the outcomes under test
    socket.once('connect', () => resolve({ socket, received: () => received, closed }));
    socket.once('error', reject);
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function trickle(client: RawClient, text: string, everyMs = 50): void {
  let i = 0;
  const timer = setInterval(() => {
    if (client.socket.destroyed || i >= text.length) {
      clearInterval(timer);
      return;
    }
    client.socket.write(text[i++]!);
  }, everyMs);
  void client.closed.then(() => clearInterval(timer));
}

/** A polite client: one GET after another until `until` settles; each answer's status and time. */
async function politeWhile(until: Promise<unknown>): Promise<{ status: number; ms: number }[]> {
  let done = false;
  void until.finally(() => (done = true));
  const answers: { status: number; ms: number }[] = [];
  while (!done) {
    const start = performance.now();
    const res = await fetch(`${gateway.url}/api/images/random?count=1`);
    await res.arrayBuffer();
    answers.push({ status: res.status, ms: performance.now() - start });
    await new Promise((r) => setTimeout(r, 20));
  }
  return answers;
}

const expectPoliteServed = (answers: { status: number; ms: number }[]): void => {
  expect(answers.length).toBeGreaterThan(3);
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  expect(answers.filter((a) => a.ms >= OBJECTIVE_MS)).toEqual([]);
};

describe('slow clients are cut within their limit while a polite client keeps its objective', () => {
  test.each([
    [
      'trickling their headers',
      'HEADERS_TIMEOUT_MS',
      (client: RawClient) =>
        trickle(client, 'GET /api/images/random HTTP/1.1\r\nHost: gw\r\nX-Slow: ' + 'a'.repeat(200)),
      'HTTP/1.1 408',
    ],
    [
      'trickling their bodies (20 bytes a second against a minimum of 1024)',
      'BODY_TIMEOUT_MS and BODY_MIN_RATE',
      (client: RawClient) => {
        client.socket.write(
          'POST /api/images HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n',
        );
        trickle(client, '{"url":"https://example.com/' + 'a'.repeat(170) + '"}');
      },
      'HTTP/1.1 408',
    ],
  ])(
    'four clients %s are cut by %s, and never reach the upstream',
    async (_label, _limit, misbehave, answer) => {
      const before = upstream.seen.length;
      const slow = await Promise.all([1, 2, 3, 4].map(() => connect()));
      slow.forEach(misbehave);
      const cuts = Promise.all(slow.map((c) => c.closed));
      const answers = await politeWhile(cuts);
      for (const ms of await cuts) {
        expect(ms).toBeGreaterThanOrEqual(450);
        expect(ms).toBeLessThan(CUT_WITHIN_MS);
      }
      for (const client of slow) expect(client.received()).toMatch(new RegExp(`^${answer}`));
      expectPoliteServed(answers);
      expect(upstream.seen.slice(before).filter((r) => r.startsWith('POST'))).toEqual([]);
    },
  );

  test('the body timeout answers JSON with the code request_timeout', async () => {
    const client = await connect();
    client.socket.write(
      'POST /api/images HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{',
    );
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
    expect(client.received()).toContain('"code":"request_timeout"');
  });

  test('a client sending its body at a modest steady rate (2 KiB a second) is not cut', async () => {
    const client = await connect();
    const body = '{"url":"https://example.com/' + 'a'.repeat(2000) + '"}';
    client.socket.write(
      `POST /api/images HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    // 100 bytes every 50 ms: about a second for the whole body, twice the body timeout.
    for (let i = 0; i < body.length; i += 100) {
      client.socket.write(body.slice(i, i + 100));
      await new Promise((r) => setTimeout(r, 50));
    }
    await client.closed;
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
  });

  test('request headers over MAX_HEADER_BYTES are refused with 431', async () => {
    const res = await fetch(`${gateway.url}/api/images/random`, { headers: { 'x-big': 'a'.repeat(5000) } });
    expect(res.status).toBe(431);
    expect(
      (await fetch(`${gateway.url}/api/images/random`, { headers: { 'x-big': 'a'.repeat(3000) } })).status,
    ).toBe(200);
  });
});

describe('idle keep-alive connections', () => {
  test('an idle keep-alive connection outlives HEADERS_TIMEOUT_MS and is closed at KEEP_ALIVE_TIMEOUT_MS (plus the one-second margin of Node)', async () => {
    const gw = await startGateway(
      { authMode: 'none', upstreams: { images: upstream.url, auth: await refusedUrl() } },
      { ...LIMITS, keepAliveTimeoutMs: 1200 },
    );
    try {
      const opened = performance.now();
      const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(gw.url).port) });
      let received = '';
      socket.on('data', (c: Buffer) => (received += c.toString()));
      const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())));
      socket.write('GET /api/images/random HTTP/1.1\r\nHost: gw\r\n\r\n');
      while (!received.includes('llama')) await new Promise((r) => setTimeout(r, 10));
      const answered = performance.now();
      const idleFor = (await closed) - answered;
      expect(received).toMatch(/^HTTP\/1\.1 200 /);
      expect(answered - opened).toBeLessThan(OBJECTIVE_MS);
      expect(idleFor).toBeGreaterThanOrEqual(1100);
      // Node closes it a second after the timeout it announces (Keep-Alive: timeout=1), so that
      // a client that trusts the announcement never sends on a socket being closed.
      expect(idleFor).toBeLessThan(1200 + 1000 + 500);
    } finally {
      await gw.close();
    }
  });
});

describe('greedy clients', () => {
  test('a flood of idle connections from one address holds at most MAX_CONNECTIONS_PER_CLIENT, each closed at HEADERS_TIMEOUT_MS, and the polite client beside it keeps its objective', async () => {
    // 60 connections would fill MAX_CONNECTIONS (60) on their own; 127.0.0.2 is another address on loopback.
    const flood = await Promise.all(Array.from({ length: 60 }, () => connect('127.0.0.2')));
    const closing = Promise.all(flood.map((c) => c.closed));
    const answers = await politeWhile(closing);
    const closed = await closing;
    const held = closed.filter((ms) => ms >= 450);
    expect(held).toHaveLength(LIMITS.maxConnectionsPerClient);
    for (const ms of held) expect(ms).toBeLessThan(CUT_WITHIN_MS);
    expectPoliteServed(answers);
  });

  test('requests beyond UPSTREAM_MAX_IN_FLIGHT answer 503 upstream_busy at once instead of queueing', async () => {
    const held: (() => void)[] = [];
    let holding = true;
    const slow = await listen((req, res) => {
      req.resume();
      const answer = (): void =>
        void res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":[]}');
      if (holding) held.push(answer);
      else answer();
    });
    const gw = await startGateway({
      authMode: 'none',
      upstreamMaxInFlight: 2,
      upstreams: { images: slow.url, auth: await refusedUrl() },
    });
    try {
      const waiting = [fetch(`${gw.url}/api/images/random`), fetch(`${gw.url}/api/images/random`)];
      while (held.length < 2) await new Promise((r) => setTimeout(r, 10));
      const start = performance.now();
      const busy = await fetch(`${gw.url}/api/images/random`);
      expect(performance.now() - start).toBeLessThan(OBJECTIVE_MS);
      expect(busy.status).toBe(503);
      expect(busy.headers.get('retry-after')).toBe('1');
      expect(await busy.json()).toMatchObject({ error: { code: 'upstream_busy' } });
      holding = false;
      held.forEach((answer) => answer());
      expect((await Promise.all(waiting)).map((r) => r.status)).toEqual([200, 200]);
      expect((await fetch(`${gw.url}/api/images/random`)).status).toBe(200);
    } finally {
      await gw.close();
      await slow.close();
    }
  });
});
