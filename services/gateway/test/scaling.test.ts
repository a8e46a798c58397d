import { buildReport, lastDecision, loadGatewayConfig, SharedLoad, type RangeSeries } from '../src/index.js';
import { listen, refusedUrl, startGateway, type Listening } from './support/stack.js';

const window = { end: 1000, windowSeconds: 20, stepSeconds: 5 }; // points at 980, 985, ..., 1000
const series = (metric: Record<string, string>, points: [number, string][]): RangeSeries => ({
  metric,
  values: points,
});

describe('buildReport turns one range query into the panel', () => {
  const report = buildReport(
    [
      series({ panel: 'replicas', service: 'images' }, [
        [990, '1'],
        [995, '3'],
        [1000, '3'],
      ]),
      series({ panel: 'replicas', service: 'auth' }, [[985, '1']]),
      series({ panel: 'replicas', component: 'gateway' }, [[1000, '2']]),
      series({ panel: 'rps', service: 'images', component: 'images' }, [[1000, '12.5']]),
      series({ panel: 'p99', service: 'images' }, [
        [995, 'NaN'],
        [1000, '0.042'],
      ]),
      series({ panel: 'decisions', outcome: 'Scale', reason: 'HighLatency' }, [
        [980, '4'],
        [985, '5'],
        [990, '5'],
      ]),
    ],
    window,
  );

  test('services come in request order, named by service or component label', () => {
    expect(report.services.map((s) => s.name)).toEqual(['gateway', 'images', 'auth']);
  });

  test('current values are the last point; p99 is in milliseconds', () => {
    const images = report.services[1]!;
    expect(images).toMatchObject({ readyReplicas: 3, rps: 12.5, p99Ms: 42 });
  });

  test('history has one point per step: replicas 0 where no target was up once seen, NaN as a gap', () => {
    const images = report.services[1]!;
    expect(images.history.readyReplicas).toEqual([null, null, 1, 3, 3]);
    expect(images.history.p99Ms).toEqual([null, null, null, null, 42]);
    expect(images.history.rps).toEqual([null, null, null, null, 12.5]);
  });

  test('a service whose replicas all went away reads 0 ready, not unknown', () => {
    expect(report.services[2]!.readyReplicas).toBe(0);
    expect(report.services[2]!.history.readyReplicas).toEqual([null, 1, 0, 0, 0]);
  });

  test('the last decision is the counter that rose last, with its age', () => {
    expect(report.autoscaler).toEqual({ outcome: 'Scale', reason: 'HighLatency', secondsAgo: 15 });
  });
});

describe('lastDecision', () => {
  test.each([
    ['no counters: none', [], null],
    [
      'counters that never rose in the window: none',
      [{ outcome: 'Hold', reason: 'WithinObjective', values: [3, 3, 3] }],
      null,
    ],
    [
      'the later of two rises wins',
      [
        { outcome: 'Hold', reason: 'WithinObjective', values: [1, 2, 2] },
        { outcome: 'Scale', reason: 'HighLatency', values: [0, 0, 1] },
      ],
      { outcome: 'Scale', reason: 'HighLatency', secondsAgo: 0 },
    ],
    [
      'a counter first seen inside the window rose there',
      [{ outcome: 'NoData', reason: 'NoSamples', values: [null, 1, 1] }],
      { outcome: 'NoData', reason: 'NoSamples', secondsAgo: 5 },
    ],
    [
      'a drop (operator restart) counts as new decisions',
      [{ outcome: 'Hold', reason: 'Cooldown', values: [9, 2, 2] }],
      { outcome: 'Hold', reason: 'Cooldown', secondsAgo: 5 },
    ],
  ])('%s', (_name, decisions, expected) => {
    expect(lastDecision(decisions as Parameters<typeof lastDecision>[0], 5)).toEqual(expected);
  });
});

describe('SharedLoad', () => {
  test('calls within the interval share one load; the next interval loads again', async () => {
    let now = 0;
    let loads = 0;
    const shared = new SharedLoad(
      async () => ++loads,
      1000,
      () => now,
    );
    const first = await Promise.all([shared.get(), shared.get(), shared.get()]);
    now = 999;
    const stillFirst = await shared.get();
    now = 1000;
    const second = await shared.get();
    expect({ first, stillFirst, second, loads }).toEqual({
      first: [1, 1, 1],
      stillFirst: 1,
      second: 2,
      loads: 2,
    });
  });

  test('a failure is shared for the interval too (a down Prometheus is asked once a second)', async () => {
    let now = 0;
    let loads = 0;
    const shared = new SharedLoad(
      async () => {
        loads++;
        throw new Error('down');
      },
      1000,
      () => now,
    );
    await expect(shared.get()).rejects.toThrow('down');
    await expect(shared.get()).rejects.toThrow('down');
    now = 1000;
    await expect(shared.get()).rejects.toThrow('down');
    expect(loads).toBe(2);
  });
});

