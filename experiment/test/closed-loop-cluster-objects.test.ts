// The closed loop's cluster objects (cluster-objects.ts) and its reading of k6's log, checked as
// the real kube-apiserver of the test bed would take them (server-side dry run: validated, not
// stored), plus the pure parts.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { REPO_ROOT } from '@laas/local';
import { testKube } from '@laas/testbed';
import type { KubeCluster } from '@laas/testbed';
import { chartSets } from '../src/closed-loop/cluster-install.js';
import {
  EXPERIMENT_LABELS,
  hpaObject,
  oursObject,
  TRACE_SHELL,
  traceConfigMap,
  traceJob,
} from '../src/closed-loop/cluster-objects.js';
import { recordsFromLog } from '../src/closed-loop/k6-trace.js';
import { closedLoopSettings, DEFAULT_SETTINGS } from '../src/closed-loop/run.js';
import { atLoadScale, scenarioByName } from '../src/closed-loop/scenarios.js';

let kube: KubeCluster;
const ns = `closed-loop-${randomBytes(3).toString('hex')}`;

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await kube.kubectl(args, { input, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  kube = testKube();
  await kubectl(['apply', '-f', join(REPO_ROOT, 'autoscaler', 'crd', 'laas.dev_latencyautoscalers.yaml')]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=30s', 'crd/latencyautoscalers.laas.dev']);
  await kubectl(['create', 'namespace', ns]);
}, 120_000);

afterAll(async () => {
  await kube?.kubectl(['delete', 'namespace', ns, '--wait=false']);
});

describe('the objects of a closed-loop run in a cluster, as the API server takes them', () => {
  const step = scenarioByName('step');
  test.each([
    { label: 'the k6 script ConfigMap', object: () => traceConfigMap(ns) },
    {
      label: 'the trace Job (the chart k6 image, the experiment labels)',
      object: () =>
        traceJob(ns, 'closed-loop-step', step, {
          baseUrl: 'http://laas-images.laas.svc:4000',
          image: 'docker.io/laas/k6:dev',
        }),
    },
    {
      label: 'the request-cost-change Job (HEAVY_PATH from 60 s)',
      object: () =>
        traceJob(ns, 'closed-loop-cost', scenarioByName('cost-change'), {
          baseUrl: 'http://x:4000',
          image: 'k6',
        }),
    },
    {
      label: 'the autoscaling/v2 HPA on CPU at 65 %',
      object: () =>
        hpaObject(ns, 'closed-loop-images', 'laas-images', 65, { minReplicas: 1, maxReplicas: 5 }),
    },
    {
      label: 'our LatencyAutoscaler (the CRD validates it)',
      object: () =>
        oursObject(ns, 'closed-loop-images', 'laas-images', {
          prometheusUrl: 'http://laas-prometheus.laas.svc:9090',
          bounds: { minReplicas: 1, maxReplicas: 5 },
          rpsPerReplica: 30,
          targetUtilization: 0.7,
          fallbackReplicas: 2,
          scrapeIntervalSeconds: 5,
        }),
    },
  ])(
    '$label passes a server-side dry run',
    async ({ object }) => {
      const out = await kubectl(
        ['apply', '--dry-run=server', '-o', 'name', '-f', '-'],
        JSON.stringify(object()),
      );
      expect(out.trim()).not.toBe('');
    },
    60_000,
  );
});

describe('the pure parts', () => {
  test('the Job carries the labels the chart admits to images (networkPolicy.allowExperiment) and the trace stages', () => {
    const job = traceJob('laas', 'j', scenarioByName('step'), { baseUrl: 'http://images:4000', image: 'k6' });
    expect(job.spec?.template.metadata?.labels).toEqual(EXPERIMENT_LABELS);
    const env = Object.fromEntries(
      (job.spec?.template.spec?.containers[0]?.env ?? []).map((e) => [e.name, e.value]),
    );
    expect(JSON.parse(env.STAGES!)).toEqual([
      [10, 60],
      [50, 1],
      [50, 119],
      [10, 1],
      [10, 59],
    ]);
    expect(env.K6_CSV_TIME_FORMAT).toBe('unix_milli');
    expect(job.spec?.template.spec?.containers[0]?.command).toEqual(['bash', '-c', TRACE_SHELL]);
  });

  test("k6's rows are read out of a pod log with warnings before and among them", () => {
    const log = [
      'time="2026-12-01T22:00:00Z" level=warning msg="Insufficient VUs"',
      'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata',
      'http_req_duration,1764626400123,12.5,,,,true,,GET,,,,,200,,,,,',
      'time="2026-12-01T22:00:01Z" level=warning msg="Request Failed"',
      'http_req_duration,1764626400456,5000.1,,,,false,,GET,,,,,0,,,,,',
      'dropped_iterations,1764626401000,2,,,,,,,,,,,,,,,,',
      '',
    ].join('\n');
    expect(recordsFromLog(log)).toEqual([
      { endMs: 1764626400123, durationMs: 12.5, failed: false },
      { endMs: 1764626400456, durationMs: 5000.1, failed: true },
      { endMs: 1764626401000, durationMs: 0, failed: true },
      { endMs: 1764626401000, durationMs: 0, failed: true },
    ]);
  });

  test('a log without the CSV header is an error that says so', () => {
    expect(() => recordsFromLog('level=error msg="could not resolve host"\n')).toThrow(/no CSV header/);
  });

  test('the chart is installed with the run quota as request and limit, and every chart LatencyAutoscaler off (gateway and auth fixed at 1)', () => {
    expect(chartSets(DEFAULT_SETTINGS)).toEqual(
      expect.arrayContaining([
        'images.resources.requests.cpu=100m',
        'images.resources.limits.cpu=100m',
        'images.autoscaling.enabled=false',
        'gateway.autoscaling.enabled=false',
        'gateway.replicaCount=1',
        'auth.autoscaling.enabled=false',
        'auth.replicaCount=1',
        'networkPolicy.allowExperiment=true',
        'prometheus.enabled=true',
      ]),
    );
  });
});

describe('closedLoopSettings: our configured capacity scales with the replicas quota unless given', () => {
  test.each<[string, Parameters<typeof closedLoopSettings>[0], number]>([
    ['100m, nothing given: 30 RPS', { cpuMillis: 100 }, 30],
    ['50m: half the capacity, 15 RPS', { cpuMillis: 50 }, 15],
    ['250m: 75 RPS', { cpuMillis: 250 }, 75],
    ['33m: rounded to a tenth, 9.9 RPS', { cpuMillis: 33 }, 9.9],
    ['a capacity given wins over the quota', { cpuMillis: 50, rpsPerReplica: 300 }, 300],
  ])('%s', (_name, given, rps) => {
    const settings = closedLoopSettings(given);
    expect(settings).toEqual({ ...DEFAULT_SETTINGS, cpuMillis: given?.cpuMillis, rpsPerReplica: rps });
  });

  test('the load scale is kept in the settings (results.json re-draws the same traces from it)', () => {
    expect(closedLoopSettings({ loadScale: 5 }).loadScale).toBe(5);
  });
});

describe('atLoadScale: every rate of a trace times the factor, same shape and times', () => {
  test.each([
    ['step', 5, [10, 50, 10], [50, 250, 50]],
    ['flash-crowd', 5, [8, 80, 8], [40, 400, 40]],
    ['step', 1, [10, 50, 10], [10, 50, 10]],
  ])('%s at x%d', (name, factor, before, after) => {
    const base = scenarioByName(name);
    const scaled = atLoadScale(base, factor);
    expect([30, 90, 200].map((t) => base.rps(t))).toEqual(before);
    expect([30, 90, 200].map((t) => scaled.rps(t))).toEqual(after);
    expect(scaled.durationSeconds).toBe(base.durationSeconds);
    expect(scaled.stepAt).toBe(base.stepAt);
  });

  test.each([0, -1, Number.NaN])('a factor of %d is refused', (factor) => {
    expect(() => atLoadScale(scenarioByName('step'), factor)).toThrow(
      /a load scale must be a number above 0/,
    );
  });
});
