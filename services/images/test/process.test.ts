import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import http from 'node:http';
import { uniqueDbName } from './support/images-server.js';
import { hostPort, startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';
import { freePort, testMongoUrl } from '@laas/testbed';

const dist = (file: string): string => {
  const path = fileURLToPath(new URL(`../dist/${file}`, import.meta.url));
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm run build\` first (npm test does)`);
  return path;
};

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function startProcess(
  file: string,
  env: Record<string, string>,
  waitForPath?: string,
): Promise<Started> {
  let output = '';
  const child = spawn(process.execPath, [dist(file)], {
    env: { PATH: process.env['PATH'] ?? '', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = `http://127.0.0.1:${env['PORT'] ?? ''}`;
  if (waitForPath) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ok = await fetch(`${url}${waitForPath}`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`process did not become ready:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { child, url, output: () => output, exited };
}

const seed = async (env: Record<string, string>): Promise<string> => {
  const started = await startProcess('seed.js', env);
  const { code } = await started.exited;
  expect(code).toBe(0);
  return started.output();
};

/** A seeded database reached through a TCP proxy (to slow its replies), and a free port. */
const seededBehindProxy = async (proxy: TcpProxy, dbPrefix: string): Promise<Record<string, string>> => {
  const env = {
    MONGO_URL: proxy.url('mongodb'),
    MONGO_DB: uniqueDbName(dbPrefix),
    PORT: String(await freePort()),
  };
  await seed(env);
  return env;
};

describe('the images process', () => {
  let proxy: TcpProxy;
  beforeAll(async () => {
    proxy = await startTcpProxy(hostPort(testMongoUrl()));
  });
  afterAll(() => proxy.close());
  test('the seed command loads 100 llamas and adds nothing when run again', async () => {
    const env = { MONGO_URL: testMongoUrl(), MONGO_DB: uniqueDbName('images_seed') };
    expect(await seed(env)).toMatch(/added 100 image\(s\); the catalog has 100/);
    expect(await seed(env)).toMatch(/added 0 image\(s\); the catalog has 100/);
  });

  test.each([
    ['a non-numeric PORT', { PORT: 'abc' }, /PORT must be an integer, got "abc"/],
    ['an unknown LOG_LEVEL', { LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    ['a RANDOM_MAX_COUNT of 0', { RANDOM_MAX_COUNT: '0' }, /RANDOM_MAX_COUNT must be >= 1/],
    ['a CATALOG_REFRESH_MS of 5', { CATALOG_REFRESH_MS: '5' }, /CATALOG_REFRESH_MS must be >= 10/],
    [
      'a CATALOG_REFRESH_MS of "soon"',
      { CATALOG_REFRESH_MS: 'soon' },
      /CATALOG_REFRESH_MS must be an integer/,
    ],
    ['a negative CATALOG_MEMORY_MB', { CATALOG_MEMORY_MB: '-1' }, /CATALOG_MEMORY_MB must be >= 0/],
  ])('refuses to start with %s, naming the variable', async (_label, env, message) => {
    const started = await startProcess('main.js', { MONGO_URL: testMongoUrl(), ...env });
    const { code } = await started.exited;
    expect(code).toBe(78);
    expect(started.output()).toMatch(message);
  });

  describe('on SIGTERM with requests in flight', () => {
    test('every in-flight request completes, readiness turns off, and the process exits 0', async () => {
      const env = await seededBehindProxy(proxy, 'images_sigterm');
      // A marker read every minute only, so that the proxy's count below is the requests' queries.
      const images = await startProcess(
        'main.js',
        { ...env, SHUTDOWN_GRACE_MS: '10000', CATALOG_REFRESH_MS: '60000' },
        '/readyz',
      );
      const agent = new http.Agent({ keepAlive: true, maxSockets: 40 });
      let sequence = 0;
      // Reads by id, because they are what reaches the database (/random is answered from memory).
      const get = () =>
        new Promise<number>((resolve, reject) => {
          http
            .get(`${images.url}/images/${sequence++ % 100}`, { agent }, (res) => {
              res.resume();
              res.on('end', () => resolve(res.statusCode ?? 0));
            })
            .on('error', reject);
        });
      // Warm up: open the 40 client sockets and the driver's pooled connections first, so that
      // below every chunk the proxy forwards is a query of a request, not a handshake.
      expect(await Promise.all(Array.from({ length: 40 }, get))).toEqual(new Array(40).fill(200));
      // Every database reply now takes 400 ms, so these 40 requests are all in flight at SIGTERM.
      proxy.delayMs = 400;
      const inFlight = Array.from({ length: 40 }, get);
      // SIGTERM only once all 40 have reached the service: each sends its database query first.
      const before = proxy.forwarded;
      const deadline = Date.now() + 10_000;
      while (proxy.forwarded - before < 40 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 10));
      images.child.kill('SIGTERM');
      const statuses = await Promise.all(inFlight);
      expect(statuses).toEqual(new Array(40).fill(200));
      const { code } = await images.exited;
      expect(code).toBe(0);
      expect(images.output()).toMatch(/"msg":"draining"/);
      expect(images.output()).toMatch(/"msg":"stopped"/);
      agent.destroy();
      proxy.delayMs = 0;
    });
  });

  describe('in cluster mode (WEB_CONCURRENCY=2)', () => {
    test('workers share the port, readiness waits for both, a dead worker is replaced without a 503, metrics add up, and SIGTERM stops all', async () => {
      const env = await seededBehindProxy(proxy, 'images_cluster');
      const images = await startProcess('main.js', { ...env, WEB_CONCURRENCY: '2' }, '/readyz');
      const random = async () =>
        (await fetch(`${images.url}/random?count=2`, { headers: { connection: 'close' } })).status;
      try {
        const workerPids = () =>
          [...images.output().matchAll(/"pid":(\d+)[^\n]*images listening/g)].map((m) => Number(m[1]));
        // /readyz answered 200, so both workers have loaded their catalog: none answers 503 below.
        const readyz = (await (await fetch(`${images.url}/readyz`)).json()) as {
          checks: Record<string, string>;
        };
        expect(readyz.checks['workers']).toBe('2 of 2 ready');
        expect(workerPids()).toHaveLength(2);

        for (let i = 0; i < 20; i++) expect(await random()).toBe(200);
        const metrics = await (await fetch(`${images.url}/metrics`)).text();
        const line = metrics
          .split('\n')
          .find(
            (l) =>
              l.startsWith('http_requests_total{') &&
              l.includes('route="/random"') &&
              l.includes('status_code="200"'),
          );
        expect(Number(line?.split(' ').pop())).toBe(20);

        // Every database reply now takes 300 ms, so the replacement's catalog load takes a second
        // or more, while the survivor answers /random from memory. Each request opens its own
        // connection, which the primary hands to the workers in turn: a replacement listening
        // before its catalog is loaded would answer every other one with 503.
        proxy.delayMs = 300;
        process.kill(workerPids()[0]!, 'SIGKILL');
        // Until the primary has seen the exit, it may still hand a connection to the dead worker.
        const restartDeadline = Date.now() + 20_000;
        while (!/worker died; restarting/.test(images.output()) && Date.now() < restartDeadline)
          await new Promise((r) => setTimeout(r, 10));
        const statuses: number[] = [];
        while (workerPids().length < 3 && Date.now() < restartDeadline) statuses.push(await random());
        expect(images.output()).toMatch(/replacing a worker: taking connections once ready/);
        expect(workerPids()).toHaveLength(3);
        expect(statuses.length).toBeGreaterThan(5);
        expect(statuses.filter((s) => s !== 200)).toEqual([]);
        proxy.delayMs = 0;
        for (let i = 0; i < 4; i++) expect(await random()).toBe(200);
      } finally {
        proxy.delayMs = 0;
        images.child.kill('SIGTERM');
        const { code } = await images.exited;
        expect(code).toBe(0);
      }
    });
  });
});
