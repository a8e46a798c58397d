import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createHttpMetrics } from '../src/metrics.js';

// A handler that answers only when the test releases it: the arrival counter and the in-flight
// gauge must show a request while it is still being handled, which http_requests_total cannot.
test.each([
  { label: 'three requests held in the handler count as received and in flight, none as answered', held: 3 },
  { label: 'one request held in the handler counts as received and in flight, not as answered', held: 1 },
])('$label', async ({ held }) => {
  const metrics = createHttpMetrics('test');
  const releases: (() => void)[] = [];
  const app = express();
  app.use(metrics.middleware);
  app.get('/slow', (_req, res) => {
    releases.push(() => res.send('ok'));
  });
  const server = app.listen(0);
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slow`;
  try {
    const responses = Array.from({ length: held }, () => fetch(url));
    while (releases.length < held) await new Promise((r) => setTimeout(r, 5));
    const read = async () => ({
      received: (await metrics.received.get()).values[0]?.value ?? 0,
      inFlight: (await metrics.inFlight.get()).values[0]?.value ?? 0,
      answered: (await metrics.requests.get()).values.reduce((sum, v) => sum + v.value, 0),
    });
    expect(await read()).toEqual({ received: held, inFlight: held, answered: 0 });
    for (const release of releases) release();
    await Promise.all((await Promise.all(responses)).map((r) => r.text()));
    await new Promise((r) => setTimeout(r, 20));
    expect(await read()).toEqual({ received: held, inFlight: 0, answered: held });
  } finally {
    server.close();
  }
});
