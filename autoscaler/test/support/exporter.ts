// A test exporter: a node:http server writing the Prometheus text exposition of the same metrics
// the laas services export (http_requests_total and http_request_duration_seconds with a 0.3
// bucket), with values the test drives, and, when driven with `arrivingRps`, the services'
// http_requests_received_total (only the `service` label, as services/shared exports it).
// A real Prometheus scrapes it.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export const BUCKETS = [0.05, 0.1, 0.3, 0.5, 1];

interface Series {
  count: number;
  sum: number;
  buckets: number[]; // cumulative counts per BUCKETS bound
}

export interface Exporter {
  target: string; // host:port for the scrape config
  /** Records `n` requests of `seconds` each on a route. */
  record(n: number, seconds: number, route?: string): void;
  /**
   * Every 100 ms records the requests due at `rps`: a fraction `slow` of them at `slowSeconds`, the rest at
   * `fastSeconds`. Replaces any previous drive. rps 0 stops. With `arrivingRps`, also counts that
   * many requests per second as arrived (more than `rps`: requests that queue and are not answered).
   */
  drive(opts: {
    rps: number;
    slow?: number;
    fastSeconds?: number;
    slowSeconds?: number;
    arrivingRps?: number;
  }): void;
  close(): Promise<void>;
}

export async function startExporter(service = 'images'): Promise<Exporter> {
  const series = new Map<string, Series>();
  const get = (route: string): Series => {
    let s = series.get(route);
    if (!s) {
      s = { count: 0, sum: 0, buckets: BUCKETS.map(() => 0) };
      series.set(route, s);
    }
    return s;
  };
  const record = (n: number, seconds: number, route = '/random') => {
    const s = get(route);
    s.count += n;
    s.sum += n * seconds;
    BUCKETS.forEach((le, i) => {
      if (seconds <= le) s.buckets[i] = (s.buckets[i] ?? 0) + n;
    });
  };
  // null: the counter is not exported at all (a service built before it).
  let received: number | null = null;
  const server = createServer((_req, res) => {
    const lines: string[] = [];
    if (received !== null) {
      lines.push('# TYPE http_requests_received_total counter');
      lines.push(`http_requests_received_total{service="${service}"} ${received}`);
    }
    lines.push('# TYPE http_requests_total counter');
    for (const [route, s] of series) {
      lines.push(
        `http_requests_total{service="${service}",method="GET",route="${route}",status_code="200"} ${s.count}`,
      );
    }
    lines.push('# TYPE http_request_duration_seconds histogram');
    for (const [route, s] of series) {
      const l = `service="${service}",method="GET",route="${route}",status_code="200"`;
      BUCKETS.forEach((le, i) =>
        lines.push(`http_request_duration_seconds_bucket{${l},le="${le}"} ${s.buckets[i]}`),
      );
      lines.push(`http_request_duration_seconds_bucket{${l},le="+Inf"} ${s.count}`);
      lines.push(`http_request_duration_seconds_sum{${l}} ${s.sum}`);
      lines.push(`http_request_duration_seconds_count{${l}} ${s.count}`);
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(lines.join('\n') + '\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let timer: NodeJS.Timeout | undefined;
  // Fractional requests per tick are carried over so that 25 RPS is 2.5 per tick on average.
  let carry = 0;
  let slowCarry = 0;
  let arrivingCarry = 0;
  return {
    target: `127.0.0.1:${port}`,
    record,
    drive({ rps, slow = 0, fastSeconds = 0.08, slowSeconds = 0.4, arrivingRps }) {
      if (timer) clearInterval(timer);
      timer = undefined;
      // Always create the series, so an idle service reads as 0 RPS rather than as missing.
      record(0, fastSeconds);
      if (arrivingRps !== undefined) received ??= 0;
      if (rps <= 0 && (arrivingRps ?? 0) <= 0) return;
      // Requests are added in proportion to the wall time elapsed, not per tick: on a busy
      // machine the 100 ms timer fires late, and the rate must still be what the test asked.
      let last = performance.now();
      timer = setInterval(() => {
        const now = performance.now();
        carry += (rps * (now - last)) / 1000;
        if (arrivingRps !== undefined && received !== null) {
          arrivingCarry += (arrivingRps * (now - last)) / 1000;
          const a = Math.floor(arrivingCarry);
          arrivingCarry -= a;
          received += a;
        }
        last = now;
        const n = Math.floor(carry);
        carry -= n;
        slowCarry += n * slow;
        const slowN = Math.floor(slowCarry);
        slowCarry -= slowN;
        record(n - slowN, fastSeconds);
        if (slowN > 0) record(slowN, slowSeconds);
      }, 100);
    },
    async close() {
      if (timer) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
