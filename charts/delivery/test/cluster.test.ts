// The chart against a REAL kube-apiserver (the test bed's: etcd + kube-apiserver with RBAC and
// admission, but no controllers and no kubelet, so nothing is scheduled or becomes ready; hence
// `--wait=false`). Every object must be accepted by the API server's validation, the CRD must be
// established and the LatencyAutoscalers accepted by its schema; RBAC is checked by
// impersonating the autoscaler's ServiceAccount.
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { testKube } from '@laas/testbed';
import type { KubeCluster } from '@laas/testbed';
import { CI_VARIANTS, valuesFileOf } from '../src/chart.js';
import type { Variant } from '../src/chart.js';
import { parseDocuments } from '../src/objects.js';
import { chartDir, helm, repoRoot } from '../src/tools.js';
import type { RunResult } from '../src/tools.js';

const VARIANTS: Variant[] = ['default', ...CI_VARIANTS];
const namespaceOf = (variant: Variant): string => `delivery-${variant}`;
let kube: KubeCluster;

const helmIn = (args: string[]): Promise<RunResult> =>
  helm([...args, '--kubeconfig', kube.kubeconfigPath], { timeoutMs: 180_000 });

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const result = await kube.kubectl(args, input === undefined ? {} : { input });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

async function secretData(namespace: string, name: string): Promise<Record<string, string>> {
  return (
    JSON.parse(await kubectlOk(['get', 'secret', name, '-n', namespace, '-o', 'json'])) as {
      data: Record<string, string>;
    }
  ).data;
}

beforeAll(() => {
  kube = testKube();
});

describe.each(VARIANTS)('helm install with the %s values', (variant) => {
  const ns = namespaceOf(variant);
  let install: RunResult;

  beforeAll(async () => {
    install = await helmIn([
      'install',
      'laas',
      chartDir,
      '--namespace',
      ns,
      '--create-namespace',
      '--wait=false',
      ...valuesFileOf(variant),
    ]);
  }, 200_000);

  test('succeeds and prints the port-forward command', () => {
    expect(install.stderr).toBe('');
    expect(install.code).toBe(0);
    expect(install.stdout).toContain(`kubectl -n ${ns} port-forward service/laas-gateway 4002:4002`);
  });

  test('every object of the release exists on the API server', async () => {
    const manifest = (await helmIn(['get', 'manifest', 'laas', '--namespace', ns])).stdout;
    const expected = parseDocuments(manifest)
      .map((o) => `${o.kind}/${o.metadata.name}`)
      .sort();
    const onServer = JSON.parse(await kubectlOk(['get', '-f', '-', '-n', ns, '-o', 'json'], manifest)) as {
      items: { kind: string; metadata: { name: string } }[];
    };
    expect(onServer.items.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThan(10);
  });
});

describe("the API server's addresses, read at install (networkPolicy.apiServer.lookup)", () => {
  interface Rule {
    cidrs: string[];
    port: number;
  }
  const ns = 'delivery-lookup';
  const hostCidr = (ip: string): string => (ip.includes(':') ? `${ip}/128` : `${ip}/32`);
  // The test bed's API server advertises 127.0.0.1, which an EndpointSlice may not hold, so it
  // publishes none. This one stands in for the slice a real cluster has (the API server on a
  // node's address, port 6443), and the install must find it.
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'kubernetes' },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['198.19.255.2'] }],
    ports: [{ name: 'https', port: 6443, protocol: 'TCP' }],
  };
  let created = false;

  beforeAll(async () => {
    created = (await kube.kubectl(['get', 'endpointslice', 'kubernetes', '-n', 'default'])).code !== 0;
    if (created) await kubectlOk(['create', '-f', '-'], JSON.stringify(slice));
    const install = await helmIn([
      'install',
      'laas',
      chartDir,
      '--namespace',
      ns,
      '--create-namespace',
      '--wait=false',
    ]);
    if (install.code !== 0) throw new Error(`helm install failed: ${install.stderr}`);
  }, 200_000);

  afterAll(async () => {
    await helmIn(['uninstall', 'laas', '--namespace', ns, '--wait=false']);
    if (created) await kube.kubectl(['delete', 'endpointslice', 'kubernetes', '-n', 'default']);
  }, 200_000);

  test.each(['autoscaler', 'prometheus'])(
    'the %s may reach exactly the ClusterIP of Service default/kubernetes and the endpoints behind it, each on its own port',
    async (component) => {
      const svc = JSON.parse(
        await kubectlOk(['get', 'service', 'kubernetes', '-n', 'default', '-o', 'json']),
      ) as {
        spec: { clusterIPs: string[]; ports: { port: number }[] };
      };
      const live = JSON.parse(
        await kubectlOk(['get', 'endpointslice', 'kubernetes', '-n', 'default', '-o', 'json']),
      ) as {
        endpoints: { addresses: string[] }[];
        ports: { port: number }[];
      };
      const expected: Rule[] = [
        ...svc.spec.ports.map((p) => ({ cidrs: svc.spec.clusterIPs.map(hostCidr), port: p.port })),
        ...live.ports.map((p) => ({
          cidrs: live.endpoints.flatMap((e) => e.addresses).map(hostCidr),
          port: p.port,
        })),
      ];
      const policy = JSON.parse(
        await kubectlOk(['get', 'networkpolicy', `laas-${component}`, '-n', ns, '-o', 'json']),
      ) as { spec: { egress: { to?: { ipBlock?: { cidr: string } }[]; ports?: { port: number }[] }[] } };
      // Rules by address; a rule without peers would be the fallback (any address), which must
      // not appear once the addresses are known.
      const addressRules: Rule[] = policy.spec.egress
        .filter((r) => !r.to || r.to.some((peer) => peer.ipBlock))
        .map((r) => ({ cidrs: (r.to ?? []).map((peer) => peer.ipBlock!.cidr), port: r.ports![0]!.port }));
      expect(expected).toHaveLength(2);
      expect(addressRules).toEqual(expected);
    },
  );
});

