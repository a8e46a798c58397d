import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '@laas/cluster';
import { summaryFromLogs } from '@laas/experiment';
import type { ExperimentResults, K6Summary } from '@laas/experiment';
import { eventually, startLabRelease } from './lab-release.js';
import { LAB_SUITE_LOCK_TIMEOUT_MS } from './suite-lock.js';
import type { LabRelease } from './lab-release.js';

/**
 * The chart under in-cluster k6 load, on one lab cluster for this whole file: the chart's own k6
 * Job, scaling, rollouts and evictions that must lose no request, a SIGKILL whose losses are
 * counted, `npm run experiment -- --target cluster` for real, and last the chart's autoscaler
 * reading the chart's Prometheus under load.
 *
 * The load is small on purpose (20 requests per second through the gateway): the machine has two
 * cores shared by the whole cluster, and what is tested here is that no request is dropped while
 * pods come and go, not how much the pods can serve (that is the experiment's job).
 */
const STATE_DIR = join(repoRoot, '.lab', 'load-test');
const NS = 'laas';
const RELEASE = 'laas';
const START_TIMEOUT_MS = 40 * 60_000;
const SUITE_LOCK_TIMEOUT_MS = LAB_SUITE_LOCK_TIMEOUT_MS;
const RATE = 20;

/**
 * Lab values plus what a load test needs: nobody but the test scales the Deployments (the
 * autoscaler is off until the last test turns it on), two images replicas so that a single eviction or kill leaves one serving, and CPU
 * requests small enough that five images pods, two gateways and the k6 pods all fit the 2-core
 * node (limits stay the chart's: requests only reserve, limits throttle).
 */
const HELM_ARGS = [
  '--set',
  [
    'autoscaler.enabled=false',
    'images.autoscaling.enabled=false',
    'gateway.autoscaling.enabled=false',
    'images.replicaCount=2',
    'gateway.replicaCount=2',
    'images.resources.requests.cpu=50m',
    'gateway.resources.requests.cpu=50m',
    'auth.resources.requests.cpu=50m',
    'loadtest.resources.requests.cpu=100m',
    'prometheus.resources.requests.cpu=50m',
  ].join(','),
];

let lab: LabRelease | undefined;
let startError: unknown;

function started(): LabRelease {
  if (!lab) throw new Error(`the lab cluster or the release did not start: ${String(startError)}`);
  return lab;
}

const kubectl = (args: string[], input?: string, timeoutMs?: number): Promise<string> =>
  started().kubectl(['-n', NS, ...args], input, timeoutMs);

beforeAll(async () => {
  try {
    lab = await startLabRelease({
      stateDir: STATE_DIR,
      namespace: NS,
      release: RELEASE,
      helmArgs: HELM_ARGS,
      lockTimeoutMs: SUITE_LOCK_TIMEOUT_MS,
    });
  } catch (error) {
    startError = error;
    throw error;
  }
}, SUITE_LOCK_TIMEOUT_MS + START_TIMEOUT_MS);

afterAll(async () => {
  await lab?.stop();
}, 180_000);

interface LoadFigures {
  requests: number;
  failed: number;
  dropped: number;
  p99Ms: number;
}

function figures(summary: K6Summary): LoadFigures {
  const metric = (name: string, key: string): number => {
    const values = (summary.metrics[name] as { values?: Record<string, number> } | undefined)?.values;
    return values?.[key] ?? 0;
  };
  return {
    requests: metric('http_reqs', 'count'),
    // http_req_failed is a Rate metric: `passes` counts the requests it flagged as failed.
    failed: metric('http_req_failed', 'passes'),
    dropped: metric('dropped_iterations', 'count'),
    p99Ms: metric('http_req_duration', 'p(99)'),
  };
}

/** Waits until a Job has finished (complete or failed) and returns its k6 summary from the logs. */
async function jobSummary(job: string, timeoutMs: number): Promise<K6Summary> {
  const done = await eventually(async () => {
    const status = await kubectl(['get', 'job', job, '-o', 'jsonpath={.status.succeeded}/{.status.failed}']);
    return /^[1-9]/.test(status) || /\/[1-9]/.test(status);
  }, timeoutMs);
  if (!done) throw new Error(`job/${job} did not finish within ${timeoutMs} ms`);
  return summaryFromLogs(await kubectl(['logs', `job/${job}`, '-c', 'k6']));
}

