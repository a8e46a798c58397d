// The operator against the REAL kube-apiserver of the test bed (no controllers run: the test sets
// Deployment status itself) and a REAL Prometheus scraping a test exporter driven at 650 RPS.
import { AppsV1Api } from '@kubernetes/client-node';
import { startPrometheus, testKube, waitFor } from '@laas/testbed';
import type { KubeCluster, PrometheusServer } from '@laas/testbed';
import type { LatencyAutoscaler } from '../src/api/types.js';
import { PrometheusMetricSource } from '../src/metrics/prometheus.js';
import { startOperator } from '../src/operator.js';
import type { Operator } from '../src/operator.js';
import { KubeEventRecorder, KubeStatusWriter } from '../src/reconciler/kube.js';
import { Reconciler } from '../src/reconciler/reconciler.js';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { DeploymentTarget } from '../src/target/deployment.js';
import type { ScaleTarget } from '../src/target/types.js';
import { TargetError } from '../src/target/types.js';
import type { Exporter } from './support/exporter.js';
import { startExporter } from './support/exporter.js';
import {
  ROLE_PATH,
  autoscalerYaml,
  deploymentYaml,
  installCrd,
  kubeConfigAt,
  must,
  quietLog,
  replicasOf,
  setDeploymentStatus,
  uniqueName,
} from './support/kube.js';

let kube: KubeCluster;
let prom: PrometheusServer;
let exporter: Exporter;
const ns = uniqueName('lat');
const SA = 'autoscaler';

async function getLat(name: string): Promise<LatencyAutoscaler> {
  return JSON.parse(
    await must(kube, ['-n', ns, 'get', 'latencyautoscaler', name, '-o', 'json']),
  ) as LatencyAutoscaler;
}

async function events(reason: string, object: string): Promise<{ message: string; type: string }[]> {
  const out = JSON.parse(
    await must(kube, [
      '-n',
      ns,
      'get',
      'events',
      '--field-selector',
      `reason=${reason},involvedObject.name=${object}`,
      '-o',
      'json',
    ]),
  ) as { items: { message: string; type: string }[] };
  return out.items;
}

beforeAll(async () => {
  kube = testKube();
  exporter = await startExporter('images');
  // 650 RPS at 70 planned per replica is 9.3 replicas: 10, with margin on both sides for noise.
  // As many arrive as are answered, so the arrivals change no decision and reach the status.
  exporter.drive({ rps: 650, arrivingRps: 650 });
  prom = await startPrometheus({ scrapeTargets: [exporter.target], scrapeInterval: '1s' });
  await installCrd(kube);
  await must(kube, ['create', 'namespace', ns]);
  // The operator's identity: a ServiceAccount bound to exactly rbac/role.yaml.
  await must(kube, ['-n', ns, 'create', 'serviceaccount', SA]);
  await must(kube, ['-n', ns, 'apply', '-f', ROLE_PATH]);
  await must(kube, [
    '-n',
    ns,
    'create',
    'rolebinding',
    'laas-autoscaler',
    '--role=laas-autoscaler',
    `--serviceaccount=${ns}:${SA}`,
  ]);
  await waitFor(
    async () => ((await prom.queryValue('sum(rate(http_requests_total{service="images"}[8s]))')) ?? 0) > 550,
    {
      timeoutMs: 30_000,
      what: 'Prometheus to see the driven 650 RPS',
    },
  );
}, 90_000);

afterAll(async () => {
  await kube?.kubectl(['delete', 'namespace', ns, '--wait=false']);
  await prom?.stop();
  await exporter?.close();
});