describe('the LatencyAutoscaler CRD', () => {
  test('is established', async () => {
    const status = await kubectlOk([
      'get',
      'crd',
      'latencyautoscalers.laas.dev',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Established")].status}',
    ]);
    expect(status).toBe('True');
  });

  test.each([
    ['default', ['laas-auth', 'laas-gateway', 'laas-images']],
    ['ingress-off', ['laas-auth', 'laas-gateway', 'laas-images']],
    ['external-mongodb', ['laas-auth', 'laas-gateway', 'laas-images']],
    ['no-autoscaler', []],
    ['minimal', []],
  ] as [Variant, string[]][])(
    "holds the chart's LatencyAutoscalers of the %s release, defaulted by its schema",
    async (variant, names) => {
      const list = JSON.parse(
        await kubectlOk(['get', 'latencyautoscalers', '-n', namespaceOf(variant), '-o', 'json']),
      ) as {
        items: {
          metadata: { name: string };
          spec: { behavior?: { scaleDown?: { windowSeconds?: number } } };
        }[];
      };
      expect(list.items.map((i) => i.metadata.name).sort()).toEqual(names);
      for (const item of list.items) expect(item.spec.behavior?.scaleDown?.windowSeconds).toBeGreaterThan(0);
    },
  );

  const la = (spec: Record<string, unknown>): string =>
    JSON.stringify({
      apiVersion: 'laas.dev/v1alpha1',
      kind: 'LatencyAutoscaler',
      metadata: { name: 'bad', namespace: namespaceOf('default') },
      spec: {
        scaleTargetRef: { kind: 'Deployment', name: 'laas-images' },
        maxReplicas: 4,
        metrics: { prometheusUrl: 'http://prometheus:9090', selector: '{service="images"}' },
        ...spec,
      },
    });

  test.each([
    ['a maxReplicas of zero', { maxReplicas: 0 }, 'spec.maxReplicas'],
    [
      'minReplicas above maxReplicas',
      { minReplicas: 5, maxReplicas: 2 },
      'minReplicas must be <= maxReplicas',
    ],
    [
      'a target that is not a Deployment',
      { scaleTargetRef: { kind: 'StatefulSet', name: 'x' } },
      'spec.scaleTargetRef.kind',
    ],
    [
      'a Prometheus URL that is not http(s)',
      { metrics: { prometheusUrl: 'prometheus:9090', selector: 'x' } },
      'spec.metrics.prometheusUrl',
    ],
  ])('rejects %s', async (_label, spec, message) => {
    const result = await kube.kubectl(['apply', '--dry-run=server', '-f', '-'], { input: la(spec) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(message);
  });
});

describe('helm upgrade', () => {
  const ns = namespaceOf('default');

  test('keeps the generated Ed25519 signing key and the MongoDB credentials', async () => {
    const before = { jwt: await secretData(ns, 'laas-jwt'), mongo: await secretData(ns, 'laas-mongodb') };
    const pem = Buffer.from(before.jwt['signing-key.pem']!, 'base64').toString();
    expect(createPrivateKey(pem).asymmetricKeyType).toBe('ed25519');
    const upgrade = await helmIn([
      'upgrade',
      'laas',
      chartDir,
      '--namespace',
      ns,
      '--wait=false',
      '--set',
      'images.replicaCount=2',
    ]);
    expect(upgrade.stderr).toBe('');
    expect(upgrade.code).toBe(0);
    const after = { jwt: await secretData(ns, 'laas-jwt'), mongo: await secretData(ns, 'laas-mongodb') };
    expect(after).toEqual(before);
  }, 200_000);

  test('leaves the replica count of an autoscaled Deployment to the autoscaler', async () => {
    await kubectlOk(['scale', 'deployment/laas-images', '-n', ns, '--replicas=5']);
    const upgrade = await helmIn(['upgrade', 'laas', chartDir, '--namespace', ns, '--wait=false']);
    expect(upgrade.code).toBe(0);
    expect(
      await kubectlOk(['get', 'deployment/laas-images', '-n', ns, '-o', 'jsonpath={.spec.replicas}']),
    ).toBe('5');
  }, 200_000);
});

describe('the plain manifests of k8s/', () => {
  test('pass kubectl apply --dry-run=server in the namespace they name', async () => {
    await kube.kubectl(['create', 'namespace', 'laas']);
    await kubectlOk([
      'apply',
      '--server-side',
      '-f',
      join(repoRoot, 'k8s', 'crd', 'laas.dev_latencyautoscalers.yaml'),
    ]);
    const result = await kube.kubectl([
      'apply',
      '--dry-run=server',
      '-f',
      join(repoRoot, 'k8s', 'rendered', 'laas.yaml'),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const applied = result.stdout.trim().split('\n');
    const rendered = parseDocuments(readFileSync(join(repoRoot, 'k8s', 'rendered', 'laas.yaml'), 'utf8'));
    expect(applied).toHaveLength(rendered.length);
  });

  test.each(['latencyautoscaler-images.yaml'])('the example %s is accepted', async (file) => {
    const result = await kube.kubectl([
      'apply',
      '--dry-run=server',
      '-n',
      'laas',
      '-f',
      join(repoRoot, 'k8s', 'examples', file),
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});

describe('the autoscaler ServiceAccount may do exactly what the autoscaler needs', () => {
  const ns = namespaceOf('default');
  const as = `--as=system:serviceaccount:${ns}:laas-autoscaler`;
  const canI = async (args: string[], namespace = ns): Promise<string> =>
    (await kube.kubectl(['auth', 'can-i', ...args, as, '-n', namespace])).stdout.trim();

  test.each([
    ['watch its LatencyAutoscalers', ['watch', 'latencyautoscalers.laas.dev']],
    ['list its LatencyAutoscalers', ['list', 'latencyautoscalers.laas.dev']],
    ['patch their status', ['patch', 'latencyautoscalers.laas.dev', '--subresource=status']],
    ['read a Deployment', ['get', 'deployments.apps']],
    ["read a Deployment's scale", ['get', 'deployments.apps', '--subresource=scale']],
    ["patch a Deployment's scale", ['patch', 'deployments.apps', '--subresource=scale']],
    ['record an Event', ['create', 'events']],
    ['create its Lease', ['create', 'leases.coordination.k8s.io']],
    ['renew its Lease', ['update', 'leases.coordination.k8s.io/laas-autoscaler']],
  ])('yes: %s', async (_label, args) => {
    expect(await canI(args)).toBe('yes');
  });

  test.each([
    ["change a LatencyAutoscaler's spec", ['update', 'latencyautoscalers.laas.dev'], ns],
    ['delete a LatencyAutoscaler', ['delete', 'latencyautoscalers.laas.dev'], ns],
    ['patch a Deployment itself (its image, its pods)', ['patch', 'deployments.apps'], ns],
    ['delete a Deployment', ['delete', 'deployments.apps'], ns],
    ['read Secrets', ['get', 'secrets'], ns],
    ['create Pods', ['create', 'pods'], ns],
    ['exec into Pods', ['create', 'pods', '--subresource=exec'], ns],
    ["renew someone else's Lease", ['update', 'leases.coordination.k8s.io/kube-scheduler'], ns],
    [
      'scale a Deployment in another namespace',
      ['patch', 'deployments.apps', '--subresource=scale'],
      'default',
    ],
    [
      'read LatencyAutoscalers of another namespace',
      ['list', 'latencyautoscalers.laas.dev'],
      namespaceOf('minimal'),
    ],
    ['touch cluster-wide objects', ['list', 'nodes'], ns],
  ])('no: %s', async (_label, args, namespace) => {
    expect(await canI(args, namespace)).toBe('no');
  });
});
