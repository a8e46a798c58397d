// A short, bounded smoke test: a few VUs for a few seconds against GET /random?count=N.
// Passes when every response is 200 with `message` holding N URLs and errors stay under 1%.
//   k6 run -e BASE_URL=http://127.0.0.1:4000 charts/laas/files/k6/smoke.js
// Env: BASE_URL (required), COUNT (default 25), VUS (default 3), DURATION (default 5s),
// SUMMARY_PATH (also write the JSON summary there).
import http from 'k6/http';
import { check, sleep } from 'k6';

const BASE_URL = __ENV.BASE_URL;
if (!BASE_URL) throw new Error('set BASE_URL, e.g. -e BASE_URL=http://127.0.0.1:4000');
const COUNT = Number(__ENV.COUNT || 25);

export const options = {
  vus: Number(__ENV.VUS || 3),
  duration: __ENV.DURATION || '5s',
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
  thresholds: {
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
    http_req_duration: ['p(99)<1000'],
  },
};

export default function () {
  const res = http.get(`${BASE_URL}/random?count=${COUNT}`);
  check(res, {
    'status is 200': (r) => r.status === 200,
    [`message holds ${COUNT} URLs`]: (r) => {
      try {
        const body = r.json();
        return Array.isArray(body.message) && body.message.length === COUNT;
      } catch {
        return false;
      }
    },
  });
  sleep(0.05);
}

// A short verdict on stdout, and the whole summary as JSON at SUMMARY_PATH when set.
export function handleSummary(data) {
  const m = data.metrics;
  const crossed = Object.entries(m)
    .flatMap(([name, metric]) =>
      Object.entries(metric.thresholds || {}).map(([rule, t]) => ({ name, rule, ok: t.ok })),
    )
    .filter((t) => !t.ok);
  const line =
    `smoke: ${m.http_reqs.values.count} requests, ${(m.http_req_failed.values.rate * 100).toFixed(2)}% failed, ` +
    `p95 ${m.http_req_duration.values['p(95)'].toFixed(1)} ms, p99 ${m.http_req_duration.values['p(99)'].toFixed(1)} ms, ` +
    `checks ${m.checks.values.passes} passed / ${m.checks.values.fails} failed; ` +
    (crossed.length === 0
      ? 'all thresholds met\n'
      : `thresholds crossed: ${crossed.map((t) => `${t.name} ${t.rule}`).join(', ')}\n`);
  const out = { stdout: line };
  if (__ENV.SUMMARY_PATH) out[__ENV.SUMMARY_PATH] = JSON.stringify(data);
  return out;
}
