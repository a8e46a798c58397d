// One plateau of the scaling experiment: GET ${BASE_URL}${TARGET_PATH} at a constant arrival rate
// of RATE requests per second for DURATION. Open model: k6 starts RATE iterations per second
// whatever the latency, so a saturated server shows up as latency, errors and
// `dropped_iterations` (k6 ran out of VUs), not as a quietly lower request rate.
//
// Thresholds are cumulative over a run, which is why the experiment runs one short plateau per
// offered rate instead of one long ramp (a ramp's p99 mixes every rate it went through).
//
// Env: BASE_URL (required), TARGET_PATH (default /random?count=25), RATE (default 100),
// DURATION (default 10s), PRE_VUS / MAX_VUS (default from RATE), HEADERS (a JSON object of
// request headers, e.g. {"authorization": "Bearer ..."}), SUMMARY_PATH (write the JSON
// summary there; without it, print it on stdout between markers, which is how the in-cluster
// Job hands it back through its logs).
import http from 'k6/http';
import { check } from 'k6';

const BASE_URL = __ENV.BASE_URL;
if (!BASE_URL) throw new Error('set BASE_URL, e.g. -e BASE_URL=http://127.0.0.1:8080');
const TARGET_PATH = __ENV.TARGET_PATH || '/random?count=25';
const RATE = Number(__ENV.RATE || 100);
const DURATION = __ENV.DURATION || '10s';
const HEADERS = __ENV.HEADERS ? JSON.parse(__ENV.HEADERS) : {};
// At the rates that pass, latency stays under 300 ms, so at most RATE x 0.3 s VUs are busy: that many
// are allocated up front (allocating mid-run drops iterations); twice as many may be added under overload.
const PRE_VUS = Number(__ENV.PRE_VUS || Math.max(20, Math.ceil(RATE * 0.3)));
const MAX_VUS = Number(__ENV.MAX_VUS || Math.max(50, Math.ceil(RATE * 0.6)));

export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['avg', 'min', 'med', 'max', 'p(50)', 'p(90)', 'p(95)', 'p(99)'],
  scenarios: {
    plateau: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      preAllocatedVUs: PRE_VUS,
      maxVUs: MAX_VUS,
      gracefulStop: '2s',
    },
  },
  thresholds: {
    http_req_duration: ['p(99)<300'],
    http_req_failed: ['rate<0.01'],
  },
};

export default function () {
  const res = http.get(`${BASE_URL}${TARGET_PATH}`, { timeout: '5s', headers: HEADERS });
  check(res, { 'status is 200': (r) => r.status === 200 });
}

export function handleSummary(data) {
  const json = JSON.stringify(data);
  if (__ENV.SUMMARY_PATH) return { [__ENV.SUMMARY_PATH]: json };
  return { stdout: `\n@@LAAS_K6_SUMMARY_BEGIN@@${json}@@LAAS_K6_SUMMARY_END@@\n` };
}