/** The pod template of the chart's k6 Job (the first test installs it), for the steady loads. */
let loadtestPod: Record<string, unknown> | undefined;
let k6Image = '';
let loads = 0;

/**
 * Starts a steady k6 load through the gateway: a Job whose pod is the chart's loadtest pod (same
 * image, labels the NetworkPolicies admit, script ConfigMap, security context), running one
 * plateau.js at `RATE` requests per second for `durationSec`. Resolves once k6 runs.
 */
async function startLoad(durationSec: number): Promise<string> {
  if (!loadtestPod) throw new Error("the chart's k6 Job did not run: no pod template to copy");
  const name = `steady-${++loads}`;
  const pod = structuredClone(loadtestPod) as {
    metadata: { labels: Record<string, string> };
    spec: { containers: { command: string[] }[] };
  };
  // The Job controller adds these to its own pods' template; a new Job gets its own.
  for (const key of Object.keys(pod.metadata.labels)) {
    if (key.includes('controller-uid') || key.includes('job-name')) delete pod.metadata.labels[key];
  }
  pod.spec.containers[0]!.command = [
    'k6',
    'run',
    '--no-usage-report',
    '-e',
    `RATE=${RATE}`,
    '-e',
    `DURATION=${durationSec}s`,
    // Three times plateau.js's default VUs: a VU waiting on a slow answer during a disruption
    // must not make k6 drop the arrivals behind it (those requests would never be sent).
    '-e',
    'PRE_VUS=60',
    '-e',
    'MAX_VUS=150',
    '/scripts/plateau.js',
  ];
  await kubectl(
    ['apply', '-f', '-'],
    JSON.stringify({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: NS },
      spec: { backoffLimit: 0, template: pod },
    }),
  );
  const running = await eventually(async () => {
    const logs = await kubectl(['logs', `job/${name}`, '-c', 'k6']);
    return /running \(/.test(logs) || /default|plateau/.test(logs);
  }, 120_000);
  if (!running) throw new Error(`job/${name}: k6 did not start within 120 s`);
  // k6 prints its banner before the first request: give the arrival-rate executor a moment.
  await sleep(3_000);
  return name;
}

/**
 * The gateway's log lines about failed upstream calls in the last few minutes: printed next to a
 * non-zero failure count, so a CI log says which hop failed and how.
 */
async function gatewayFailures(): Promise<string> {
  const logs = await kubectl([
    'logs',
    '-l',
    'app.kubernetes.io/component=gateway',
    '--since=5m',
    '--tail=2000',
    '--prefix',
  ]).catch((error: unknown) => String(error));
  return logs
    .split('\n')
    .filter((line) => /"level":(4|5)0/.test(line))
    .slice(-20)
    .join('\n');
}

/** Asserts that a load lost nothing; on a loss, prints the gateway's warnings first. */
async function expectNoFailures(what: string, result: LoadFigures): Promise<void> {
  process.stdout.write(
    `load.test: ${what}: ${result.failed} of ${result.requests} requests failed, p99 ${result.p99Ms.toFixed(0)} ms, ${result.dropped} dropped\n`,
  );
  if (result.failed > 0) process.stdout.write(`load.test: gateway warnings:\n${await gatewayFailures()}\n`);
  expect({ what, failed: result.failed }).toEqual({ what, failed: 0 });
}

/** Fails the test when the load Job finished before the disruption did (the disruption then went unobserved). */
async function expectStillLoading(job: string): Promise<void> {
  const active = await kubectl(['get', 'job', job, '-o', 'jsonpath={.status.active}']);
  expect({ job, loadStillRunning: active.trim() === '1' }).toEqual({ job, loadStillRunning: true });
}

async function imagesPods(): Promise<string[]> {
  const out = await kubectl([
    'get',
    'pods',
    '-l',
    'app.kubernetes.io/component=images',
    '-o',
    'jsonpath={.items[*].metadata.name}',
  ]);
  return out.split(/\s+/).filter(Boolean);
}

