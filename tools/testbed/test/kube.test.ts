import { AppsV1Api, KubeConfig, PatchStrategy, VersionApi, setHeaderOptions } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testKube, toolsDir } from '../src/index.js';
import type { KubeCluster } from '../src/index.js';

const namespace = 'testbed-smoke';

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: llama
  namespace: ${namespace}
spec:
  replicas: 1
  selector:
    matchLabels: { app: llama }
  template:
    metadata:
      labels: { app: llama }
    spec:
      containers:
        - name: llama
          image: laas/images:dev
`;

function pinnedKubernetesVersion(): string {
  const versions = readFileSync(join(toolsDir, 'versions.env'), 'utf8');
  const match = /^KUBERNETES_VERSION=(\S+)$/m.exec(versions);
  if (!match?.[1]) throw new Error('KUBERNETES_VERSION missing from tools/versions.env');
  return match[1];
}

describe('the shared kube-apiserver', () => {
  let kube: KubeCluster;
  let config: KubeConfig;

  beforeAll(async () => {
    kube = testKube();
    config = new KubeConfig();
    config.loadFromFile(kube.kubeconfigPath);
    const created = await kube.kubectl(['create', 'namespace', namespace]);
    expect(created.stderr).toBe('');
  });

  afterAll(async () => {
    await kube.kubectl(['delete', 'namespace', namespace, '--wait=false']);
  });

  test('reports the pinned Kubernetes version on /version', async () => {
    const version = await config.makeApiClient(VersionApi).getCode();

    expect(version.gitVersion).toBe(pinnedKubernetesVersion());
  });

  test('has the default namespace', async () => {
    const result = await kube.kubectl(['get', 'namespace', 'default', '-o', 'name']);

    expect(result).toMatchObject({ code: 0, stdout: 'namespace/default\n' });
  });

  test('accepts a Deployment through kubectl apply', async () => {
    const result = await kube.kubectl(['apply', '-f', '-'], { input: deployment });

    expect(result).toMatchObject({ code: 0, stdout: 'deployment.apps/llama created\n' });
  });

  test('scales the Deployment through a JSON merge patch of deployments/scale from @kubernetes/client-node', async () => {
    const apps = config.makeApiClient(AppsV1Api);

    const scale = await apps.patchNamespacedDeploymentScale(
      { name: 'llama', namespace, body: { spec: { replicas: 3 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const read = await apps.readNamespacedDeployment({ name: 'llama', namespace });

    expect(scale.spec?.replicas).toBe(3);
    expect(read.spec?.replicas).toBe(3);
  });

  test('lets a test write Deployment status itself, since no controllers run', async () => {
    const apps = config.makeApiClient(AppsV1Api);

    await apps.patchNamespacedDeploymentStatus(
      { name: 'llama', namespace, body: { status: { replicas: 3, readyReplicas: 2, availableReplicas: 2 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const read = await apps.readNamespacedDeploymentStatus({ name: 'llama', namespace });

    expect(read.status).toMatchObject({ replicas: 3, readyReplicas: 2 });
  });

  test('enforces RBAC on a ServiceAccount token until a Role grants it deployments/scale', async () => {
    await kube.kubectl(['create', 'serviceaccount', 'autoscaler', '-n', namespace]);
    const saKubeconfig = await kube.kubeconfigForServiceAccount(namespace, 'autoscaler');
    const canPatchScale = [
      'auth',
      'can-i',
      'patch',
      'deployments.apps',
      '--subresource=scale',
      '-n',
      namespace,
    ];
    const asServiceAccount = async (): Promise<string> =>
      (await kube.kubectl([...canPatchScale, '--kubeconfig', saKubeconfig])).stdout.trim();

    expect(await asServiceAccount()).toBe('no');

    await kube.kubectl([
      'create',
      'role',
      'scaler',
      '-n',
      namespace,
      '--verb=get,patch',
      '--resource=deployments/scale',
    ]);
    await kube.kubectl([
      'create',
      'rolebinding',
      'scaler',
      '-n',
      namespace,
      '--role=scaler',
      `--serviceaccount=${namespace}:autoscaler`,
    ]);

    expect(await asServiceAccount()).toBe('yes');
    const impersonated = await kube.kubectl([
      ...canPatchScale,
      `--as=system:serviceaccount:${namespace}:autoscaler`,
    ]);
    expect(impersonated.stdout.trim()).toBe('yes');
  });
});
