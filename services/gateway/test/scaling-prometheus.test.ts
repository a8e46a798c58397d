/**
 * The scaling panel's query on a real Prometheus, which scrapes the autoscaler operator's own
 * metrics registry (createOperatorMetrics, served over HTTP as the operator serves it): GET
 * /api/scaling must read the target up and the operator's last decision back.
 */
import { createOperatorMetrics } from '@laas/autoscaler';
import { startPrometheus, waitFor, type PrometheusServer } from '@laas/testbed';
import { listen, startGateway, type Listening, type RunningGateway } from './support/stack.js';

let operator: ReturnType<typeof createOperatorMetrics>;
let exporter: Listening;
let prometheus: PrometheusServer;
let gateway: RunningGateway;

interface Report {
  services: { name: string; readyReplicas: number }[];
  autoscaler: { outcome: string; reason: string; secondsAgo: number } | null;
}

beforeAll(async () => {
  operator = createOperatorMetrics();
  exporter = await listen((_req, res) => {
    void operator.registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': operator.registry.contentType });
      res.end(text);
    });
  });
  prometheus = await startPrometheus({ scrapeTargets: [new URL(exporter.url).host], scrapeInterval: '1s' });
  gateway = await startGateway({
    upstreams: { images: 'http://127.0.0.1:9', auth: 'http://127.0.0.1:9' },
    authMode: 'none',
    prometheusUrl: prometheus.url,
  });
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await prometheus?.stop();
  await exporter?.close();
});

const report = async (): Promise<Report> =>
  (await (await fetch(`${gateway.url}/api/scaling`)).json()) as Report;

test('the replicas up and the operator decision that rose last show, with its reason', async () => {
  await waitFor(async () => (await prometheus.queryValue('count(up == 1)')) === 1, {
    timeoutMs: 20_000,
    what: 'Prometheus scraping the operator',
  });
  operator.decisions.inc({ outcome: 'Hold', reason: 'WithinObjective' });
  // A few scrapes and more than one 5 s step with the Hold counter alone.
  await new Promise((resolve) => setTimeout(resolve, 7000));
  expect((await report()).autoscaler).toMatchObject({ outcome: 'Hold', reason: 'WithinObjective' });
  operator.decisions.inc({ outcome: 'Scale', reason: 'HighLatency' });
  const last = await waitFor(
    async () => {
      const r = await report();
      return r.autoscaler?.outcome === 'Scale' ? r : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 500, what: 'the Scale decision in /api/scaling' },
  );
  expect(last.autoscaler).toMatchObject({ outcome: 'Scale', reason: 'HighLatency' });
  expect(last.autoscaler!.secondsAgo).toBeLessThan(30);
  // Scraped without a service label, the exporter counts under its job's name.
  expect(last.services).toEqual([expect.objectContaining({ name: 'laas', readyReplicas: 1 })]);
}, 90_000);