/** Scales images and waits until exactly `replicas` pods exist (the ones leaving are gone) and are Ready. */
async function scaleImages(replicas: number): Promise<void> {
  await kubectl(['scale', `deployment/${RELEASE}-images`, `--replicas=${replicas}`]);
  await kubectl(['rollout', 'status', `deployment/${RELEASE}-images`, '--timeout=240s'], undefined, 260_000);
  const settled = await eventually(async () => (await imagesPods()).length === replicas, 120_000, 1_000);
  expect(settled).toBe(true);
}

async function rolloutRestart(component: 'images' | 'gateway'): Promise<void> {
  const before = new Set(
    (
      await kubectl([
        'get',
        'pods',
        '-l',
        `app.kubernetes.io/component=${component}`,
        '-o',
        'jsonpath={.items[*].metadata.name}',
      ])
    )
      .split(/\s+/)
      .filter(Boolean),
  );
  await kubectl(['rollout', 'restart', `deployment/${RELEASE}-${component}`]);
  await kubectl(
    ['rollout', 'status', `deployment/${RELEASE}-${component}`, '--timeout=240s'],
    undefined,
    260_000,
  );
  // rollout status returns when the new pods are Ready; the old ones may still be draining.
  const gone = await eventually(async () => {
    const now = await kubectl([
      'get',
      'pods',
      '-l',
      `app.kubernetes.io/component=${component}`,
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ]);
    return now.split(/\s+/).every((pod) => !before.has(pod));
  }, 120_000);
  expect(gone).toBe(true);
}

/** `helm upgrade` of the lab release with its current values plus `sets` (helm's --set syntax). */
async function upgradeRelease(sets: string): Promise<void> {
  await started().helm(
    [
      'upgrade',
      RELEASE,
      'charts/laas',
      '--namespace',
      NS,
      '--reuse-values',
      '--set',
      sets,
      '--wait',
      '--timeout',
      '5m',
    ],
    6 * 60_000,
  );
}