describe('RBAC: a ServiceAccount bound to rbac/role.yaml', () => {
  const as = () => `--as=system:serviceaccount:${ns}:${SA}`;
  test.each([
    { label: 'may watch LatencyAutoscalers', args: ['watch', 'latencyautoscalers.laas.dev'], allowed: true },
    { label: 'may list LatencyAutoscalers', args: ['list', 'latencyautoscalers.laas.dev'], allowed: true },
    {
      label: 'may patch their status',
      args: ['patch', 'latencyautoscalers.laas.dev', '--subresource=status'],
      allowed: true,
    },
    { label: 'may get Deployments', args: ['get', 'deployments.apps'], allowed: true },
    {
      label: 'may patch the scale of Deployments',
      args: ['patch', 'deployments.apps', '--subresource=scale'],
      allowed: true,
    },
    { label: 'may create Events', args: ['create', 'events'], allowed: true },
    { label: 'may create a Lease', args: ['create', 'leases.coordination.k8s.io'], allowed: true },
    {
      label: 'may update its own Lease',
      args: ['update', 'leases.coordination.k8s.io/laas-autoscaler'],
      allowed: true,
    },
    {
      label: 'may not update another Lease',
      args: ['update', 'leases.coordination.k8s.io/someone-else'],
      allowed: false,
    },
    {
      label: 'may not update Deployments (only their scale)',
      args: ['update', 'deployments.apps'],
      allowed: false,
    },
    {
      label: 'may not patch Deployments (only their scale)',
      args: ['patch', 'deployments.apps'],
      allowed: false,
    },
    { label: 'may not delete Deployments', args: ['delete', 'deployments.apps'], allowed: false },
    {
      label: 'may not change a LatencyAutoscaler spec',
      args: ['patch', 'latencyautoscalers.laas.dev'],
      allowed: false,
    },
    {
      label: 'may not create LatencyAutoscalers',
      args: ['create', 'latencyautoscalers.laas.dev'],
      allowed: false,
    },
    { label: 'may not read Secrets', args: ['get', 'secrets'], allowed: false },
    { label: 'may not list Pods', args: ['list', 'pods'], allowed: false },
    {
      label: 'may not act in another namespace',
      args: ['get', 'deployments.apps'],
      namespace: 'default',
      allowed: false,
    },
  ])('$label', async ({ args, allowed, ...row }) => {
    const namespace = (row as { namespace?: string }).namespace ?? ns;
    const r = await kube.kubectl(['auth', 'can-i', ...args, '-n', namespace, as()]);
    expect(r.stdout.trim()).toBe(allowed ? 'yes' : 'no');
  });
});

describe('the operator, running as that ServiceAccount', () => {
  let operator: Operator;

  beforeAll(async () => {
    const kubeconfig = await kube.kubeconfigForServiceAccount(ns, SA);
    operator = await startOperator({
      kubeConfig: kubeConfigAt(kubeconfig),
      namespace: ns,
      identity: 'only',
      log: quietLog,
      resyncMs: 1000,
      leaseDurationSeconds: 3,
      retryPeriodMs: 500,
      httpPort: 0,
      httpHost: '127.0.0.1',
    });
    await waitFor(() => operator.isLeader(), { timeoutMs: 10_000, what: 'the only instance to lead' });
  });

  afterAll(async () => operator?.stop());

  test('scales a Deployment from 2 to 10 on 650 RPS, writes status and a SuccessfulRescale Event', async () => {
    await must(kube, ['-n', ns, 'apply', '-f', '-'], deploymentYaml('images', 2));
    await setDeploymentStatus(kube, ns, 'images', 2);
    await must(kube, ['-n', ns, 'apply', '-f', '-'], autoscalerYaml('images', 'images', prom.url));

    await waitFor(async () => (await replicasOf(kube, ns, 'images')) === 10, {
      timeoutMs: 20_000,
      what: 'images to be scaled to 10',
    });
    const lat = await waitFor(
      async () => {
        const l = await getLat('images');
        return l.status?.desiredReplicas === 10 ? l : undefined;
      },
      { timeoutMs: 10_000, what: 'status to show 10' },
    );
    expect(lat.status).toMatchObject({
      desiredReplicas: 10,
      replicas: 10,
      capacityEstimate: '100',
      observedGeneration: 1,
    });
    expect(Number(lat.status?.observedRPS)).toBeGreaterThan(550);
    // The API server keeps the field only if the CRD's status schema declares it.
    expect(Number(lat.status?.observedArrivingRPS)).toBeGreaterThan(550);
    const condition = (type: string) => lat.status?.conditions?.find((c) => c.type === type);
    expect(condition('Ready')).toMatchObject({ status: 'True', reason: 'TargetFound' });
    expect(condition('ScalingActive')).toMatchObject({ status: 'True', reason: 'ValidMetricFound' });
    const scaled = await waitFor(
      async () => {
        const e = await events('SuccessfulRescale', 'images');
        return e.length > 0 ? e : undefined;
      },
      { timeoutMs: 10_000, what: 'a SuccessfulRescale Event' },
    );
    expect(scaled[0]?.message).toMatch(/New size: 10 \(from 2\); reason: LoadAboveCapacity/);

    const metrics = await (await fetch(`${operator.url}/metrics`)).text();
    expect(metrics).toMatch(/laas_autoscaler_scale_events_total\{direction="up"\} 1/);
    expect(metrics).toMatch(/laas_autoscaler_is_leader 1/);
    expect(await (await fetch(`${operator.url}/healthz`)).json()).toEqual({ status: 'ok', leader: true });
  });

  test('a missing target is reported as TargetNotFound with one Warning, and retried only at the resync pace', async () => {
    await must(kube, ['-n', ns, 'apply', '-f', '-'], autoscalerYaml('ghost', 'ghost', prom.url));
    await waitFor(
      async () =>
        (await getLat('ghost')).status?.conditions?.find((c) => c.type === 'Ready')?.reason ===
        'TargetNotFound',
      {
        timeoutMs: 10_000,
        what: 'TargetNotFound on ghost',
      },
    );
    const notFound = async () =>
      (await operator.metrics.reconcileErrors.get()).values.find((v) => v.labels.kind === 'NotFound')
        ?.value ?? 0;
    const start = await notFound();
    await new Promise((r) => setTimeout(r, 3000));
    // Resync every 1 s: about 3 more attempts in 3 s, not hundreds.
    expect((await notFound()) - start).toBeLessThanOrEqual(5);
    expect(await events('TargetNotFound', 'ghost')).toHaveLength(1);
  });

  test('a deleted LatencyAutoscaler is forgotten without errors', async () => {
    await must(kube, ['-n', ns, 'delete', 'latencyautoscaler', 'ghost']);
    const errors = async () =>
      (await operator.metrics.reconcileErrors.get()).values.reduce((a, v) => a + v.value, 0);
    await new Promise((r) => setTimeout(r, 1500));
    const start = await errors();
    await new Promise((r) => setTimeout(r, 2000));
    expect(await errors()).toBe(start);
  });
});

