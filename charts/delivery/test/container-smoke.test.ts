// "Container smoke": no image can be built on this machine (no container engine), so each
// image's runtime is reproduced from its Dockerfile: a clean folder holding only what the
// runtime stage copies (the production dependency closure for node_modules, the built output
// for the rest), started exactly as its CMD starts it, must answer its probes and exit 0 on
// SIGTERM within its grace period. What this cannot show, and the image build in CI does: that
// `npm ci --omit=dev` in the image resolves the same tree, and the alpine base itself.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { freePort, httpText, testKube, testMongoUrl, waitFor } from '@laas/testbed';
import { renderChartText } from '../src/chart.js';
import { parseDocuments, podTemplateOf } from '../src/objects.js';
import { cmdOf, copiesOf, parseDockerfile, runtimeStage } from '../src/dockerfile.js';
import { productionClosure } from '../src/prod-deps.js';
import { chartDir, repoRoot } from '../src/tools.js';

interface Component {
  name: string;
  dir: string;
  env: (port: number) => Record<string, string>;
}

const GRACE_MS = 3000;
const COMPONENTS: Component[] = [
  {
    name: 'images',
    dir: 'services/images',
    env: (port) => ({
      PORT: String(port),
      MONGO_URL: testMongoUrl(),
      MONGO_DB: `smoke_images_${process.pid}`,
    }),
  },
  {
    name: 'auth',
    dir: 'services/auth',
    env: (port) => ({
      PORT: String(port),
      MONGO_URL: testMongoUrl(),
      MONGO_DB: `smoke_auth_${process.pid}`,
      AUTH_DEV_MODE: 'true',
      TOKEN_TTL: '900',
    }),
  },
  {
    name: 'gateway',
    dir: 'services/gateway',
    env: (port) => ({
      PORT: String(port),
      IMAGES_URL: 'http://127.0.0.1:9',
      AUTH_URL: 'http://127.0.0.1:9',
      GATEWAY_AUTH: 'writes',
    }),
  },
];

// Only the components whose code and Dockerfile exist yet (the others are being written).
const present = COMPONENTS.filter(
  (c) =>
    existsSync(join(repoRoot, c.dir, 'Dockerfile')) && existsSync(join(repoRoot, c.dir, 'src', 'main.ts')),
);

/** Lays out the runtime stage of the Dockerfile in `dest`, returns the CMD. */
function layOutRuntime(component: Pick<Component, 'dir'>, dest: string): string[] {
  const stage = runtimeStage(parseDockerfile(join(repoRoot, component.dir, 'Dockerfile')));
  for (const copy of copiesOf(stage)) {
    for (const source of copy.sources) {
      const rel = source.replace(/^\/src\//, '');
      const target = join(dest, copy.dest.endsWith('/') ? join(copy.dest, basename(rel)) : copy.dest);
      if (rel === 'node_modules') {
        // The deps stage: `npm ci --omit=dev --workspace=<pkg>`.
        for (const pkg of productionClosure(repoRoot, join(repoRoot, component.dir))) {
          const to = join(target, relative('node_modules', pkg.installPath));
          mkdirSync(dirname(to), { recursive: true });
          if (pkg.linkTarget) symlinkSync(relative(dirname(to), join(dest, pkg.linkTarget)), to);
          else
            cpSync(join(repoRoot, pkg.installPath), to, {
              recursive: true,
              // Nested node_modules come in one by one, as closure members. A native addon
              // (argon2) keeps this machine's build/: the image loads the package's musl
              // prebuild instead, which only the image build in CI can exercise (the glibc
              // prebuild crashes in this sandbox, so the local build is what runs here).
              filter: (src) =>
                !relative(join(repoRoot, pkg.installPath), src).split('/').includes('node_modules'),
            });
        }
        continue;
      }
      const from = join(repoRoot, rel);
      if (!existsSync(from))
        throw new Error(`${from} does not exist: run \`npx tsc -b\` (npm test builds first)`);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(from, target, { recursive: true });
    }
  }
  const cmd = cmdOf(stage);
  if (!cmd) throw new Error('the Dockerfile has no exec-form CMD');
  return cmd;
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolveExit({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolveExit({ code, signal }));
  });
}

