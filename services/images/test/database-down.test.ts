import { llamaCatalog } from '../src/index.js';
import { startImages, testMongoUrl, uniqueDbName, type RunningImages } from './support/images-server.js';
import { hostPort, startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

let proxy: TcpProxy;
let images: RunningImages;

beforeAll(async () => {
  proxy = await startTcpProxy(hostPort(testMongoUrl()));
  images = await startImages(uniqueDbName('images_down'), { mongoUrl: proxy.url('mongodb') });
  await images.catalog.seed(llamaCatalog(), new Date());
});
afterAll(async () => {
  await images.close();
  await proxy.close();
});

const waitUntil = async (what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting until ${what}`);
};

test('with the database unreachable, /random answers 503 database_unavailable and /readyz fails, and both recover', async () => {
  expect((await fetch(`${images.url}/random?count=5`)).status).toBe(200);

  proxy.cut();
  const down = await fetch(`${images.url}/random?count=5`);
  expect(down.status).toBe(503);
  expect(down.headers.get('retry-after')).toBe('1');
  expect(await down.json()).toMatchObject({
    error: { code: 'database_unavailable', message: expect.stringMatching(/database/) },
  });
  const notReady = await fetch(`${images.url}/readyz`);
  expect(notReady.status).toBe(503);
  expect(await fetch(`${images.url}/healthz`).then((r) => r.status)).toBe(200);
  expect(
    (
      await fetch(`${images.url}/images`, {
        method: 'POST',
        body: JSON.stringify({ url: 'https://example.com/while-down.jpg' }),
        headers: { 'content-type': 'application/json' },
      })
    ).status,
  ).toBe(503);

  proxy.restore();
  await waitUntil(
    '/random answers 200 again',
    async () => (await fetch(`${images.url}/random?count=5`)).status === 200,
  );
  await waitUntil('/readyz is ready again', async () => (await fetch(`${images.url}/readyz`)).status === 200);
});