describe('reconciler logic against the real API server (metric source stubbed: not a Prometheus test)', () => {
  test('writes status only when it changed: a second reconcile on the same numbers writes nothing', async () => {
    await must(kube, ['-n', ns, 'apply', '-f', '-'], deploymentYaml('steady', 4));
    await setDeploymentStatus(kube, ns, 'steady', 4);
    await must(
      kube,
      ['-n', ns, 'apply', '-f', '-'],
      autoscalerYaml('steady', 'steady', 'http://127.0.0.1:1'),
    );
    const kc = kubeConfigAt(kube.kubeconfigPath);
    const writer = new KubeStatusWriter(kc.makeApiClient(CustomObjectsApi));
    let writes = 0;
    const reconciler = new Reconciler({
      // 280 RPS on 4 replicas is exactly the planned 70 each: Hold.
      metrics: {
        read: async (_spec, now) => ({
          kind: 'ok',
          sample: {
            observedAt: now,
            rpsShort: 280,
            rpsLong: 280,
            latencySeconds: 0.1,
            withinObjective: null,
          },
        }),
      },
      targetFor: () => new DeploymentTarget(kc.makeApiClient(AppsV1Api), ns, 'steady'),
      status: { write: async (obj, status) => void (writes++, await writer.write(obj, status)) },
      events: new KubeEventRecorder(kc.makeApiClient(CoreV1Api), Date.now, 'test'),
      clock: Date.now,
      log: quietLog,
    });
    const first = await reconciler.reconcile(await getLat('steady'));
    expect(first).toMatchObject({
      kind: 'decided',
      decision: { outcome: 'Hold', reason: 'LoadMatchesCapacity' },
    });
    expect(writes).toBe(1);
    const stored = await getLat('steady');
    expect(stored.status).toMatchObject({
      replicas: 4,
      desiredReplicas: 4,
      observedRPS: '280',
      rpsPerReplica: '70',
    });
    await reconciler.reconcile(stored);
    expect(writes).toBe(1);
    expect((await getLat('steady')).metadata.resourceVersion).toBe(stored.metadata.resourceVersion);
  });
});

