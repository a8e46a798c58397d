import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { testKube } from '@laas/testbed';
import { dryRunKube } from '@laas/experiment';

jest.setTimeout(120_000);
const execFileAsync = promisify(execFile);
const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
const NAMESPACE = 'experiment-dry-run';
const DEPLOYMENT = 'laas-images';

let kubeconfig: string;
let apps: AppsV1Api;
let batch: BatchV1Api;
let core: CoreV1Api;

beforeAll(async () => {
  kubeconfig = testKube().kubeconfigPath;
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  apps = kc.makeApiClient(AppsV1Api);
  batch = kc.makeApiClient(BatchV1Api);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: NAMESPACE } } }).catch(() => undefined);
  const labels = { 'app.kubernetes.io/name': 'laas', 'app.kubernetes.io/component': 'images' };
  await apps
    .createNamespacedDeployment({
      namespace: NAMESPACE,
      body: {
        metadata: { name: DEPLOYMENT, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: {
              containers: [
                { name: 'images', image: 'laas/images:dev', resources: { limits: { cpu: '250m' } } },
              ],
            },
          },
        },
      },
    })
    .catch(() => undefined);
});

afterAll(async () => {
  await core?.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
});

describe('the cluster (and minikube) target in a dry run, against a real API server', () => {
  test('validates the ConfigMap, every scale patch and a k6 Job per replica count, and persists none of them', async () => {
    const lines: string[] = [];
    const calls = await dryRunKube({
      namespace: NAMESPACE,
      deployment: DEPLOYMENT,
      serviceUrl: 'http://laas-images:4000',
      kubeconfig,
      replicas: [1, 2, 3, 5],
      rate: 100,
      durationSec: 8,
      path: '/random?count=25',
      print: (line) => lines.push(line),
    });
    const kinds = calls.map((c) =>
      c.call
        .split(' (')[0]!
        .replace(/laas-experiment-\d+-\d+/g, 'JOB')
        .replace(/\d+$/, 'N'),
    );
    const perReplicaCount = [
      `PATCH /apis/apps/v1/namespaces/${NAMESPACE}/deployments/${DEPLOYMENT}/scale`,
      `GET /apis/apps/v1/namespaces/${NAMESPACE}/deployments/${DEPLOYMENT} until status.readyReplicas == N`,
      `POST /apis/batch/v1/namespaces/${NAMESPACE}/jobs`,
      `GET /apis/batch/v1/namespaces/${NAMESPACE}/jobs/JOB until Complete or Failed`,
      `GET /api/v1/namespaces/${NAMESPACE}/pods/<pod of job-name=JOB>/log`,
      `DELETE /apis/batch/v1/namespaces/${NAMESPACE}/jobs/JOB`,
    ];
    expect(kinds).toEqual([
      // No Service laas-images in this namespace: k6 would call the URL as given.
      `GET /api/v1/namespaces/${NAMESPACE}/services/laas-images`,
      `POST /api/v1/namespaces/${NAMESPACE}/configmaps`,
      ...[1, 2, 3, 5].flatMap(() => perReplicaCount),
    ]);
    expect(
      calls.filter((c) => c.call.startsWith('PATCH')).map((c) => /"replicas":(\d+)/.exec(c.call)?.[1]),
    ).toEqual(['1', '2', '3', '5']);
    expect(
      calls
        .filter((c) => c.call.startsWith('POST') || c.call.startsWith('PATCH'))
        .every((c) => c.outcome === 'dry-run ok'),
    ).toBe(true);
    expect(lines.join('\n')).toContain(`kubectl -n ${NAMESPACE} scale deployment/${DEPLOYMENT} --replicas=5`);

    // Dry run: the API server validated, and stored nothing.
    const deployment = await apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace: NAMESPACE });
    expect(deployment.spec?.replicas).toBe(1);
    expect((await batch.listNamespacedJob({ namespace: NAMESPACE })).items).toHaveLength(0);
    expect(
      (await core.listNamespacedConfigMap({ namespace: NAMESPACE })).items.filter(
        (c) => c.metadata?.name === 'laas-experiment-k6',
      ),
    ).toHaveLength(0);
  });

  test("scaling a Deployment that does not exist fails with the API server's 404", async () => {
    await expect(
      dryRunKube({
        namespace: NAMESPACE,
        deployment: 'nope',
        serviceUrl: 'http://x',
        kubeconfig,
        replicas: [1],
        rate: 10,
        durationSec: 2,
        path: '/',
        print: () => undefined,
      }),
    ).rejects.toMatchObject({ code: 404 });
  });

  test('the CLI prints the same sequence with --target minikube --dry-run', async () => {
    const { stdout } = await execFileAsync(process.execPath, [
      MAIN,
      '--target',
      'minikube',
      '--dry-run',
      '--replicas',
      '1,2',
      '--namespace',
      NAMESPACE,
      '--deployment',
      DEPLOYMENT,
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(stdout).toContain(`[dry-run] kubectl -n ${NAMESPACE} scale deployment/${DEPLOYMENT} --replicas=2`);
    expect(stdout).toMatch(
      /\[dry-run\] kubectl -n experiment-dry-run create -f job\/laas-experiment-\d+-2\.yaml/,
    );
    expect(stdout).toContain('-> dry-run ok');
  });
  test('--target cluster --context NAME runs the same sequence in that context, with the CPU limit patch validated first', async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const context = kc.getCurrentContext();
    const { stdout } = await execFileAsync(process.execPath, [
      MAIN,
      '--target',
      'cluster',
      '--context',
      context,
      '--cpu',
      '100m',
      '--dry-run',
      '--replicas',
      '1',
      '--namespace',
      NAMESPACE,
      '--deployment',
      DEPLOYMENT,
      '--kubeconfig',
      kubeconfig,
    ]);
    expect(stdout).toContain('dry run (cluster target)');
    expect(stdout).toContain(
      `[dry-run] kubectl -n ${NAMESPACE} set resources deployment/${DEPLOYMENT} -c images --limits=cpu=100m --requests=cpu=100m`,
    );
    expect(stdout).toContain(`[dry-run] kubectl -n ${NAMESPACE} scale deployment/${DEPLOYMENT} --replicas=1`);
    // Validated, not stored: the Deployment keeps its 250m.
    const deployment = await apps.readNamespacedDeployment({ name: DEPLOYMENT, namespace: NAMESPACE });
    expect(deployment.spec?.template.spec?.containers[0]?.resources?.limits?.['cpu']).toBe('250m');
  });

  test('an unknown --context is refused with the names of the contexts the kubeconfig has', async () => {
    const failed = await execFileAsync(process.execPath, [
      MAIN,
      '--target',
      'cluster',
      '--context',
      'no-such-context',
      '--dry-run',
      '--kubeconfig',
      kubeconfig,
    ]).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toMatch(/has no context "no-such-context"; it has: \S+/);
  });
});
