// Helpers for tests against the shared kube-apiserver of the test bed.
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeCluster } from '@laas/testbed';
import { pino } from 'pino';

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CRD_PATH = join(PACKAGE_DIR, 'crd', 'laas.dev_latencyautoscalers.yaml');
export const ROLE_PATH = join(PACKAGE_DIR, 'rbac', 'role.yaml');

export const quietLog = pino({ level: process.env.LAAS_TEST_LOG_LEVEL ?? 'silent' });

export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(3).toString('hex')}`;
}

export function kubeConfigAt(path: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  return kc;
}

/** Runs kubectl and throws with stderr on a non-zero exit. */
export async function must(kube: KubeCluster, args: string[], input?: string): Promise<string> {
  const r = await kube.kubectl(args, input === undefined ? {} : { input });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

export async function installCrd(kube: KubeCluster): Promise<void> {
  await must(kube, ['apply', '-f', CRD_PATH]);
  await must(kube, [
    'wait',
    '--for=condition=Established',
    '--timeout=30s',
    'crd/latencyautoscalers.laas.dev',
  ]);
}

export function deploymentYaml(name: string, replicas: number): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'laas/images:test' }] },
      },
    },
  });
}

/** No controllers run here: the test plays the Deployment controller and sets status itself. */
export async function setDeploymentStatus(
  kube: KubeCluster,
  ns: string,
  name: string,
  ready: number,
): Promise<void> {
  const patch = JSON.stringify({
    status: { replicas: ready, readyReplicas: ready, updatedReplicas: ready, availableReplicas: ready },
  });
  await must(kube, [
    '-n',
    ns,
    'patch',
    'deployment',
    name,
    '--subresource=status',
    '--type=merge',
    '-p',
    patch,
  ]);
}

export async function replicasOf(kube: KubeCluster, ns: string, name: string): Promise<number> {
  return Number(await must(kube, ['-n', ns, 'get', 'deployment', name, '-o', 'jsonpath={.spec.replicas}']));
}

export function autoscalerYaml(
  name: string,
  target: string,
  prometheusUrl: string,
  extra: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    apiVersion: 'laas.dev/v1alpha1',
    kind: 'LatencyAutoscaler',
    metadata: { name },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: target },
      minReplicas: 1,
      maxReplicas: 20,
      capacity: { rpsPerReplica: 100 },
      metrics: {
        prometheusUrl,
        selector: '{service="images"}',
        scrapeIntervalSeconds: 1,
        shortWindowSeconds: 4,
        longWindowSeconds: 8,
      },
      ...extra,
    },
  });
}
