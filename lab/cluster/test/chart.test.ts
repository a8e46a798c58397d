import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { join } from 'node:path';
import { LABTOOL_IMAGE, repoRoot, startLabCluster, stopLabCluster } from '@laas/cluster';
import type { LabCluster } from '@laas/cluster';
import { buildLabImages } from '@laas/container-images';
import { eventually, helmWith, kubectlWith } from './lab-release.js';
import { LAB_SUITE_LOCK_TIMEOUT_MS, lockLabSuite } from './suite-lock.js';
import { runKubectl } from '@laas/testbed';

/**
 * The chart, installed with the lab values (lab/container-images/lab-images.values.yaml: the locally built
 * images, MongoDB as FerretDB, the chart's own Prometheus from laas/prometheus:dev, 2.55.1 built
 * with Kubernetes service discovery), into one real lab cluster for this whole file. Everything below
 * talks to the running pods: port-forward, the ingress controller on the node address, kubectl exec.
 *
 * A fixed state folder of its own: a killed run's leftovers are removed by the next `up`.
 */
const STATE_DIR = join(repoRoot, '.lab', 'chart-test');
const NS = 'laas';
const RELEASE = 'laas';
const HOST = 'laas.local'; // the chart's default ingress.host
// Images built (cold on a fresh machine: ~22-25 min here, shared with lab/container-images's own test
// through its lock), cluster up (~1.5 min with the image imports) and helm install --wait (<10 min).
const START_TIMEOUT_MS = 40 * 60_000;
// The other lab-cluster suite runs for about 2 minutes; waiting for it is bounded well above that.
const SUITE_LOCK_TIMEOUT_MS = LAB_SUITE_LOCK_TIMEOUT_MS;

let cluster: LabCluster | undefined;
let startError: unknown;
const forwards: ChildProcess[] = [];

function started(): LabCluster {
  if (!cluster) throw new Error(`the lab cluster or the release did not start: ${String(startError)}`);
  return cluster;
}

const kubectl = (args: string[], input?: string, timeoutMs = 60_000): Promise<string> =>
  kubectlWith(started().kubeconfigPath, args, input, timeoutMs);

/** Runs helm against the lab cluster; throws with its output on a non-zero exit. */
const helm = (args: string[], timeoutMs: number): Promise<string> =>
  helmWith(started().kubeconfigPath, args, timeoutMs);

/** The name of the first pod of a chart component (gateway, images, auth, mongodb, ...). */
async function podOf(component: string): Promise<string> {
  const out = await kubectl([
    '-n',
    NS,
    'get',
    'pods',
    '-l',
    `app.kubernetes.io/component=${component}`,
    '--field-selector=status.phase=Running',
    '-o',
    'jsonpath={.items[0].metadata.name}',
  ]);
  if (!out.trim()) throw new Error(`no running pod of ${component}`);
  return out.trim();
}

/**
 * Whether a TCP connection from inside `pod` to host:port opens within 3 s. Every image here has
 * Debian's bash and coreutils, so bash's /dev/tcp does the connect; no extra tool in the images.
 */
async function connects(pod: string, host: string, port: number, container?: string): Promise<boolean> {
  const result = await runKubectl(
    started().kubeconfigPath,
    [
      '-n',
      NS,
      'exec',
      pod,
      ...(container ? ['-c', container] : []),
      '--',
      'timeout',
      '3',
      'bash',
      '-c',
      `exec 3<>/dev/tcp/${host}/${port}`,
    ],
    { timeoutMs: 30_000 },
  );
  return result.code === 0;
}

interface HttpAnswer {
  status: number;
  body: string;
}

