import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { makeTempDir, removeTempDir, startPrometheus, waitFor, writeFileSdTargets } from '../src/index.js';
import type { PrometheusServer } from '../src/index.js';

/** A /metrics endpoint in the text exposition format whose values the test sets. */
function startExporter(): Promise<{ server: Server; target: string; set: (requests: number) => void }> {
  let requests = 0;
  const server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      '# HELP llama_requests_total Requests served.\n# TYPE llama_requests_total counter\n' +
        `llama_requests_total ${requests}\n` +
        '# HELP llama_ready Whether the llama is ready.\n# TYPE llama_ready gauge\nllama_ready 1\n',
    );
  });
  return new Promise((resolveExporter) => {
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      resolveExporter({ server, target: `127.0.0.1:${address.port}`, set: (value) => (requests = value) });
    });
  });
}

describe('startPrometheus', () => {
  let exporter: Awaited<ReturnType<typeof startExporter>>;
  let prometheus: PrometheusServer | undefined;

  beforeAll(async () => {
    exporter = await startExporter();
  });

  afterEach(async () => {
    await prometheus?.stop();
    prometheus = undefined;
  });

  afterAll(async () => {
    await new Promise((done) => exporter.server.close(done));
  });

  test('scrapes a static target every second and answers PromQL with the value the exporter served', async () => {
    exporter.set(42);
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target], scrapeInterval: '1s' });
    const running = prometheus;

    const value = await waitFor(
      async () => (await running.queryValue('llama_requests_total')) === 42 || undefined,
      {
        what: 'llama_requests_total = 42 in Prometheus',
        timeoutMs: 20_000,
        intervalMs: 250,
      },
    );

    expect(value).toBe(true);
    expect(await running.queryValue(`up{instance="${exporter.target}"}`)).toBe(1);
  });

  test('picks up targets added to a file_sd file after it started', async () => {
    const dir = makeTempDir('filesd');
    try {
      const fileSdPath = join(dir, 'targets.json');
      exporter.set(7);
      prometheus = await startPrometheus({ fileSdPath, scrapeInterval: '1s' });
      const running = prometheus;
      expect(await running.queryVector('up')).toEqual([]);

      writeFileSdTargets(fileSdPath, [exporter.target], { replica: 'r1' });

      await waitFor(
        async () => (await running.queryValue('llama_requests_total{replica="r1"}')) === 7 || undefined,
        {
          what: 'the file_sd target to be scraped',
          timeoutMs: 20_000,
          intervalMs: 250,
        },
      );
    } finally {
      removeTempDir(dir);
    }
  });

  test('explains a bad query instead of returning nothing', async () => {
    prometheus = await startPrometheus({ scrapeTargets: [exporter.target] });

    await expect(prometheus.query('sum(')).rejects.toThrow(/HTTP 400/);
  });
});