describe('the chart under in-cluster k6 load, in the lab cluster', () => {
  test("the chart's k6 Job (loadtest.enabled, plateau.js) runs against the gateway, and its JSON summary is read back from its logs", async () => {
    await upgradeRelease(
      `loadtest.enabled=true,loadtest.script=plateau.js,loadtest.stages[0].duration=10s,loadtest.stages[0].rate=${RATE}`,
    );
    const job = (
      await kubectl([
        'get',
        'jobs',
        '-l',
        'app.kubernetes.io/component=loadtest',
        '-o',
        'jsonpath={.items[0].metadata.name}',
      ])
    ).trim();
    expect(job).toBe(`${RELEASE}-loadtest-2`);
    const summary = await jobSummary(job, 240_000);
    const result = figures(summary);
    // 10 s at 20 per second: 200 arrivals, all answered.
    expect(result.requests).toBeGreaterThanOrEqual(190);
    expect(result.failed).toBe(0);
    expect(summary.metrics['checks']).toBeDefined();
    const template = JSON.parse(await kubectl(['get', 'job', job, '-o', 'json'])) as {
      spec: { template: Record<string, unknown> & { spec: { containers: { image: string }[] } } };
    };
    loadtestPod = template.spec.template;
    k6Image = template.spec.template.spec.containers[0]!.image;
    expect((await kubectl(['get', 'job', job, '-o', 'jsonpath={.status.succeeded}'])).trim()).toBe('1');
  }, 420_000);

  describe('no request is lost under steady load through the gateway', () => {
    test('while images is scaled from 5 replicas to 1', async () => {
      await scaleImages(5);
      const job = await startLoad(40);
      await scaleImages(1);
      await expectStillLoading(job);
      const result = figures(await jobSummary(job, 180_000));
      expect(result.requests).toBeGreaterThanOrEqual(RATE * 38);
      await expectNoFailures('images 5 -> 1', result);
    }, 600_000);

    test.each(['images', 'gateway'] as const)(
      'during `kubectl rollout restart` of %s',
      async (component) => {
        const job = await startLoad(60);
        await rolloutRestart(component);
        await expectStillLoading(job);
        const result = figures(await jobSummary(job, 180_000));
        expect(result.requests).toBeGreaterThanOrEqual(RATE * 58);
        await expectNoFailures(`rollout restart of ${component}`, result);
      },
      600_000,
    );

    test('while each images pod is evicted through the Eviction API, the PodDisruptionBudget refusing while a replacement is not Ready', async () => {
      await scaleImages(2);
      const pods = await imagesPods();
      expect(pods).toHaveLength(2);
      const job = await startLoad(60);
      let refusals = 0;
      for (const pod of pods) {
        const evicted = await eventually(
          async () => {
            try {
              await kubectl(
                ['create', '--raw', `/api/v1/namespaces/${NS}/pods/${pod}/eviction`, '-f', '-'],
                JSON.stringify({
                  apiVersion: 'policy/v1',
                  kind: 'Eviction',
                  metadata: { name: pod, namespace: NS },
                }),
              );
              return true;
            } catch (error) {
              // 429 TooManyRequests: the budget allows no disruption right now.
              if (/disruption budget|TooManyRequests|429/i.test(String(error))) refusals++;
              else throw error;
              return false;
            }
          },
          180_000,
          1_000,
        );
        expect({ pod, evicted }).toEqual({ pod, evicted: true });
      }
      const replaced = await eventually(async () => {
        const now = await imagesPods();
        const ready = await kubectl([
          'get',
          'deployment',
          `${RELEASE}-images`,
          '-o',
          'jsonpath={.status.readyReplicas}',
        ]);
        return now.length === 2 && now.every((p) => !pods.includes(p)) && ready.trim() === '2';
      }, 180_000);
      expect(replaced).toBe(true);
      await expectStillLoading(job);
      const result = figures(await jobSummary(job, 180_000));
      expect(result.requests).toBeGreaterThanOrEqual(RATE * 58);
      await expectNoFailures(`eviction of ${pods.join(' and ')} (${refusals} refusals by the PDB)`, result);
      // maxUnavailable 1: the second eviction waits for the first pod's replacement.
      expect(refusals).toBeGreaterThan(0);
    }, 600_000);
  });

  test('a SIGKILLed images pod costs a bounded number of requests, and the Deployment recovers', async () => {
    const pods = await imagesPods();
    expect(pods).toHaveLength(2);
    const victim = pods[0]!;
    const restartsBefore = Number(
      await kubectl(['get', 'pod', victim, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']),
    );
    const job = await startLoad(40);
    await sleep(5_000);
    const pid = containerMainPid(await containerId(victim));
    // The process killed is the images service itself (the container's CMD), not the sandbox.
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean)).toEqual([
      'node',
      'services/images/dist/main.js',
    ]);
    process.kill(pid, 'SIGKILL');
    // And it is gone: reaped by its shim, so no /proc entry is left (a zombie would keep one).
    expect(await eventually(async () => !existsSync(`/proc/${pid}`), 10_000, 100)).toBe(true);
    const recovered = await eventually(async () => {
      const restarts = Number(
        await kubectl(['get', 'pod', victim, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']),
      );
      const ready = await kubectl([
        'get',
        'deployment',
        `${RELEASE}-images`,
        '-o',
        'jsonpath={.status.readyReplicas}',
      ]);
      return restarts > restartsBefore && ready.trim() === '2';
    }, 180_000);
    expect(recovered).toBe(true);
    const result = figures(await jobSummary(job, 180_000));
    process.stdout.write(
      `load.test: SIGKILL of one of 2 images pods at ${RATE} RPS: ${result.failed} of ${result.requests} requests failed\n`,
    );
    expect(result.requests).toBeGreaterThanOrEqual(RATE * 38);
    // Bound: the requests of ~5 s of one pod's share (half of 20 per second) — in flight at the
    // kill, plus those routed to it until its endpoint is withdrawn (the kubelet sees the exit
    // within ~1 s; the readiness probe runs every 2 s).
    expect(result.failed).toBeLessThanOrEqual(50);
  }, 600_000);

  test('in cluster mode (images.webConcurrency=2), a SIGKILLed worker costs no request: the gateway retries what it had in flight, the pod stays ready, and the replacement takes connections once its catalog is loaded', async () => {
    await upgradeRelease('images.webConcurrency=2');
    try {
      // --wait returns once the new pods are Ready; the old ones may still be draining.
      expect(await eventually(async () => (await imagesPods()).length === 2, 120_000, 1_000)).toBe(true);
      const pods = await imagesPods();
      expect(pods).toHaveLength(2);
      const pod = pods[0]!;
      const readyz = async (): Promise<string> =>
        kubectl([
          'exec',
          pod,
          '--',
          'node',
          '-e',
          "fetch('http://127.0.0.1:4000/readyz').then((r) => r.text()).then((t) => console.log(t))",
        ]);
      expect(JSON.parse(await readyz())).toMatchObject({
        status: 'ready',
        checks: { workers: '2 of 2 ready' },
      });
      const restarts = async (): Promise<number> =>
        Number(
          await kubectl(['get', 'pod', pod, '-o', 'jsonpath={.status.containerStatuses[0].restartCount}']),
        );
      const restartsBefore = await restarts();
      const primary = containerMainPid(await containerId(pod));
      const workers = childPids(primary);
      expect(workers).toHaveLength(2);

      const job = await startLoad(40);
      await sleep(5_000);
      process.kill(workers[0]!, 'SIGKILL');
      const listening = (logs: string): number => logs.match(/images listening/g)?.length ?? 0;
      const replaced = await eventually(async () => {
        const logs = await kubectl(['logs', pod]);
        return /replacing a worker: taking connections once ready/.test(logs) && listening(logs) === 3;
      }, 60_000);
      expect(replaced).toBe(true);
      await expectStillLoading(job);
      const result = figures(await jobSummary(job, 180_000));
      expect(result.requests).toBeGreaterThanOrEqual(RATE * 38);
      await expectNoFailures('SIGKILL of one of 2 workers of an images pod (WEB_CONCURRENCY=2)', result);
      expect(await restarts()).toBe(restartsBefore);
      expect(JSON.parse(await readyz())).toMatchObject({
        status: 'ready',
        checks: { workers: '2 of 2 ready' },
      });
    } finally {
      // One Node process per pod again, as the experiment below measures.
      await upgradeRelease('images.webConcurrency=1');
    }
  }, 600_000);

  test('`npm run experiment -- --target cluster --context laas-lab` measures 1 and 2 replicas with in-cluster k6 Jobs and writes the usual report', async () => {
    expect(k6Image).not.toBe('');
    const out = mkdtempSync(join(tmpdir(), 'laas-cluster-experiment-'));
    let passed = false;
    try {
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          join(repoRoot, 'experiment', 'dist', 'main.js'),
          '--target',
          'cluster',
          '--kubeconfig',
          started().cluster.kubeconfigPath,
          '--context',
          'laas-lab',
          '--k6-image',
          k6Image,
          '--namespace',
          NS,
          '--deployment',
          `${RELEASE}-images`,
          '--service-url',
          `http://${RELEASE}-images:4000`,
          '--replicas',
          '1,2',
          '--repeats',
          '1',
          '--plateau',
          '4s',
          '--start',
          '40',
          '--max-steps',
          '2',
          '--out',
          out,
        ],
        { timeout: 540_000, maxBuffer: 16 * 1024 * 1024 },
      ).catch((error: { stdout?: string; stderr?: string }) => {
        process.stdout.write(`load.test: experiment failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}\n`);
        throw error;
      });
      // Its progress lines (every plateau's verdict) belong in the CI log.
      process.stdout.write(
        stdout
          .split('\n')
          .filter((line) => /→|replica\(s\):/.test(line))
          .map((line) => `load.test: ${line}\n`)
          .join(''),
      );
      expect(stdout).toContain('done in');
      const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ExperimentResults;
      expect(results.target.name).toBe('cluster');
      expect(results.target.description).toContain('context laas-lab');
      expect(results.points.map((p) => p.replicas)).toEqual([1, 2]);
      // Every plateau ran in the cluster and answered: a max RPS was found for each count.
      for (const point of results.points) {
        expect({ replicas: point.replicas, found: point.maxRps > 0 }).toEqual({
          replicas: point.replicas,
          found: true,
        });
        expect(point.atMax?.requests).toBeGreaterThan(0);
      }
      expect(readdirSync(out)).toEqual(expect.arrayContaining(['results.json', 'report.md', 'chart.svg']));
      expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('--target cluster');
      // --cpu (default 100m) was set on the Deployment.
      expect(
        (
          await kubectl([
            'get',
            'deployment',
            `${RELEASE}-images`,
            '-o',
            'jsonpath={.spec.template.spec.containers[0].resources.limits.cpu}',
          ])
        ).trim(),
      ).toBe('100m');
      expect(
        (await kubectl(['get', 'jobs', '-l', 'app.kubernetes.io/component=experiment', '-o', 'name'])).trim(),
      ).toBe('');
      passed = true;
    } finally {
      // A failed run keeps its results.json (every plateau's raw k6 summary) for a look.
      if (passed) rmSync(out, { recursive: true, force: true });
      else process.stdout.write(`load.test: the failed experiment's output is in ${out}\n`);
    }
  }, 600_000);
  test("the chart's autoscaler, reading the chart's Prometheus, shows the images pods' real RPS and p99 in its LatencyAutoscaler status under k6 load", async () => {
    // The autoscaler was off so that the tests above own the replica count; now the chart's own
    // setup: the operator as its ServiceAccount, a LatencyAutoscaler for images.
    await upgradeRelease('autoscaler.enabled=true,images.autoscaling.enabled=true');
    const job = await startLoad(150);
    interface Status {
      observedRPS?: string;
      observedLatencyMilliseconds?: string;
      replicas?: number;
    }
    let status: Status = {};
    // Prometheus scrapes every 5 s and the autoscaler's rate window is 4x that or more: a series
    // reads low for its first window, so the RPS is expected near 20 after about a minute.
    const seen = await eventually(
      async () => {
        status =
          (
            JSON.parse(
              await kubectl(['get', 'latencyautoscalers.laas.dev', `${RELEASE}-images`, '-o', 'json']),
            ) as { status?: Status }
          ).status ?? {};
        const rps = Number(status.observedRPS);
        const p99 = Number(status.observedLatencyMilliseconds);
        return rps >= RATE * 0.7 && rps <= RATE * 1.3 && p99 > 0 && p99 < 300;
      },
      130_000,
      5_000,
    );
    process.stdout.write(
      `load.test: LatencyAutoscaler ${RELEASE}-images under ${RATE} RPS of k6: ${JSON.stringify(status)}\n`,
    );
    // The status is in the message when it never got there.
    expect({ seen, status }).toMatchObject({ seen: true });
    await expectStillLoading(job);
    const result = figures(await jobSummary(job, 240_000));
    await expectNoFailures('while the autoscaler watched', result);
  }, 600_000);
});

