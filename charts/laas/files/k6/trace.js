// A load trace for the closed-loop runs: GET ${BASE_URL}${TARGET_PATH} at an arrival rate that
// follows STAGES (JSON: [[rps, seconds], ...], k6 ramps linearly within each stage). Open model
// (ramping-arrival-rate): k6 starts the offered requests whatever the latency, so an under-scaled
// service shows up as latency, failures and dropped iterations, never as a quietly lower rate.
//
// Env: BASE_URL (required), STAGES (required), TARGET_PATH (default /random?count=25),
// HEAVY_PATH and HEAVY_FROM (seconds): from that time on, requests use HEAVY_PATH (the
// request-cost change), MAX_VUS (default 3 x the highest rate, at least 100).
// Per-request data is written by `--out csv=...` (the runner reads http_req_duration,
// http_req_failed and dropped_iterations from it); no checks, to keep that file small.
import http from 'k6/http';
import exec from 'k6/execution';

const BASE_URL = __ENV.BASE_URL;
if (!BASE_URL) throw new Error('set BASE_URL, e.g. -e BASE_URL=http://127.0.0.1:8080');
if (!__ENV.STAGES) throw new Error('set STAGES, e.g. -e STAGES=[[20,60],[100,1],[100,119]]');
const STAGES = JSON.parse(__ENV.STAGES);
const TARGET_PATH = __ENV.TARGET_PATH || '/random?count=25';
const HEAVY_PATH = __ENV.HEAVY_PATH || TARGET_PATH;
const HEAVY_FROM_MS = __ENV.HEAVY_FROM ? Number(__ENV.HEAVY_FROM) * 1000 : Infinity;
const PEAK = Math.max(...STAGES.map((s) => s[0]));
const MAX_VUS = Number(__ENV.MAX_VUS || Math.max(100, PEAK * 3));

export const options = {
  discardResponseBodies: true,
  systemTags: ['status', 'expected_response'],
  summaryTrendStats: ['avg', 'med', 'p(99)', 'max'],
  scenarios: {
    trace: {
      executor: 'ramping-arrival-rate',
      startRate: STAGES[0][0],
      timeUnit: '1s',
      stages: STAGES.map(([target, seconds]) => ({ target, duration: `${seconds}s` })),
      preAllocatedVUs: Math.max(20, Math.ceil(PEAK * 0.5)),
      maxVUs: MAX_VUS,
      gracefulStop: '5s',
    },
  },
};

export default function () {
  const heavy = exec.instance.currentTestRunDuration >= HEAVY_FROM_MS;
  http.get(`${BASE_URL}${heavy ? HEAVY_PATH : TARGET_PATH}`, { timeout: '5s' });
}
