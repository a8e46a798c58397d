// The Prometheus MetricSource against a real Prometheus (from the test bed) scraping a test
// exporter every second. Windows: 4 s short (4x the scrape interval), 8 s long.
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { freePort, startPrometheus, waitFor } from '@laas/testbed';
import type { PrometheusServer } from '@laas/testbed';
import { resolveSpec } from '../src/api/crd.js';
import type { MetricsSpec } from '../src/api/types.js';
import { PrometheusMetricSource } from '../src/metrics/prometheus.js';
import type { MetricReading } from '../src/metrics/types.js';
import type { Exporter } from './support/exporter.js';
import { startExporter } from './support/exporter.js';

let prom: PrometheusServer;
let images: Exporter;
let auth: Exporter;
let blackhole: Server;
const held: Socket[] = [];
const source = new PrometheusMetricSource({ timeoutMs: 500 });

function specFor(metrics: Partial<MetricsSpec>) {
  return resolveSpec({
    scaleTargetRef: { kind: 'Deployment', name: 'images' },
    maxReplicas: 10,
    metrics: {
      prometheusUrl: prom.url,
      scrapeIntervalSeconds: 1,
      shortWindowSeconds: 4,
      longWindowSeconds: 8,
      ...metrics,
    },
  });
}

const read = (metrics: Partial<MetricsSpec>): Promise<MetricReading> =>
  source.read(specFor(metrics), Date.now());

beforeAll(async () => {
  images = await startExporter('images');
  auth = await startExporter('auth');
  // Two routes of images, so an unaggregated query returns several series.
  images.record(0, 0.01, '/health');
  // 150 arrive each second and 100 are answered: the other 50 queue (a saturated replica).
  images.drive({ rps: 100, slow: 0.02, fastSeconds: 0.08, slowSeconds: 0.4, arrivingRps: 150 });
  auth.drive({ rps: 20 });
  blackhole = createServer((socket) => void held.push(socket)); // accepts connections, never answers
  await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
  prom = await startPrometheus({ scrapeTargets: [images.target, auth.target], scrapeInterval: '1s' });
  // Wait until the long window (8 s) is full of the driven load.
  await waitFor(
    async () =>
      ((await prom.queryValue(
        'count_over_time(http_requests_total{service="images",route="/random"}[8s])',
      )) ?? 0) >= 8,
    {
      timeoutMs: 30_000,
      what: 'Prometheus to hold 8 s of driven load',
    },
  );
});

afterAll(async () => {
  await prom?.stop();
  await images?.close();
  await auth?.close();
  held.forEach((socket) => socket.destroy());
  blackhole?.close();
});

test('the RPS and p99 read match what the exporter was driven with (100 RPS, 2% at 400 ms)', async () => {
  const r = await read({ selector: '{service="images"}' });
  if (r.kind !== 'ok') throw r.error;
  expect(r.sample.rpsShort).toBeGreaterThan(85);
  expect(r.sample.rpsShort).toBeLessThan(115);
  expect(r.sample.rpsLong).toBeGreaterThan(85);
  expect(r.sample.rpsLong).toBeLessThan(115);
  // 98% within 0.3 s, so the 0.99 quantile is in the (0.3, 0.5] bucket, interpolated to about 0.4.
  expect(r.sample.latencySeconds).toBeGreaterThan(0.3);
  expect(r.sample.latencySeconds).toBeLessThanOrEqual(0.5);
  expect(r.sample.withinObjective).toBeGreaterThan(0.965);
  expect(r.sample.withinObjective).toBeLessThan(0.995);
  expect(Date.now() - r.sample.observedAt).toBeLessThan(5_000);
});

test('a selector without braces picks the same series (20 RPS of auth, all fast)', async () => {
  const r = await read({ selector: 'service="auth"' });
  if (r.kind !== 'ok') throw r.error;
  expect(r.sample.rpsShort).toBeGreaterThan(15);
  expect(r.sample.rpsShort).toBeLessThan(25);
  expect(r.sample.withinObjective).toBe(1);
});

test('an idle route reads as 0 RPS with no latency, not as an error', async () => {
  const r = await read({ selector: '{service="images",route="/health"}' });
  expect(r).toMatchObject({
    kind: 'ok',
    sample: { rpsShort: 0, rpsLong: 0, latencySeconds: null, withinObjective: null },
  });
});

