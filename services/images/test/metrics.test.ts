import { llamaCatalog } from '../src/index.js';
import { startImages, uniqueDbName, type RunningImages } from './support/images-server.js';

let images: RunningImages;
beforeAll(async () => {
  images = await startImages(uniqueDbName('images_metrics'));
  await images.catalog.seed(llamaCatalog().slice(0, 30), new Date());
});
afterAll(() => images.close());

/** Reads one sample value out of the text exposition format. */
function sample(text: string, name: string, labels: Record<string, string>): number {
  const line = text.split('\n').find((l) => {
    if (!l.startsWith(`${name}{`)) return false;
    return Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`));
  });
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('/metrics counts exactly the requests made, by route template and status', async () => {
  for (let i = 0; i < 7; i++) await fetch(`${images.url}/random?count=3`);
  for (let i = 0; i < 2; i++) await fetch(`${images.url}/random?count=abc`);
  await fetch(`${images.url}/images/0`);
  await fetch(`${images.url}/images/1`);
  await fetch(`${images.url}/images/999999`);
  await fetch(`${images.url}/no-such-route`);

  const text = await (await fetch(`${images.url}/metrics`)).text();
  const count = (route: string, status: string) =>
    sample(text, 'http_requests_total', { method: 'GET', route, status_code: status, service: 'images' });
  expect(count('/random', '200')).toBe(7);
  expect(count('/random', '400')).toBe(2);
  expect(count('/images/:id', '200')).toBe(2);
  expect(count('/images/:id', '404')).toBe(1);
  expect(count('unmatched', '404')).toBe(1);
  expect(sample(text, 'http_request_duration_seconds_count', { route: '/random', status_code: '200' })).toBe(
    7,
  );
});

test('the latency histogram has a 0.3 s bucket, so "p99 < 300 ms" is an exact check', async () => {
  await fetch(`${images.url}/random?count=3`);
  const text = await (await fetch(`${images.url}/metrics`)).text();
  expect(text).toMatch(/http_request_duration_seconds_bucket\{le="0\.3",[^}]*route="\/random"/);
});

test('every request counts once on arrival, on the hot path and on the Express routes alike', async () => {
  const read = async () => {
    const text = await (await fetch(`${images.url}/metrics`)).text();
    return {
      received: sample(text, 'http_requests_received_total', { service: 'images' }),
      inFlight: sample(text, 'http_requests_in_flight', { service: 'images' }),
    };
  };
  const before = await read();
  for (let i = 0; i < 5; i++) await fetch(`${images.url}/random?count=2`);
  for (let i = 0; i < 3; i++) await fetch(`${images.url}/images/0`);
  const after = await read();
  // The second /metrics request is received before it renders the counts, and is still in flight.
  expect({ received: after.received - before.received, inFlight: after.inFlight }).toEqual({
    received: 5 + 3 + 1,
    inFlight: 1,
  });
});
