// The generated CRD, installed in the real kube-apiserver: defaults, validation, printer columns.
import { testKube } from '@laas/testbed';
import type { KubeCluster } from '@laas/testbed';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import type { LatencyAutoscaler } from '../src/api/types.js';
import { PACKAGE_DIR, installCrd, must, uniqueName } from './support/kube.js';

let kube: KubeCluster;
const ns = uniqueName('lat-crd');
const example = readFileSync(join(PACKAGE_DIR, 'examples', 'images.yaml'), 'utf8');

beforeAll(async () => {
  kube = testKube();
  await installCrd(kube);
  await must(kube, ['create', 'namespace', ns]);
});

afterAll(async () => {
  await kube?.kubectl(['delete', 'namespace', ns, '--wait=false']);
});

test('the example is accepted and the API server fills in the documented defaults', async () => {
  const out = JSON.parse(
    await must(kube, ['-n', ns, 'apply', '--dry-run=server', '-o', 'json', '-f', '-'], example),
  ) as LatencyAutoscaler;
  expect(out.spec).toMatchObject({
    objective: { quantile: 0.99, latencyMilliseconds: 300 },
    capacity: { rpsPerReplica: 220, targetUtilization: 0.7, halfLifeSeconds: 600 },
    metrics: {
      scrapeIntervalSeconds: 5,
      shortWindowSeconds: 20,
      longWindowSeconds: 60,
      maxAgeSeconds: 30,
      noDataHoldSeconds: 60,
      useArrivals: true,
    },
    behavior: {
      scaleUp: {
        windowSeconds: 10,
        burstThreshold: 2,
        maxStepPercent: 900,
        maxStepReplicas: 4,
        unexplainedLatencySeconds: 60,
      },
      scaleDown: { windowSeconds: 30, holdSeconds: 30, maxStepPercent: 50, hysteresisReplicas: 0.3 },
    },
  });
});

test.each([
  {
    label: 'minReplicas above maxReplicas is refused',
    patch: { minReplicas: 5, maxReplicas: 2 },
    error: /minReplicas must be <= maxReplicas/,
  },
  {
    label: 'metrics without a selector or queries are refused',
    patch: { metrics: { prometheusUrl: 'http://p:9090' } },
    error: /metrics needs a selector or queries/,
  },
  {
    label: 'a StatefulSet target is refused (Deployments only)',
    patch: { scaleTargetRef: { kind: 'StatefulSet', name: 'db' } },
    error: /Unsupported value: "StatefulSet"/,
  },
  { label: 'a quantile of 1.5 is refused', patch: { objective: { quantile: 1.5 } }, error: /quantile/ },
  {
    label: 'minReplicas 0 is refused with the reason (no scale to zero)',
    patch: { minReplicas: 0 },
    error: /minReplicas 0 \(scale to zero\) is not supported/,
  },
  {
    label: 'fallbackReplicas above maxReplicas is refused',
    patch: { fallbackReplicas: 11 },
    error: /fallbackReplicas must be within \[minReplicas, maxReplicas\]/,
  },
  {
    label: 'a Prometheus URL without a scheme is refused',
    patch: { metrics: { prometheusUrl: 'prometheus:9090', selector: '{a="b"}' } },
    error: /prometheusUrl/,
  },
])('$label', async ({ patch, error }) => {
  const base = {
    apiVersion: 'laas.dev/v1alpha1',
    kind: 'LatencyAutoscaler',
    metadata: { name: 'bad' },
    spec: {
      scaleTargetRef: { kind: 'Deployment', name: 'images' },
      maxReplicas: 10,
      metrics: { prometheusUrl: 'http://p:9090', selector: '{a="b"}' },
    },
  };
  const r = await kube.kubectl(['-n', ns, 'apply', '--dry-run=server', '-f', '-'], {
    input: JSON.stringify({ ...base, spec: { ...base.spec, ...patch } }),
  });
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(error);
});

test('kubectl get lat prints the target, bounds, replicas, RPS and p99 columns', async () => {
  await must(kube, ['-n', ns, 'apply', '-f', '-'], example);
  const header = (await must(kube, ['-n', ns, 'get', 'lat'])).split('\n')[0] ?? '';
  expect(header.split(/\s+/).filter(Boolean)).toEqual([
    'NAME',
    'TARGET',
    'MIN',
    'MAX',
    'REPLICAS',
    'DESIRED',
    'RPS',
    'P99MS',
    'AGE',
  ]);
});