test('at least the images service is there to smoke-test', () => {
  expect(present.map((c) => c.name)).toContain('images');
});

describe.each(present)('the $name image, reproduced from its Dockerfile', (component) => {
  let dir: string;
  let child: ChildProcess;
  let base: string;
  let log = '';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), `laas-smoke-${component.name}-`));
    const [program, ...args] = layOutRuntime(component, dir);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    child = spawn(program === 'node' ? process.execPath : program!, args, {
      cwd: dir,
      // What the chart sets, and nothing of this machine's (no NODE_OPTIONS, no NODE_PATH).
      env: {
        PATH: '/usr/bin:/bin',
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
        ...component.env(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await waitFor(async () => (await httpText(`${base}/healthz`)).status === 200, {
      what: `${component.name} to answer /healthz`,
      timeoutMs: 20_000,
      abortIf: () =>
        child.exitCode !== null || child.signalCode !== null
          ? `it exited (${child.exitCode ?? child.signalCode}):\n${log}`
          : undefined,
    });
  }, 60_000);

  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('holds no dev dependency (typescript, jest) in its node_modules', () => {
    expect(existsSync(join(dir, 'node_modules', 'typescript'))).toBe(false);
    expect(existsSync(join(dir, 'node_modules', 'jest'))).toBe(false);
  });

  test('answers the liveness probe /healthz', async () => {
    expect((await httpText(`${base}/healthz`)).status).toBe(200);
  });

  test('answers the readiness probe /readyz', async () => {
    const ready = await waitFor(async () => (await httpText(`${base}/readyz`)).status === 200 || undefined, {
      what: `${component.name} /readyz`,
      timeoutMs: 15_000,
    }).catch(() => false);
    expect({ ready, log: ready ? '' : log }).toEqual({ ready: true, log: '' });
  });

  test('serves Prometheus metrics with the 0.3 s latency bucket', async () => {
    const metrics = await httpText(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('le="0.3"');
  });

  test(`exits 0 on SIGTERM within its grace period (${GRACE_MS} ms)`, async () => {
    const started = Date.now();
    child.kill('SIGTERM');
    const exit = await Promise.race([
      exitOf(child),
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), GRACE_MS + 2000)),
    ]);
    expect({ exit, log: exit === 'timeout' || exit.code !== 0 ? log : '' }).toEqual({
      exit: { code: 0, signal: null },
      log: '',
    });
    expect(Date.now() - started).toBeLessThan(GRACE_MS + 2000);
  });
});

