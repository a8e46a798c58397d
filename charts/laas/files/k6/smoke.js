// In-cluster load test run by the chart's k6 Job (templates/loadtest.yaml).
// Everything it varies comes from the environment the Job sets from values.yaml:
//   TARGET      base URL, e.g. http://laas-gateway:4002
//   TARGET_PATH path and query, e.g. /random?count=25
//   STAGES      JSON list of {duration, target} where target is requests per second
//   P99_MS      99th percentile bound in milliseconds
//   MAX_ERROR_RATE largest tolerated fraction of failed requests
// The run fails (exit code 99, so the Job fails) when a threshold is crossed.
import http from 'k6/http';
import { check } from 'k6';

const stages = JSON.parse(__ENV.STAGES || '[{"duration":"10s","target":5}]');
const p99 = Number(__ENV.P99_MS || 300);
const maxErrorRate = Number(__ENV.MAX_ERROR_RATE || 0.01);
const peak = stages.reduce((m, s) => Math.max(m, Number(s.target)), 1);

export const options = {
  scenarios: {
    load: {
      executor: 'ramping-arrival-rate',
      startRate: Number(stages[0].target),
      timeUnit: '1s',
      preAllocatedVUs: Math.max(2, Math.ceil(peak / 10)),
      maxVUs: Math.max(10, peak * 2),
      stages,
    },
  },
  thresholds: {
    http_req_duration: [`p(99)<${p99}`],
    http_req_failed: [`rate<${maxErrorRate}`],
    checks: [`rate>${1 - maxErrorRate}`],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max'],
};

export default function () {
  const res = http.get(`${__ENV.TARGET}${__ENV.TARGET_PATH || '/'}`);
  check(res, { 'status is 2xx': (r) => r.status >= 200 && r.status < 300 });
}
