import type http from 'node:http';
import { listen, refusedUrl, startGateway, type Listening, type RunningGateway } from './support/stack.js';

/**
 * Retries with real sockets: an upstream that misbehaves on chosen attempts, the gateway in
 * front of it, and the retry seen three ways (the attempts the upstream counted, the
 * gateway_upstream_retries_total counter, and a warn log line carrying the request id).
 */

type Behaviour = (attempt: number, req: http.IncomingMessage, res: http.ServerResponse) => void;

const reset: Behaviour = (_attempt, req) => req.socket.destroy();
const answer: Behaviour = (_attempt, req, res) => {
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"message":["https://example.com/llama.jpg"]}');
};
const resetFirst: Behaviour = (attempt, req, res) => (attempt === 1 ? reset : answer)(attempt, req, res);

async function upstream(behaviour: Behaviour): Promise<Listening & { attempts(): number }> {
  let attempts = 0;
  const server = await listen((req, res) => behaviour(++attempts, req, res));
  return { ...server, attempts: () => attempts };
}

const retriesCounted = async (gw: RunningGateway): Promise<string[]> =>
  (await (await fetch(`${gw.url}/metrics`)).text())
    .split('\n')
    .filter((line) => line.startsWith('gateway_upstream_retries_total{'));

const retryLogs = (gw: RunningGateway): { level: number; requestId?: string; reason?: string }[] =>
  gw
    .logs()
    .split('\n')
    .filter((line) => line.includes('retrying a'))
    .map((line) => JSON.parse(line) as { level: number; requestId?: string; reason?: string });

const read = (url: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${url}/api/images/random?count=2`, init);
const write = (url: string): Promise<Response> =>
  fetch(`${url}/api/images`, {
    method: 'POST',
    body: '{"url":"https://example.com/llama.jpg"}',
    headers: { 'content-type': 'application/json' },
  });
const bodilessPost = (url: string): Promise<Response> => fetch(`${url}/api/images`, { method: 'POST' });
const bodilessDelete = (url: string): Promise<Response> => fetch(`${url}/api/images/7`, { method: 'DELETE' });

describe('retries: only idempotent, only before any answer byte, at most once, and every one counted and logged', () => {
  test.each([
    ['a GET whose connection is reset before any answer', 200, 2, 1, read, resetFirst],
    [
      'a bodiless DELETE (idempotent) whose connection is reset before any answer',
      200,
      2,
      1,
      bodilessDelete,
      resetFirst,
    ],
    [
      'a POST whose connection is reset before any answer (the upstream may have acted)',
      502,
      1,
      0,
      write,
      resetFirst,
    ],
    [
      'a POST without a body whose connection is reset before any answer (not idempotent)',
      502,
      1,
      0,
      bodilessPost,
      resetFirst,
    ],
    ['a GET whose connection is reset on both attempts (at most one retry)', 502, 2, 1, read, reset],
    [
      'a GET whose upstream answers 503 (an answer, not a connection failure)',
      503,
      1,
      0,
      read,
      ((_a, req, res) => {
        req.resume();
        res.writeHead(503).end();
      }) as Behaviour,
    ],
    [
      'a GET whose upstream sent its status line and then reset (an answer byte was sent)',
      502,
      1,
      0,
      read,
      ((_a, req, res) => {
        req.resume();
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
        res.flushHeaders();
        setTimeout(() => res.socket?.destroy(), 30);
      }) as Behaviour,
    ],
  ] as const)(
    '%s: answers %i after %i upstream attempt(s), %i retry counted and logged',
    async (_label, status, attempts, retries, send, behaviour) => {
      const flaky = await upstream(behaviour);
      const gw = await startGateway({
        authMode: 'none',
        upstreams: { images: flaky.url, auth: await refusedUrl() },
      });
      try {
        const res = await send(gw.url);
        expect(res.status).toBe(status);
        await res.arrayBuffer().catch(() => undefined);
        expect(flaky.attempts()).toBe(attempts);
        const counted = await retriesCounted(gw);
        const logs = retryLogs(gw);
        if (retries === 0) {
          expect(counted).toEqual([]);
          expect(logs).toEqual([]);
        } else {
          expect(counted).toEqual([
            `gateway_upstream_retries_total{upstream="images",reason="socket_closed",service="gateway"} ${retries}`,
          ]);
          expect(logs).toEqual([
            expect.objectContaining({
              level: 40,
              reason: 'socket_closed',
              requestId: res.headers.get('x-request-id'),
            }),
          ]);
        }
      } finally {
        await gw.close();
        await flaky.close();
      }
    },
  );

  test('a refused connection is counted under its own reason', async () => {
    const gw = await startGateway({
      authMode: 'none',
      upstreams: { images: await refusedUrl(), auth: await refusedUrl() },
    });
    try {
      expect((await read(gw.url)).status).toBe(502);
      expect(await retriesCounted(gw)).toEqual([
        'gateway_upstream_retries_total{upstream="images",reason="connection_refused",service="gateway"} 1',
      ]);
    } finally {
      await gw.close();
    }
  });

  test('a GET whose client has gone before its upstream connection failed is not sent again', async () => {
    let failFirst!: () => void;
    const received = new Promise<void>((resolve) => (failFirst = resolve));
    let held: http.IncomingMessage | null = null;
    const flaky = await upstream((attempt, req, res) => {
      if (attempt === 1) {
        held = req; // holds the request until the client has left, then resets it
        failFirst();
        return;
      }
      answer(attempt, req, res);
    });
    const gw = await startGateway({
      authMode: 'none',
      upstreams: { images: flaky.url, auth: await refusedUrl() },
    });
    try {
      const leaving = new AbortController();
      const pending = read(gw.url, { signal: leaving.signal }).catch(() => null);
      await received;
      leaving.abort();
      await pending;
      // The gateway sees the client's close before the upstream's reset.
      await new Promise((r) => setTimeout(r, 100));
      held!.socket.destroy();
      await new Promise((r) => setTimeout(r, 200));
      expect(flaky.attempts()).toBe(1);
      expect(await retriesCounted(gw)).toEqual([]);
    } finally {
      await gw.close();
      await flaky.close();
    }
  });
});