function http(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpAnswer> {
  return new Promise((resolveResponse, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false, timeout: 10_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${url} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Through the ingress controller on the node address, with the chart's Ingress host. */
function viaIngress(
  path: string,
  options: { method?: string; headers?: Record<string, string>; json?: unknown } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { host: HOST, ...options.headers };
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  return http(`http://${started().nodeIp}${path}`, {
    method: options.method,
    headers,
    body: options.json === undefined ? undefined : JSON.stringify(options.json),
  });
}

/** `kubectl port-forward` to a Service on a free local port; resolves with that port. */
async function portForward(service: string, port: number): Promise<number> {
  const child = spawn(
    'kubectl',
    ['--kubeconfig', started().kubeconfigPath, '-n', NS, 'port-forward', `service/${service}`, `:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  forwards.push(child);
  return new Promise((resolvePort, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`port-forward ${service}: no port after 30 s: ${out}`)),
      30_000,
    );
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`port-forward ${service} exited ${code}: ${out}`));
    });
  });
}

const randomUrls = (answer: HttpAnswer): string[] =>
  (JSON.parse(answer.body) as { message: string[] }).message;

let unlock: (() => void) | undefined;

beforeAll(async () => {
  try {
    // Cached by content key: a few seconds when `npm run container-images -- build` ran.
    await buildLabImages();
    unlock = await lockLabSuite(SUITE_LOCK_TIMEOUT_MS);
    await stopLabCluster({ stateDir: STATE_DIR });
    cluster = await startLabCluster({ stateDir: STATE_DIR });
    await helm(
      [
        'install',
        RELEASE,
        'charts/laas',
        '--namespace',
        NS,
        '--create-namespace',
        '-f',
        'lab/container-images/lab-images.values.yaml',
        '--wait',
        '--timeout',
        '10m',
      ],
      11 * 60_000,
    );
  } catch (error) {
    startError = error;
    throw error;
  }
}, SUITE_LOCK_TIMEOUT_MS + START_TIMEOUT_MS);

afterAll(async () => {
  for (const child of forwards) child.kill('SIGTERM');
  await stopLabCluster({ stateDir: STATE_DIR });
  unlock?.();
}, 180_000);

describe('the chart with the lab values, in the lab cluster', () => {
  test('every pod of the release becomes Ready (the seed Job completes)', async () => {
    // helm --wait waits for Deployments and StatefulSets, not Jobs: the seed Job may still retry.
    await kubectl(
      ['-n', NS, 'wait', '--for=condition=complete', 'jobs', '--all', '--timeout=240s'],
      undefined,
      260_000,
    );
    const pods = JSON.parse(await kubectl(['-n', NS, 'get', 'pods', '-o', 'json'])) as {
      items: {
        metadata: { name: string; labels: Record<string, string> };
        status: { phase: string; conditions?: { type: string; status: string }[] };
      }[];
    };
    const byComponent = (c: string) =>
      pods.items.filter((p) => p.metadata.labels['app.kubernetes.io/component'] === c);
    for (const component of ['gateway', 'images', 'auth', 'mongodb', 'autoscaler', 'prometheus']) {
      expect({ component, count: byComponent(component).length > 0 }).toEqual({ component, count: true });
    }
    // A Job's pods are done, not serving: a seed attempt that ran before FerretDB accepted
    // connections fails and the Job retries it (backoffLimit); the Job's completion is checked
    // above and below. Every other pod must be Ready.
    const notReady = pods.items
      .filter((p) => p.metadata.labels['job-name'] === undefined)
      .filter((p) => p.status.conditions?.find((c) => c.type === 'Ready')?.status !== 'True')
      .map((p) => `${p.metadata.name} (${p.status.phase})`);
    expect(notReady).toEqual([]);
    const seed = await kubectl(['-n', NS, 'get', 'jobs', '-o', 'jsonpath={.items[*].status.succeeded}']);
    expect(seed.trim().split(' ')).toContain('1');
  }, 300_000);

  test(
    'helm test passes',
    async () => {
      const out = await helm(['test', RELEASE, '--namespace', NS, '--timeout', '5m'], 6 * 60_000);
      expect(out).toMatch(/Phase:\s+Succeeded/);
    },
    7 * 60_000,
  );

  test('kubectl port-forward to the gateway Service answers GET /random?count=25 with 25 llamas', async () => {
    const port = await portForward(`${RELEASE}-gateway`, 4002);
    const answer = await http(`http://127.0.0.1:${port}/random?count=25`);
    expect(answer.status).toBe(200);
    const urls = randomUrls(answer);
    expect(urls).toHaveLength(25);
    // The seeded llamas are the images service's own pictures, linked under the chart's public
    // base URL: the ingress host (no TLS configured, so http).
    expect(urls.filter((u) => !u.startsWith(`http://${HOST}/pictures/`))).toEqual([]);
  });

  test('the ingress controller on the node address routes the chart host to the gateway, pictures included', async () => {
    const answer = await viaIngress('/random?count=25');
    expect(answer.status).toBe(200);
    const urls = randomUrls(answer);
    expect(urls).toHaveLength(25);
    // A seeded URL resolves through the ingress to an SVG picture served by images.
    const picture = await viaIngress(new URL(urls[0]!).pathname);
    expect(picture.status).toBe(200);
    expect(picture.body).toMatch(/^<svg/);
  });

  const uploaded = `https://llamas.example/lab-${Date.now()}.jpg`;
  let uploadedId = '';

  test('register, login and upload through the ingress; the upload then appears in /random', async () => {
    const email = `lab-${Date.now()}@llama.test`;
    const password = 'alpaca-alpaca-42';
    const registered = await viaIngress('/api/auth/register', { method: 'POST', json: { email, password } });
    expect(registered.status).toBe(202);
    const login = await viaIngress('/api/auth/login', { method: 'POST', json: { email, password } });
    expect(login.status).toBe(200);
    const { token } = JSON.parse(login.body) as { token: string };
    expect(token).toMatch(/^ey/);

    // Without a token an upload is refused (authMode: writes).
    const anonymous = await viaIngress('/upload', { method: 'POST', json: { url: uploaded } });
    expect(anonymous.status).toBe(401);
    const upload = await viaIngress('/upload', {
      method: 'POST',
      json: { url: uploaded },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(upload.status).toBe(201);
    const image = JSON.parse(upload.body) as { id: number | string; url: string };
    expect(image.url).toBe(uploaded);
    uploadedId = String(image.id);

    // /random samples the catalog (seed + uploads): ask until the upload shows up, bounded.
    let seen = false;
    for (let attempt = 0; attempt < 80 && !seen; attempt++) {
      seen = randomUrls(await viaIngress('/random?count=25')).includes(uploaded);
    }
    expect(seen).toBe(true);
  }, 180_000);

  test("MongoDB's (FerretDB's) data survives deleting its pod: the volume is a PVC", async () => {
    expect(uploadedId).not.toBe('');
    const before = await podOf('mongodb');
    const uidBefore = await kubectl(['-n', NS, 'get', 'pod', before, '-o', 'jsonpath={.metadata.uid}']);
    await kubectl(['-n', NS, 'delete', 'pod', before, '--wait=true', '--timeout=120s'], undefined, 150_000);
    const back = await eventually(async () => {
      const uid = await kubectl(['-n', NS, 'get', 'pod', before, '-o', 'jsonpath={.metadata.uid}']);
      const ready = await kubectl([
        '-n',
        NS,
        'get',
        'pod',
        before,
        '-o',
        'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
      ]);
      return uid !== uidBefore && ready === 'True';
    }, 180_000);
    expect(back).toBe(true);
    const pvc = await kubectl(['-n', NS, 'get', 'pvc', '-o', 'jsonpath={.items[*].status.phase}']);
    expect(pvc.split(' ')).toContain('Bound');
    // The images service reconnects; the uploaded image is still there.
    const found = await eventually(async () => {
      const answer = await viaIngress(`/api/images/${uploadedId}`);
      return answer.status === 200 && (JSON.parse(answer.body) as { url: string }).url === uploaded;
    }, 120_000);
    expect(found).toBe(true);
  }, 400_000);

  describe("the chart's Prometheus (laas/prometheus:dev, Kubernetes service discovery)", () => {
    let prometheusPort = 0;

    /** GET of Prometheus' HTTP API through a port-forward to its Service; the `data` of the answer. */
    async function prometheusApi<T>(path: string): Promise<T> {
      const answer = await http(`http://127.0.0.1:${prometheusPort}${path}`);
      if (answer.status !== 200) throw new Error(`GET ${path}: ${answer.status} ${answer.body}`);
      return (JSON.parse(answer.body) as { data: T }).data;
    }

    /** An instant PromQL query: each series' labels and value. */
    async function promql(query: string): Promise<{ metric: Record<string, string>; value: number }[]> {
      const data = await prometheusApi<{
        result: { metric: Record<string, string>; value: [number, string] }[];
      }>(`/api/v1/query?query=${encodeURIComponent(query)}`);
      return data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
    }

    /** Running pods of the release annotated prometheus.io/scrape=true: pod name -> component. */
    async function podsExposingMetrics(): Promise<Record<string, string>> {
      const pods = JSON.parse(
        await kubectl(['-n', NS, 'get', 'pods', '--field-selector=status.phase=Running', '-o', 'json']),
      ) as {
        items: {
          metadata: { name: string; labels: Record<string, string>; annotations?: Record<string, string> };
        }[];
      };
      return Object.fromEntries(
        pods.items
          .filter((p) => p.metadata.annotations?.['prometheus.io/scrape'] === 'true')
          .map((p) => [p.metadata.name, p.metadata.labels['app.kubernetes.io/component'] ?? '?']),
      );
    }

    beforeAll(async () => {
      prometheusPort = await portForward(`${RELEASE}-prometheus`, 9090);
    }, 60_000);

    test('has an up target for every laas pod that exposes metrics (gateway, images, auth, autoscaler), through the NetworkPolicies', async () => {
      const expected = await podsExposingMetrics();
      expect([...new Set(Object.values(expected))].sort()).toEqual([
        'auth',
        'autoscaler',
        'gateway',
        'images',
      ]);
      // Health of each expected pod's target: "up", or "down: <Prometheus' scrape error>" (a
      // NetworkPolicy that stopped the scrape shows here as a connect timeout), or "no target".
      const health = async (): Promise<Record<string, string>> => {
        const { activeTargets } = await prometheusApi<{
          activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
        }>('/api/v1/targets?state=active');
        return Object.fromEntries(
          Object.keys(expected).map((pod) => {
            const target = activeTargets.find((t) => t.labels.pod === pod && t.labels.namespace === NS);
            if (!target) return [pod, 'no target'];
            return [pod, target.health === 'up' ? 'up' : `${target.health}: ${target.lastError}`];
          }),
        );
      };
      const allUp = Object.fromEntries(Object.keys(expected).map((pod) => [pod, 'up']));
      // Discovery is a watch, scrapes every 5 s (scrapeInterval): bounded well above that.
      let last: Record<string, string> = {};
      await eventually(async () => {
        last = await health();
        return Object.values(last).every((h) => h === 'up');
      }, 90_000);
      expect(last).toEqual(allUp);
      // The same through PromQL: `up == 1` for every one of them, labelled with its component.
      const up = await promql(`up{namespace="${NS}"} == 1`);
      const upPods = Object.fromEntries(up.map((s) => [s.metric.pod ?? '?', s.metric.component ?? '?']));
      expect(Object.fromEntries(Object.keys(expected).map((pod) => [pod, upPods[pod]]))).toEqual(expected);
    }, 120_000);

    test('a PromQL query over the scraped metrics counts the requests sent to images through the gateway', async () => {
      const served = `sum(http_requests_total{namespace="${NS}",component="images",route=~".*/random"})`;
      const before = (await promql(served))[0]?.value ?? 0;
      const sent = 60;
      for (let i = 0; i < sent; i++) expect((await viaIngress('/random?count=25')).status).toBe(200);
      // Each /random through the gateway is one request to images: the scraped counter grows by
      // at least `sent` within a few scrape intervals (other traffic only adds to it).
      let after = before;
      const counted = await eventually(async () => {
        after = (await promql(served))[0]?.value ?? before;
        return after - before >= sent;
      }, 60_000);
      expect({ counted, grewBy: after - before >= sent }).toEqual({ counted: true, grewBy: true });
      // And the request rate, as the autoscaler's queries read it (window >= 4x the scrape interval).
      // rate() needs two samples of a series in its window that differ: a series these requests
      // created (a fresh install) may have one sample so far, or two equal ones if every request
      // fell between two scrapes. So keep a trickle of requests going while asking.
      const rateQuery = `sum(rate(http_requests_total{namespace="${NS}",component="images",route=~".*/random"}[1m]))`;
      let rate: { value: number }[] = [];
      await eventually(async () => {
        for (let i = 0; i < 5; i++) await viaIngress('/random?count=25');
        rate = await promql(rateQuery);
        return rate.length === 1 && rate[0]!.value > 0;
      }, 30_000);
      expect(rate).toHaveLength(1);
      expect(rate[0]!.value).toBeGreaterThan(0);
    }, 180_000);
  });

  describe('NetworkPolicies are enforced', () => {
    const targets = [
      ['images', `${RELEASE}-images`, 4000],
      ['auth', `${RELEASE}-auth`, 4001],
      ['the database', `${RELEASE}-mongodb`, 27017],
    ] as const;
    let stranger = '';

    beforeAll(async () => {
      // A pod of the release's namespace without the chart's labels: the gateway image (it has
      // bash for the connect test), doing nothing.
      stranger = 'stranger';
      const gatewayImage = await kubectl([
        '-n',
        NS,
        'get',
        'deployment',
        `${RELEASE}-gateway`,
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image}',
      ]);
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: stranger, namespace: NS, labels: { role: 'stranger' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'main',
                image: gatewayImage,
                imagePullPolicy: 'IfNotPresent',
                command: ['sleep', 'infinity'],
                resources: { limits: { cpu: '100m', memory: '64Mi' } },
              },
            ],
          },
        }),
      );
      await kubectl(
        ['-n', NS, 'wait', '--for=condition=Ready', `pod/${stranger}`, '--timeout=180s'],
        undefined,
        200_000,
      );
    }, 240_000);

    test.each(targets)('a pod without the allowed labels cannot reach %s', async (_what, service, port) => {
      expect(await connects(stranger, service, port)).toBe(false);
    });

    test.each([
      ['gateway', 'images', `${RELEASE}-images`, 4000],
      ['gateway', 'auth', `${RELEASE}-auth`, 4001],
      ['images', 'the database', `${RELEASE}-mongodb`, 27017],
      ['auth', 'the database', `${RELEASE}-mongodb`, 27017],
    ] as const)('the %s can reach %s', async (from, _what, service, port) => {
      expect(await connects(await podOf(from), service, port)).toBe(true);
    });

    test('egress: no service pod reaches a listener outside the policy, on its pod (198.18.x) or Service (198.19.x) address; the stranger does', async () => {
      // A listener in a namespace of its own, on a 198.18.x pod address no policy admits.
      await kubectl(['create', 'namespace', 'outside']);
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'listener', namespace: 'outside', labels: { app: 'listener' } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              { name: 'main', image: LABTOOL_IMAGE, imagePullPolicy: 'Never', args: ['serve', ':8080'] },
            ],
          },
        }),
      );
      await kubectl(
        ['-n', 'outside', 'wait', '--for=condition=Ready', 'pod/listener', '--timeout=120s'],
        undefined,
        150_000,
      );
      await kubectl(
        ['apply', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name: 'listener', namespace: 'outside' },
          spec: { selector: { app: 'listener' }, ports: [{ port: 8080, targetPort: 8080 }] },
        }),
      );
      const ip = (
        await kubectl(['-n', 'outside', 'get', 'pod', 'listener', '-o', 'jsonpath={.status.podIP}'])
      ).trim();
      expect(ip).toMatch(/^198\.18\./);
      // The same listener behind a Service address, 198.19.x (kube-proxy rewrites it to the pod).
      const serviceIp = (
        await kubectl(['-n', 'outside', 'get', 'service', 'listener', '-o', 'jsonpath={.spec.clusterIP}'])
      ).trim();
      expect(serviceIp).toMatch(/^198\.19\./);
      // The control: a pod no egress policy selects gets through, so a refusal below is the policy's.
      expect(await connects(stranger, ip, 8080)).toBe(true);
      expect(await connects(stranger, serviceIp, 8080)).toBe(true);
      const reached: Record<string, string> = {};
      for (const component of ['gateway', 'images', 'auth', 'autoscaler', 'mongodb', 'prometheus']) {
        const pod = await podOf(component);
        reached[component] =
          `pod ${String(await connects(pod, ip, 8080))}, service ${String(await connects(pod, serviceIp, 8080))}`;
      }
      const denied = 'pod false, service false';
      expect(reached).toEqual({
        gateway: denied,
        images: denied,
        auth: denied,
        autoscaler: denied,
        mongodb: denied,
        prometheus: denied,
      });
      // And the allowed flows still work after those attempts.
      expect(await connects(await podOf('gateway'), `${RELEASE}-images`, 4000)).toBe(true);
      expect((await viaIngress('/random?count=25')).status).toBe(200);
    }, 300_000);
  });
});