describe('--dry-run', () => {
  test('decides and logs a scale to 10 but patches nothing: no scale, no status, no Event', async () => {
    await must(kube, ['-n', ns, 'apply', '-f', '-'], deploymentYaml('dry', 2));
    await setDeploymentStatus(kube, ns, 'dry', 2);
    await must(kube, ['-n', ns, 'apply', '-f', '-'], autoscalerYaml('dry', 'dry', prom.url));
    const kc = kubeConfigAt(kube.kubeconfigPath);
    const logged: string[] = [];
    const log = {
      ...quietLog,
      info: (_o: object, msg: string) => void logged.push(msg),
      debug: () => undefined,
      warn: () => undefined,
      error: () => undefined,
    };
    const reconciler = new Reconciler({
      metrics: new PrometheusMetricSource(),
      targetFor: (namespace, name) => new DeploymentTarget(kc.makeApiClient(AppsV1Api), namespace, name),
      status: new KubeStatusWriter(kc.makeApiClient(CustomObjectsApi)),
      events: new KubeEventRecorder(kc.makeApiClient(CoreV1Api), Date.now, 'test'),
      clock: Date.now,
      log,
      dryRun: true,
    });
    const before = await getLat('dry');
    const result = await reconciler.reconcile(before);
    expect(result).toMatchObject({
      kind: 'decided',
      scaled: false,
      decision: { outcome: 'Scale', desiredReplicas: 10 },
    });
    expect(logged.join('\n')).toMatch(/700|RPS needs/);
    expect(await replicasOf(kube, ns, 'dry')).toBe(2);
    expect((await getLat('dry')).metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(await events('SuccessfulRescale', 'dry')).toHaveLength(0);
  });
});

describe('a 409 conflict on the scale', () => {
  test('is retried on freshly read numbers', async () => {
    await must(kube, ['-n', ns, 'apply', '-f', '-'], deploymentYaml('racy', 2));
    await setDeploymentStatus(kube, ns, 'racy', 2);
    await must(kube, ['-n', ns, 'apply', '-f', '-'], autoscalerYaml('racy', 'racy', prom.url));
    const kc = kubeConfigAt(kube.kubeconfigPath);
    const real = new DeploymentTarget(kc.makeApiClient(AppsV1Api), ns, 'racy');
    const seen: string[] = [];
    let raced = false;
    // Between our read and our write, someone else scales the Deployment to 3 (for real).
    const racy: ScaleTarget = {
      description: real.description,
      get: async () => {
        const state = await real.get();
        if (!raced) {
          raced = true;
          await must(kube, ['-n', ns, 'scale', 'deployment', 'racy', '--replicas=3']);
        }
        return state;
      },
      scale: async (n, version) => {
        try {
          await real.scale(n, version);
          seen.push(`scaled to ${n}`);
        } catch (error) {
          seen.push(error instanceof TargetError ? error.code : String(error));
          throw error;
        }
      },
    };
    const reconciler = new Reconciler({
      metrics: new PrometheusMetricSource(),
      targetFor: () => racy,
      status: new KubeStatusWriter(kc.makeApiClient(CustomObjectsApi)),
      events: new KubeEventRecorder(kc.makeApiClient(CoreV1Api), Date.now, 'test'),
      clock: Date.now,
      log: quietLog,
    });
    const result = await reconciler.reconcile(await getLat('racy'));
    expect(seen).toEqual(['Conflict', 'scaled to 10']);
    expect(result).toMatchObject({ kind: 'decided', scaled: true, target: { replicas: 3 } });
    expect(await replicasOf(kube, ns, 'racy')).toBe(10);
  });
});

describe('leader election on a Lease', () => {
  test('the second instance stays passive, never acts alongside, and takes over within the lease time when the leader dies', async () => {
    const kc = () => kubeConfigAt(kube.kubeconfigPath);
    const common = {
      namespace: ns,
      leaseName: uniqueName('lease'),
      log: quietLog,
      resyncMs: 1000,
      leaseDurationSeconds: 3,
      retryPeriodMs: 250,
    };
    const a = await startOperator({ ...common, kubeConfig: kc(), identity: 'a' });
    await waitFor(() => a.isLeader(), { timeoutMs: 10_000, what: 'a to lead' });
    const b = await startOperator({ ...common, kubeConfig: kc(), identity: 'b' });
    let both = 0;
    const sampler = setInterval(() => {
      if (a.isLeader() && b.isLeader()) both += 1;
    }, 50);
    try {
      await new Promise((r) => setTimeout(r, 2000));
      expect(b.isLeader()).toBe(false);
      await a.stop({ release: false }); // a crash: the Lease is not released
      const died = Date.now();
      await waitFor(() => b.isLeader(), { timeoutMs: 10_000, what: 'b to take over' });
      const tookMs = Date.now() - died;
      // Not before the 3 s lease expired (as b observed it), and soon after.
      expect(tookMs).toBeGreaterThanOrEqual(2500);
      expect(tookMs).toBeLessThan(6000);
      expect(both).toBe(0);
    } finally {
      clearInterval(sampler);
      await a.stop();
      await b.stop();
    }
  });
});