/** The containerd id of a pod's (first) container, as its cgroup path names it. */
async function containerId(pod: string): Promise<string> {
  const id = await kubectl(['get', 'pod', pod, '-o', 'jsonpath={.status.containerStatuses[0].containerID}']);
  return id.trim().replace(/^containerd:\/\//, '');
}

/**
 * The host pid of a container's main process: the process in the container's cgroup that is pid 1
 * of its own pid namespace. The kubelet uses the cgroupfs driver here
 * (…/kubepods/<qos>/pod<uid>/<container id>). Matching the pod's uid instead found the sandbox's
 * pause first, which in the lab is `/labtool pause` (comm "labtool", not "pause"): a kill of it
 * took down the sandbox, not the service's process.
 */
function containerMainPid(containerId: string): number {
  const [pid] = hostProcesses(
    (read) =>
      read('cgroup').includes(containerId) &&
      /^NSpid:\s+(.+)$/m.exec(read('status'))?.[1]?.trim().split(/\s+/).pop() === '1',
  );
  if (pid === undefined) throw new Error(`no main process of container ${containerId} found in /proc`);
  return pid;
}

/** The host pids whose parent is `pid` (a cluster primary's workers). */
function childPids(pid: number): number[] {
  return hostProcesses((read) => Number(/^PPid:\s+(\d+)$/m.exec(read('status'))?.[1]) === pid);
}

/** The host pids, in /proc order, whose /proc/<pid>/<file> contents `match`; one that ends while read is left out. */
function hostProcesses(match: (read: (file: string) => string) => boolean): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        return match((file) => readFileSync(`/proc/${entry}/${file}`, 'utf8'));
      } catch {
        return false;
      }
    })
    .map(Number);
}