describe('PROMETHEUS_URL', () => {
  test.each([
    [undefined, undefined],
    ['', undefined],
    ['http://prometheus:9090', 'http://prometheus:9090/'],
  ])('%p is read as %p', (raw, expected) => {
    expect(loadGatewayConfig({ PROMETHEUS_URL: raw, GATEWAY_AUTH: 'none' }).prometheusUrl).toBe(expected);
  });
  test('a value that is not an http(s) URL is refused at boot', () => {
    expect(() => loadGatewayConfig({ PROMETHEUS_URL: 'prometheus:9090x', GATEWAY_AUTH: 'none' })).toThrow(
      /PROMETHEUS_URL must be an http\(s\) URL/,
    );
  });
});

/**
 * GET /api/scaling against a real HTTP server standing in for Prometheus: it answers
 * /api/v1/query_range with a fixed matrix and counts the queries it gets.
 */
describe('GET /api/scaling', () => {
  const upstreams = { images: 'http://127.0.0.1:9', auth: 'http://127.0.0.1:9' };
  let prometheus: Listening & { queries: URLSearchParams[] };
  let answer: { status: number; body: string };

  beforeAll(async () => {
    const queries: URLSearchParams[] = [];
    const server = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        if (req.url === '/api/v1/query_range') queries.push(new URLSearchParams(body));
        setTimeout(() => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(answer.body);
        }, 20);
      });
    });
    prometheus = { ...server, queries };
  });
  afterAll(async () => {
    await prometheus.close();
  });
  beforeEach(() => {
    prometheus.queries.length = 0;
    answer = {
      status: 200,
      body: JSON.stringify({
        status: 'success',
        data: {
          resultType: 'matrix',
          result: [series({ panel: 'replicas', service: 'images' }, [[1000, '2']])],
        },
      }),
    };
  });

  test('50 pages asking at once, and again within the second, cost Prometheus one query', async () => {
    let now = 1_000_000;
    const gateway = await startGateway({
      upstreams,
      authMode: 'none',
      prometheusUrl: prometheus.url,
      clock: () => now,
    });
    try {
      const ask = () =>
        fetch(`${gateway.url}/api/scaling`).then((r) => r.json() as Promise<{ enabled: boolean }>);
      const answers = await Promise.all(Array.from({ length: 50 }, ask));
      now += 999;
      await ask();
      expect(prometheus.queries).toHaveLength(1);
      now += 1;
      await Promise.all(Array.from({ length: 20 }, ask));
      expect(prometheus.queries).toHaveLength(2);
      expect(answers.every((a) => a.enabled)).toBe(true);
      const q = prometheus.queries[0]!;
      expect(Number(q.get('end')) - Number(q.get('start'))).toBe(600);
      expect(q.get('step')).toBe('5s');
      expect(q.get('query')).toContain('count by (service, component, job) (up == 1)');
    } finally {
      await gateway.close();
    }
  });

  test('without PROMETHEUS_URL the panel is off and says why', async () => {
    const gateway = await startGateway({ upstreams, authMode: 'none' });
    try {
      const res = await fetch(`${gateway.url}/api/scaling`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        enabled: false,
        message: 'PROMETHEUS_URL is not set on the gateway',
        services: [],
      });
    } finally {
      await gateway.close();
    }
  });

  test.each([
    ['unreachable', 'refused', 'prometheus_unavailable', /did not answer/],
    ['answering an error', 'error', 'prometheus_error', /HTTP 400: parse error/],
    ['answering a vector', 'vector', 'prometheus_error', /not a matrix/],
    ['answering HTML', 'html', 'prometheus_error', /no JSON/],
  ])('Prometheus %s: 502 %s', async (_name, mode, code, message) => {
    if (mode === 'error')
      answer = { status: 400, body: JSON.stringify({ status: 'error', error: 'parse error' }) };
    if (mode === 'vector')
      answer = {
        status: 200,
        body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [] } }),
      };
    if (mode === 'html') answer = { status: 502, body: '<html>bad gateway</html>' };
    const url = mode === 'refused' ? await refusedUrl() : prometheus.url;
    const gateway = await startGateway({ upstreams, authMode: 'none', prometheusUrl: url });
    try {
      const res = await fetch(`${gateway.url}/api/scaling`);
      expect(res.status).toBe(502);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(message);
    } finally {
      await gateway.close();
    }
  });
});