describe('the arrivals are read from http_requests_received_total', () => {
  test.each([
    {
      label:
        'a target counting 150 arrivals a second while answering 100 reads about 150, above the served RPS',
      metrics: { selector: '{service="images"}' },
      queries: 7,
      arriving: (served: number, arriving: number | null | undefined) => {
        expect(arriving).toBeGreaterThan(130);
        expect(arriving).toBeLessThan(170);
        expect(arriving).toBeGreaterThan(served * 1.2);
      },
    },
    {
      label: 'a target without the counter reads no arrivals, and the reading is still usable',
      metrics: { selector: '{service="auth"}' },
      queries: 7,
      arriving: (_served: number, arriving: number | null | undefined) => expect(arriving).toBeNull(),
    },
    {
      label: 'a selector on a label the counter lacks (route) reads no arrivals, not an error',
      metrics: { selector: '{service="images",route="/random"}' },
      queries: 7,
      arriving: (_served: number, arriving: number | null | undefined) => expect(arriving).toBeNull(),
    },
    {
      label: 'with useArrivals off the counter is not queried, though the target exports it',
      metrics: { selector: '{service="images"}', useArrivals: false },
      queries: 6,
      arriving: (_served: number, arriving: number | null | undefined) => expect(arriving).toBeNull(),
    },
  ])('$label', async ({ metrics, queries, arriving }) => {
    // Counts the queries sent to Prometheus: six without arrivals (two RPS, latency, share within
    // the objective, freshness, CPU), seven with.
    let sent = 0;
    const counting = new PrometheusMetricSource({ timeoutMs: 500, observe: () => void sent++ });
    const r = await counting.read(specFor(metrics), Date.now());
    if (r.kind !== 'ok') throw r.error;
    expect(r.sample.rpsShort).toBeGreaterThan(15);
    arriving(r.sample.rpsShort, r.sample.arrivingRps);
    expect(sent).toBe(queries);
  });
});

describe('every failure is a typed error', () => {
  const q = (rps: string) => ({ queries: { rps, latency: 'vector(0.1)' } });
  test.each([
    {
      label: 'a selector that matches no series is EmptyResult',
      metrics: () => ({ selector: '{service="nope"}' }),
      code: 'EmptyResult',
    },
    {
      label: 'a query returning two series is MultipleSeries',
      metrics: () => q('rate(http_requests_total{service="images"}[4s])'),
      code: 'MultipleSeries',
    },
    { label: 'a NaN rate is NotANumber', metrics: () => q('vector(0) / vector(0)'), code: 'NotANumber' },
    {
      label: 'an infinite rate is NotANumber',
      metrics: () => q('vector(1) / vector(0)'),
      code: 'NotANumber',
    },
    { label: 'PromQL that does not parse is QueryError', metrics: () => q('sum(rate('), code: 'QueryError' },
    {
      label: 'a 404 from a wrong URL path is HttpError',
      metrics: () => ({ selector: '{service="images"}', prometheusUrl: `${prom.url}/nothing-here` }),
      code: 'HttpError',
    },
    {
      label: 'a server that never answers is Timeout after 500 ms',
      metrics: () => {
        const { port } = blackhole.address() as { port: number };
        return { selector: '{service="images"}', prometheusUrl: `http://127.0.0.1:${port}` };
      },
      code: 'Timeout',
    },
  ])('$label', async ({ metrics, code }) => {
    const r = await read(metrics());
    expect(r.kind === 'error' ? r.error.code : r).toBe(code);
  });

  test('a port with nothing listening is Unreachable', async () => {
    const r = await read({
      selector: '{service="images"}',
      prometheusUrl: `http://127.0.0.1:${await freePort()}`,
    });
    expect(r.kind === 'error' ? r.error.code : r).toBe('Unreachable');
  });

  test('a target that stopped being scraped reads as missing, never as zero', async () => {
    await auth.close();
    // Prometheus marks the series stale at the first failed scrape (about 1 s).
    await waitFor(async () => (await read({ selector: '{service="auth"}' })).kind === 'error', {
      timeoutMs: 10_000,
      what: 'the stopped target to go stale',
    });
    const r = await read({ selector: '{service="auth"}' });
    expect(r.kind === 'error' ? r.error.code : r).toBe('EmptyResult');
  });
});
