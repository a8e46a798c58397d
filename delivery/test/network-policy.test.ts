import { renderChart } from '../src/chart.js';
import { podTemplateOf } from '../src/objects.js';
import type { Labels } from '../src/objects.js';
import { admits, policiesFrom } from '../src/netpol.js';
import type { NetworkPolicy, PodRef } from '../src/netpol.js';

const ns = (name: string, labels: Labels = {}): Pick<PodRef, 'namespace' | 'namespaceLabels'> => ({
  namespace: name,
  namespaceLabels: { 'kubernetes.io/metadata.name': name, ...labels },
});
const pod = (namespace: string, labels: Labels, ports: PodRef['ports'] = []): PodRef => ({
  ...ns(namespace),
  labels,
  ports,
});

describe('the NetworkPolicy evaluator follows the API semantics', () => {
  const web = pod('shop', { app: 'web' }, [{ name: 'http', containerPort: 8080 }]);
  const api = pod('shop', { app: 'api' });
  const other = pod('tools', { app: 'api' });
  const policy = (spec: NetworkPolicy['spec'], namespace = 'shop'): NetworkPolicy => ({
    namespace,
    name: 'p',
    spec,
  });

  test.each([
    ['a pod no policy selects accepts everything', [], api, web, 8080, true],
    [
      'a pod selected by a policy without rules accepts nothing',
      [policy({ podSelector: {}, policyTypes: ['Ingress'] })],
      api,
      web,
      8080,
      false,
    ],
    [
      'an Egress-only policy does not isolate for ingress',
      [policy({ podSelector: {}, policyTypes: ['Egress'] })],
      api,
      web,
      8080,
      true,
    ],
    [
      'a policy without policyTypes isolates for ingress',
      [policy({ podSelector: { matchLabels: { app: 'web' } } })],
      api,
      web,
      8080,
      false,
    ],
    [
      'a podSelector peer admits a matching pod of the same namespace',
      [policy({ podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }] })],
      api,
      web,
      8080,
      true,
    ],
    [
      'a podSelector peer does not admit a matching pod of another namespace',
      [policy({ podSelector: {}, ingress: [{ from: [{ podSelector: { matchLabels: { app: 'api' } } }] }] })],
      other,
      web,
      8080,
      false,
    ],
    [
      'a namespaceSelector and podSelector in one peer must both match',
      [
        policy({
          podSelector: {},
          ingress: [
            {
              from: [
                {
                  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tools' } },
                  podSelector: { matchLabels: { app: 'web' } },
                },
              ],
            },
          ],
        }),
      ],
      other,
      web,
      8080,
      false,
    ],
    [
      'a namespaceSelector alone admits every pod of the namespace',
      [
        policy({
          podSelector: {},
          ingress: [
            { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'tools' } } }] },
          ],
        }),
      ],
      other,
      web,
      8080,
      true,
    ],
    [
      'a named port admits the container port of that name',
      [policy({ podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] })],
      api,
      web,
      8080,
      true,
    ],
    [
      'a named port does not admit another port',
      [policy({ podSelector: {}, ingress: [{ ports: [{ port: 'http' }] }] })],
      api,
      web,
      9090,
      false,
    ],
    [
      'a numeric port range admits a port inside it',
      [policy({ podSelector: {}, ingress: [{ ports: [{ port: 8000, endPort: 8100 }] }] })],
      api,
      web,
      8080,
      true,
    ],
    [
      'a UDP rule does not admit TCP',
      [policy({ podSelector: {}, ingress: [{ ports: [{ protocol: 'UDP', port: 8080 }] }] })],
      api,
      web,
      8080,
      false,
    ],
    [
      'rules of several selecting policies add up',
      [
        policy({ podSelector: {}, policyTypes: ['Ingress'] }),
        policy({ podSelector: { matchLabels: { app: 'web' } }, ingress: [{ from: [{ podSelector: {} }] }] }),
      ],
      api,
      web,
      8080,
      true,
    ],
    [
      'a matchExpressions NotIn excludes the listed value',
      [
        policy({
          podSelector: {},
          ingress: [
            {
              from: [
                { podSelector: { matchExpressions: [{ key: 'app', operator: 'NotIn', values: ['api'] }] } },
              ],
            },
          ],
        }),
      ],
      api,
      web,
      8080,
      false,
    ],
    [
      'an ipBlock peer never admits a pod',
      [policy({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })],
      api,
      web,
      8080,
      false,
    ],
  ] as [string, NetworkPolicy[], PodRef, PodRef, number, boolean][])(
    '%s',
    (_label, policies, from, to, port, expected) => {
      expect(admits(policies, from, to, port)).toBe(expected);
    },
  );
});

