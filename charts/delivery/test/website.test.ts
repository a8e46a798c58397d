// The chart serves the web page without extra steps: the seeded pictures link where clients
// reach the release, and the gateway's scaling panel knows its Prometheus.
import { renderChart } from '../src/chart.js';
import { byName, podTemplateOf, type K8sObject } from '../src/objects.js';

const envOf = (objects: K8sObject[], kind: string, name: string, variable: string): string | undefined =>
  podTemplateOf(byName(objects, kind, name))!.spec.containers[0]!.env?.find((e) => e.name === variable)
    ?.value;

const seedJob = (objects: K8sObject[]): string =>
  objects.find((o) => o.kind === 'Job' && o.metadata.name.startsWith('laas-images-seed'))!.metadata.name;

describe('PUBLIC_BASE_URL of images and of the seed Job', () => {
  test.each([
    ['by default, the ingress host', [], 'http://laas.local'],
    ['with TLS on the ingress, https', ['ingress.tls=laas-tls'], 'https://laas.local'],
    [
      'with images.publicBaseUrl, that URL',
      ['images.publicBaseUrl=https://llamas.example.org/laas'],
      'https://llamas.example.org/laas',
    ],
    [
      'without an ingress, the gateway Service',
      ['ingress.enabled=false'],
      'http://laas-gateway.laas.svc:4002',
    ],
  ])('%s', async (_name, set, expected) => {
    const objects = await renderChart({ set });
    expect(envOf(objects, 'Deployment', 'laas-images', 'PUBLIC_BASE_URL')).toBe(expected);
    expect(envOf(objects, 'Job', seedJob(objects), 'PUBLIC_BASE_URL')).toBe(expected);
  });

  test('a value that is not an http(s) URL is refused by the schema', async () => {
    await expect(renderChart({ set: ['images.publicBaseUrl=laas.local'] })).rejects.toThrow(
      /at '\/images\/publicBaseUrl'/,
    );
  });
});

describe('PROMETHEUS_URL of the gateway', () => {
  test.each([
    ["the release's Prometheus", [], 'http://laas-prometheus.laas.svc:9090'],
    [
      'an external one',
      ['prometheus.enabled=false', 'prometheus.url=http://prom.monitoring:9090'],
      'http://prom.monitoring:9090',
    ],
  ])('%s', async (_name, set, expected) => {
    expect(envOf(await renderChart({ set }), 'Deployment', 'laas-gateway', 'PROMETHEUS_URL')).toBe(expected);
  });

  test('none at all: the variable is absent and the panel says it is off', async () => {
    const objects = await renderChart({ set: ['prometheus.enabled=false', 'autoscaler.enabled=false'] });
    expect(envOf(objects, 'Deployment', 'laas-gateway', 'PROMETHEUS_URL')).toBeUndefined();
  });
});