// The autoscaler image needs a Kubernetes API: the test bed's kube-apiserver, with the chart's own
// ServiceAccount, Role and RoleBinding applied, so the operator runs with exactly the rights the
// chart grants it. The one deviation from the pod: credentials come from a kubeconfig holding
// that ServiceAccount's token (--kubeconfig) instead of the in-cluster files a kubelet mounts.
describe("the autoscaler image, reproduced from its Dockerfile, with the chart's RBAC", () => {
  const ns = 'delivery-smoke-autoscaler';
  let dir: string;
  let child: ChildProcess;
  let base: string;
  let log = '';

  beforeAll(async () => {
    const kube = testKube();
    await kube.kubectl(['create', 'namespace', ns]);
    const crd = await kube.kubectl([
      'apply',
      '--server-side',
      '-f',
      join(chartDir, 'crds', 'laas.dev_latencyautoscalers.yaml'),
    ]);
    if (crd.code !== 0) throw new Error(crd.stderr);
    const text = await renderChartText({
      namespace: ns,
      extraArgs: ['--show-only', 'templates/autoscaler.yaml'],
    });
    const objects = parseDocuments(text);
    const rbac = objects.filter((o) => ['ServiceAccount', 'Role', 'RoleBinding'].includes(o.kind));
    const applied = await kube.kubectl(['apply', '-f', '-'], {
      input: rbac.map((o) => JSON.stringify(o)).join('\n'),
    });
    if (applied.code !== 0) throw new Error(applied.stderr);
    const kubeconfig = await kube.kubeconfigForServiceAccount(ns, 'laas-autoscaler');
    // Something to reconcile: a Deployment and a LatencyAutoscaler whose Prometheus does not
    // answer, so the operator reads the Deployment and its scale and writes a status ("no data").
    const target = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'laas-images', namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'smoke' } },
        template: {
          metadata: { labels: { app: 'smoke' } },
          spec: { containers: [{ name: 'c', image: 'laas/images:smoke' }] },
        },
      },
    };
    const la = {
      apiVersion: 'laas.dev/v1alpha1',
      kind: 'LatencyAutoscaler',
      metadata: { name: 'laas-images', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'laas-images' },
        minReplicas: 1,
        maxReplicas: 4,
        metrics: { prometheusUrl: 'http://127.0.0.1:9', selector: '{service="images"}' },
      },
    };
    const fixtures = await kube.kubectl(['apply', '-f', '-'], {
      input: `${JSON.stringify(target)}\n${JSON.stringify(la)}`,
    });
    if (fixtures.code !== 0) throw new Error(fixtures.stderr);

    const container = podTemplateOf(objects.find((o) => o.kind === 'Deployment')!)!.spec.containers[0]!;
    dir = mkdtempSync(join(tmpdir(), 'laas-smoke-autoscaler-'));
    const cmd = layOutRuntime({ dir: 'autoscaler' }, dir);
    expect(container.command).toEqual(cmd);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // The chart's args, with what Kubernetes would substitute ($(POD_NAMESPACE), $(POD_NAME)).
    const args = (container.args ?? [])
      .map((a) => a.replace('$(POD_NAMESPACE)', ns).replace('$(POD_NAME)', 'smoke-pod'))
      .map((a) => (a.startsWith('--port=') ? `--port=${port}` : a));
    child = spawn(process.execPath, [...cmd.slice(1), ...args, `--kubeconfig=${kubeconfig}`], {
      cwd: dir,
      env: { PATH: '/usr/bin:/bin', NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await waitFor(async () => (await httpText(`${base}/healthz`)).status === 200, {
      what: 'the autoscaler to answer /healthz',
      timeoutMs: 20_000,
      abortIf: () =>
        child.exitCode !== null || child.signalCode !== null
          ? `it exited (${child.exitCode ?? child.signalCode}):\n${log}`
          : undefined,
    });
  }, 90_000);

  afterAll(() => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('answers /healthz and serves /metrics', async () => {
    expect((await httpText(`${base}/healthz`)).status).toBe(200);
    expect((await httpText(`${base}/metrics`)).status).toBe(200);
  });

  test('takes its leader Lease with the rights the chart gives it', async () => {
    const kube = testKube();
    const holder = await waitFor(
      async () => {
        const r = await kube.kubectl([
          'get',
          'lease',
          'laas-autoscaler',
          '-n',
          ns,
          '-o',
          'jsonpath={.spec.holderIdentity}',
        ]);
        return r.code === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
      },
      { what: 'the autoscaler Lease', timeoutMs: 20_000, intervalMs: 250 },
    ).catch((e: Error) => `${e.message}\n${log}`);
    expect(holder).toBe('smoke-pod');
  });

  test('reconciles a LatencyAutoscaler: writes its status with conditions', async () => {
    const kube = testKube();
    const conditions = await waitFor(
      async () => {
        const r = await kube.kubectl([
          'get',
          'latencyautoscaler',
          'laas-images',
          '-n',
          ns,
          '-o',
          'jsonpath={.status.conditions[*].type}',
        ]);
        return r.code === 0 && r.stdout.trim() !== '' ? r.stdout.trim() : undefined;
      },
      { what: 'a status on the LatencyAutoscaler', timeoutMs: 30_000, intervalMs: 500 },
    ).catch((e: Error) => `${e.message}\n${log}`);
    expect(conditions).toMatch(/Ready|AbleToScale|ScalingActive/);
  });

  test('is never refused by the API server (no "forbidden" in its log)', () => {
    expect(log).not.toMatch(/forbidden/i);
  });

  test('exits 0 on SIGTERM, releasing its Lease, well within the 30 s grace period', async () => {
    child.kill('SIGTERM');
    const exit = await Promise.race([
      exitOf(child),
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000)),
    ]);
    expect({ exit, log: exit === 'timeout' || exit.code !== 0 ? log : '' }).toEqual({
      exit: { code: 0, signal: null },
      log: '',
    });
  });
});