describe('the chart NetworkPolicies admit what laas needs and nothing else', () => {
  const NS = 'laas';
  type Name = string;
  let pods: Map<Name, PodRef>;
  let policies: NetworkPolicy[];

  beforeAll(async () => {
    const objects = await renderChart({ namespace: NS, set: ['loadtest.enabled=true'] });
    policies = policiesFrom(objects, NS);
    pods = new Map();
    for (const obj of objects) {
      const template = podTemplateOf(obj);
      if (!template) continue;
      const labels = template.metadata.labels ?? {};
      const component = labels['app.kubernetes.io/component'];
      if (!component) throw new Error(`${obj.kind}/${obj.metadata.name} has no component label`);
      pods.set(
        component,
        pod(
          NS,
          labels,
          template.spec.containers.flatMap((c) => c.ports ?? []),
        ),
      );
    }
    // Pods outside the chart that the policies must tell apart.
    pods.set('ingress-nginx controller', pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' }));
    pods.set('a stranger pod in the release namespace', pod(NS, { app: 'stranger' }));
    pods.set(
      'the experiment k6 Job',
      pod(NS, { 'app.kubernetes.io/name': 'laas', 'app.kubernetes.io/component': 'experiment' }),
    );
    pods.set(
      'an experiment k6 Job of another namespace',
      pod('default', { 'app.kubernetes.io/name': 'laas', 'app.kubernetes.io/component': 'experiment' }),
    );
    pods.set('a pod of another namespace', pod('default', { app: 'stranger' }));
    pods.set(
      'a pod of another namespace labelled like the gateway',
      pod('elsewhere', { ...pods.get('gateway')!.labels }),
    );
    pods.set(
      'an ingress-nginx pod in the wrong namespace',
      pod('default', { 'app.kubernetes.io/name': 'ingress-nginx' }),
    );
  });

  // Every flow the system needs: from -> to:port-name.
  const NEEDED = [
    'ingress-nginx controller -> gateway:http',
    'loadtest -> gateway:http',
    'test -> gateway:http',
    'gateway -> images:http',
    'gateway -> auth:http',
    'the experiment k6 Job -> images:http',
    'images -> mongodb:mongodb',
    'auth -> mongodb:mongodb',
    'images-seed -> mongodb:mongodb',
    'prometheus -> gateway:http',
    'prometheus -> images:http',
    'prometheus -> auth:http',
    'prometheus -> autoscaler:http',
    'autoscaler -> prometheus:http',
    'gateway -> prometheus:http',
  ];

  test('the release renders the workloads the matrix is about', () => {
    expect([...pods.keys()]).toEqual(
      expect.arrayContaining([
        'gateway',
        'images',
        'auth',
        'mongodb',
        'prometheus',
        'autoscaler',
        'loadtest',
        'test',
        'images-seed',
      ]),
    );
  });

  test.each(NEEDED)('admits %s', (flow) => {
    const [fromName, target] = flow.split(' -> ') as [string, string];
    const [toName, portName] = target.split(':') as [string, string];
    const to = pods.get(toName)!;
    const port = to.ports!.find((p) => p.name === portName)!.containerPort;
    expect(admits(policies, pods.get(fromName)!, to, port)).toBe(true);
  });

  test('denies every other connection from the named pods to the pods of the release, on every port', () => {
    const admitted: string[] = [];
    const releasePods = [...pods].filter(
      ([, p]) => p.labels['app.kubernetes.io/instance'] && p.namespace === NS,
    );
    for (const [fromName, from] of pods) {
      for (const [toName, to] of releasePods) {
        for (const p of to.ports ?? []) {
          if (admits(policies, from, to, p.containerPort))
            admitted.push(`${fromName} -> ${toName}:${p.name}`);
        }
        // A port no container declares is never admitted either.
        if (admits(policies, from, to, 22)) admitted.push(`${fromName} -> ${toName}:22`);
      }
    }
    expect(admitted.sort()).toEqual([...NEEDED].sort());
  });

  test('every pod of the release is isolated by a policy', () => {
    for (const [name, p] of pods) {
      if (p.namespace !== NS || !p.labels['app.kubernetes.io/instance']) continue;
      expect({
        name,
        admitsStranger: admits(policies, pods.get('a stranger pod in the release namespace')!, p, 1),
      }).toEqual({
        name,
        admitsStranger: false,
      });
    }
  });
});
