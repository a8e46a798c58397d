import { renderChart } from '../src/chart.js';
import type { RenderOptions } from '../src/chart.js';
import { podTemplateOf } from '../src/objects.js';
import type { Labels } from '../src/objects.js';
import { connects, egressAdmits, ingressAdmits, isPod, policiesFrom } from '../src/netpol.js';
import type { AddressRef, Endpoint, NetworkPolicy, PodRef, Protocol } from '../src/netpol.js';

const ns = (name: string, labels: Labels = {}): Pick<PodRef, 'namespace' | 'namespaceLabels'> => ({
  namespace: name,
  namespaceLabels: { 'kubernetes.io/metadata.name': name, ...labels },
});
const pod = (namespace: string, labels: Labels, ports: PodRef['ports'] = [], ip?: string): PodRef => ({
  ...ns(namespace),
  labels,
  ports,
  ...(ip ? { ip } : {}),
});
const address = (ip: string): AddressRef => ({ address: ip });

describe('the NetworkPolicy evaluator follows the API semantics', () => {
  const web = pod('shop', { app: 'web' }, [{ name: 'http', containerPort: 8080 }], '198.18.1.10');
  const api = pod('shop', { app: 'api' });
  const other = pod('tools', { app: 'api' });
  const policy = (spec: NetworkPolicy['spec'], namespace = 'shop'): NetworkPolicy => ({
    namespace,
    name: 'p',
    spec,
  });
  const onlyApi = { podSelector: { matchLabels: { app: 'api' } } };

  describe('ingress: may the peer connect to the selected pod?', () => {
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
        [policy({ podSelector: {}, ingress: [{ from: [onlyApi] }] })],
        api,
        web,
        8080,
        true,
      ],
      [
        'a podSelector peer does not admit a matching pod of another namespace',
        [policy({ podSelector: {}, ingress: [{ from: [onlyApi] }] })],
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
          policy({
            podSelector: { matchLabels: { app: 'web' } },
            ingress: [{ from: [{ podSelector: {} }] }],
          }),
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
        'an ipBlock peer does not admit a pod whose IP is unknown',
        [policy({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] })],
        api,
        web,
        8080,
        false,
      ],
      [
        'an ipBlock peer admits an address inside its CIDR',
        [policy({ podSelector: {}, ingress: [{ from: [{ ipBlock: { cidr: '198.18.0.0/24' } }] }] })],
        address('198.18.0.1'),
        web,
        8080,
        true,
      ],
      [
        'a selector peer never admits a bare address',
        [policy({ podSelector: {}, ingress: [{ from: [{ podSelector: {} }] }] })],
        address('198.18.0.1'),
        web,
        8080,
        false,
      ],
    ] as [string, NetworkPolicy[], Endpoint, PodRef, number, boolean][])(
      '%s',
      (_label, policies, from, to, port, expected) => {
        expect(ingressAdmits(policies, from, to, port)).toBe(expected);
      },
    );
  });

  describe('egress: may the selected pod connect to the peer?', () => {
    test.each([
      ['a pod no policy selects may connect anywhere', [], web, address('198.18.9.9'), 443, 'TCP', true],
      [
        'an Ingress-only policy does not isolate for egress',
        [policy({ podSelector: {}, policyTypes: ['Ingress'] })],
        web,
        address('198.18.9.9'),
        443,
        'TCP',
        true,
      ],
      [
        'a pod selected by an Egress policy without rules connects nowhere',
        [policy({ podSelector: {}, policyTypes: ['Egress'] })],
        web,
        api,
        8080,
        'TCP',
        false,
      ],
      [
        'a policy without policyTypes but with egress rules isolates for egress',
        [policy({ podSelector: {}, egress: [{ to: [onlyApi] }] })],
        web,
        address('198.18.9.9'),
        443,
        'TCP',
        false,
      ],
      [
        'a podSelector peer admits a matching pod of the same namespace',
        [policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [onlyApi] }] })],
        web,
        api,
        8080,
        'TCP',
        true,
      ],
      [
        'a podSelector peer does not admit a matching pod of another namespace',
        [policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [onlyApi] }] })],
        web,
        other,
        8080,
        'TCP',
        false,
      ],
      [
        'a podSelector peer never admits a bare address',
        [policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] })],
        web,
        address('198.18.9.9'),
        8080,
        'TCP',
        false,
      ],
      [
        'an ipBlock peer admits an address inside its CIDR',
        [
          policy({
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: '198.18.128.0/17' } }] }],
          }),
        ],
        web,
        address('198.18.128.1'),
        443,
        'TCP',
        true,
      ],
      [
        'an ipBlock peer does not admit an address outside its CIDR',
        [
          policy({
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: '198.18.128.0/17' } }] }],
          }),
        ],
        web,
        address('198.18.0.1'),
        443,
        'TCP',
        false,
      ],
      [
        'an ipBlock peer does not admit an address of its except blocks',
        [
          policy({
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: '198.18.0.0/15', except: ['198.18.0.0/24'] } }] }],
          }),
        ],
        web,
        address('198.18.0.1'),
        443,
        'TCP',
        false,
      ],
      [
        'an ipBlock peer admits a pod by its IP (implementations may; the cautious reading)',
        [
          policy({
            podSelector: { matchLabels: { app: 'api' } },
            policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: '198.18.1.0/24' } }] }],
          }),
        ],
        api,
        web,
        8080,
        'TCP',
        true,
      ],
      [
        'an IPv6 ipBlock admits an address of its block',
        [
          policy({
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: 'fd00:10::/64' } }] }],
          }),
        ],
        web,
        address('fd00:10::1'),
        443,
        'TCP',
        true,
      ],
      [
        'an IPv4 ipBlock never admits an IPv6 address',
        [
          policy({
            podSelector: {},
            policyTypes: ['Egress'],
            egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }],
          }),
        ],
        web,
        address('fd00:10::1'),
        443,
        'TCP',
        false,
      ],
      [
        'a rule with ports and no peers admits any address on those ports',
        [policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 443 }] }] })],
        web,
        address('198.18.9.9'),
        443,
        'TCP',
        true,
      ],
      [
        'a rule with ports and no peers admits no other port',
        [policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 443 }] }] })],
        web,
        address('198.18.9.9'),
        80,
        'TCP',
        false,
      ],
      [
        'a named port resolves on the destination pod',
        [policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
        api,
        web,
        8080,
        'TCP',
        true,
      ],
      [
        'a named port never matches a bare address',
        [policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 'http' }] }] })],
        api,
        address('198.18.9.9'),
        8080,
        'TCP',
        false,
      ],
      [
        'a TCP rule does not admit UDP',
        [policy({ podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53 }] }] })],
        web,
        address('198.18.0.10'),
        53,
        'UDP',
        false,
      ],
    ] as [string, NetworkPolicy[], PodRef, Endpoint, number, Protocol, boolean][])(
      '%s',
      (_label, policies, from, to, port, protocol, expected) => {
        expect(egressAdmits(policies, from, to, port, protocol)).toBe(expected);
      },
    );
  });

  describe('a connection needs the egress rules of its source AND the ingress rules of its target', () => {
    const egressToApi = policy({
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Egress'],
      egress: [{ to: [onlyApi] }],
    });
    const apiAcceptsWeb = policy({
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: 'web' } } }] }],
    });
    const apiAcceptsNobody = policy({
      podSelector: { matchLabels: { app: 'api' } },
      policyTypes: ['Ingress'],
    });
    const webSendsNowhere = policy({ podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'] });

    test.each([
      ['both allow it: it connects', [egressToApi, apiAcceptsWeb], web, api, true],
      [
        'the source allows it, the target refuses: it does not',
        [egressToApi, apiAcceptsNobody],
        web,
        api,
        false,
      ],
      [
        'the target allows it, the source refuses: it does not',
        [webSendsNowhere, apiAcceptsWeb],
        web,
        api,
        false,
      ],
      ['to an address, only the source has a say', [egressToApi], web, address('198.18.9.9'), false],
      ['from an address, only the target has a say', [apiAcceptsNobody], address('198.18.9.9'), api, false],
      ['from an address to a pod that isolates nothing: it connects', [], address('198.18.9.9'), api, true],
    ] as [string, NetworkPolicy[], Endpoint, Endpoint, boolean][])(
      '%s',
      (_label, policies, from, to, expected) => {
        expect(connects(policies, from, to, 8080)).toBe(expected);
      },
    );
  });
});

// ---- the chart's policies ----------------------------------------------------------------

const NS = 'laas';
// The lab cluster's layout (cluster/src/layout.ts): the `kubernetes` Service's ClusterIP, and the
// API server on the node's address, port 6443, behind it; CoreDNS behind 198.19.0.10.
const API_SERVICE = '198.19.0.1';
const API_NODE = '198.19.255.2';
// A listener no policy names (the lab-cluster enforcement test starts one like it).
const OUTSIDE = '198.18.99.99';

/** The parties of the matrix: the release's pods, pods around them, and addresses. */
async function partiesOf(
  options: RenderOptions,
): Promise<{ policies: NetworkPolicy[]; parties: Map<string, Endpoint> }> {
  const objects = await renderChart({ namespace: NS, ...options });
  const parties = new Map<string, Endpoint>();
  let n = 10;
  for (const obj of objects) {
    const template = podTemplateOf(obj);
    if (!template) continue;
    const labels = template.metadata.labels ?? {};
    const component = labels['app.kubernetes.io/component'];
    if (!component) throw new Error(`${obj.kind}/${obj.metadata.name} has no component label`);
    const ports = template.spec.containers.flatMap((c) => c.ports ?? []);
    // Each pod gets an IP, so an ipBlock that could match pod IPs is seen doing so.
    parties.set(component, pod(NS, labels, ports, `198.18.1.${n++}`));
  }
  const gatewayLabels = (parties.get('gateway') as PodRef).labels;
  const dnsPorts = [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
  ];
  const outside: [string, Endpoint][] = [
    ['ingress-nginx controller', pod('ingress-nginx', { 'app.kubernetes.io/name': 'ingress-nginx' })],
    ['a stranger pod in the release namespace', pod(NS, { app: 'stranger' }, [], '198.18.1.200')],
    [
      'the experiment k6 Job',
      pod(NS, { 'app.kubernetes.io/name': 'laas', 'app.kubernetes.io/component': 'experiment' }),
    ],
    [
      'an experiment k6 Job of another namespace',
      pod('default', { 'app.kubernetes.io/name': 'laas', 'app.kubernetes.io/component': 'experiment' }),
    ],
    ['a pod of another namespace', pod('default', { app: 'stranger' })],
    ['a pod of another namespace labelled like the gateway', pod('elsewhere', { ...gatewayLabels })],
    [
      'an ingress-nginx pod in the wrong namespace',
      pod('default', { 'app.kubernetes.io/name': 'ingress-nginx' }),
    ],
    ['kube-dns', pod('kube-system', { 'k8s-app': 'kube-dns' }, dnsPorts, '198.18.0.9')],
    ['a kube-dns look-alike in the release namespace', pod(NS, { 'k8s-app': 'kube-dns' }, dnsPorts)],
    ['the API server Service', address(API_SERVICE)],
    ['the API server on the node', address(API_NODE)],
    ['a listener outside the policies', address(OUTSIDE)],
  ];
  for (const [name, party] of outside) parties.set(name, party);
  return { policies: policiesFrom(objects, NS), parties };
}

const isReleasePod = (e: Endpoint): boolean =>
  isPod(e) && e.namespace === NS && e.labels['app.kubernetes.io/instance'] === 'laas';

// Ports tried against an address: every port any part of laas uses, and a few it never does.
const ADDRESS_PORTS: [number, Protocol][] = [
  [22, 'TCP'],
  [53, 'UDP'],
  [53, 'TCP'],
  [80, 'TCP'],
  [443, 'TCP'],
  [4000, 'TCP'],
  [4002, 'TCP'],
  [6443, 'TCP'],
  [8080, 'TCP'],
  [9090, 'TCP'],
  [27017, 'TCP'],
];

/** Every connection the policies let through where one end at least is a pod of the release. */
function admittedFlows(policies: NetworkPolicy[], parties: Map<string, Endpoint>): string[] {
  const admitted: string[] = [];
  for (const [fromName, from] of parties) {
    if (!isPod(from)) continue; // addresses never start a connection in this matrix
    for (const [toName, to] of parties) {
      if (from === to || (!isReleasePod(from) && !isReleasePod(to))) continue;
      const tries: [string, number, Protocol][] = isPod(to)
        ? [
            ...(to.ports ?? []).map(
              (p) =>
                [p.name ?? String(p.containerPort), p.containerPort, (p.protocol ?? 'TCP') as Protocol] as [
                  string,
                  number,
                  Protocol,
                ],
            ),
            ['22', 22, 'TCP'], // a port no container declares
          ]
        : ADDRESS_PORTS.map(
            ([port, protocol]) => [String(port), port, protocol] as [string, number, Protocol],
          );
      for (const [label, port, protocol] of tries) {
        if (connects(policies, from, to, port, protocol))
          admitted.push(`${fromName} -> ${toName}:${label}${protocol === 'UDP' ? '/UDP' : ''}`);
      }
    }
  }
  return admitted.sort();
}

describe('the chart NetworkPolicies admit what laas needs and nothing else', () => {
  let policies: NetworkPolicy[];
  let parties: Map<string, Endpoint>;

  beforeAll(async () => {
    ({ policies, parties } = await partiesOf({
      set: ['loadtest.enabled=true'],
      extraArgs: [
        '--set-json',
        `networkPolicy.apiServer.endpoints=[{"cidr":"${API_SERVICE}/32","port":443},{"cidr":"${API_NODE}/32","port":6443}]`,
      ],
    }));
  });

  const DNS_CLIENTS = ['gateway', 'images', 'auth', 'images-seed', 'autoscaler', 'loadtest', 'test'];
  // Every flow the system needs: from -> to:port. Both ends' policies must admit it.
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
    'prometheus -> gateway:metrics',
    'prometheus -> images:http',
    'prometheus -> auth:http',
    'prometheus -> autoscaler:http',
    'prometheus -> the API server Service:443',
    'prometheus -> the API server on the node:6443',
    'autoscaler -> prometheus:http',
    'gateway -> prometheus:http',
    'autoscaler -> the API server Service:443',
    'autoscaler -> the API server on the node:6443',
    ...DNS_CLIENTS.flatMap((c) => [`${c} -> kube-dns:dns/UDP`, `${c} -> kube-dns:dns-tcp`]),
  ];

  test('the release renders the workloads the matrix is about', () => {
    expect([...parties.keys()]).toEqual(
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
    expect(admittedFlows(policies, parties)).toContain(flow);
  });

  test('admits no other connection to or from a pod of the release, on any port', () => {
    expect(admittedFlows(policies, parties)).toEqual([...NEEDED].sort());
  });

  test('every pod of the release is isolated both ways', () => {
    const stranger = parties.get('a stranger pod in the release namespace') as PodRef;
    const open: string[] = [];
    for (const [name, p] of parties) {
      if (!isReleasePod(p)) continue;
      if (ingressAdmits(policies, stranger, p as PodRef, 1)) open.push(`${name}: ingress`);
      if (egressAdmits(policies, p as PodRef, address(OUTSIDE), 1)) open.push(`${name}: egress`);
    }
    expect(open).toEqual([]);
  });
});

describe('egress to what lies outside the release follows the values', () => {
  const flowsFrom = async (options: RenderOptions, from: string): Promise<string[]> => {
    const { policies, parties } = await partiesOf(options);
    return admittedFlows(policies, parties).filter(
      (f) => f.startsWith(`${from} -> `) && !f.includes('kube-dns'),
    );
  };

  test.each([
    [
      'without a known API server address, the autoscaler may reach any address on 443 and 6443 only',
      {},
      'autoscaler',
      [
        'autoscaler -> a listener outside the policies:443',
        'autoscaler -> a listener outside the policies:6443',
        'autoscaler -> prometheus:http',
        'autoscaler -> the API server Service:443',
        'autoscaler -> the API server Service:6443',
        'autoscaler -> the API server on the node:443',
        'autoscaler -> the API server on the node:6443',
      ],
    ],
    [
      'with an external MongoDB and no peers given, images reaches any address on 27017 only',
      { variant: 'external-mongodb' },
      'images',
      [
        'images -> a listener outside the policies:27017',
        'images -> the API server Service:27017',
        'images -> the API server on the node:27017',
      ],
    ],
    [
      'with an external MongoDB in a given block, the seed Job reaches only that block',
      {
        variant: 'external-mongodb',
        extraArgs: ['--set-json', 'networkPolicy.externalMongodb.to=[{"ipBlock":{"cidr":"198.18.99.0/24"}}]'],
      },
      'images-seed',
      ['images-seed -> a listener outside the policies:27017'],
    ],
    [
      'with an external Prometheus in a given block, the autoscaler queries it on 9090',
      {
        set: ['prometheus.enabled=false', 'prometheus.url=http://198.18.99.99:9090'],
        extraArgs: [
          '--set-json',
          'networkPolicy.externalPrometheus.to=[{"ipBlock":{"cidr":"198.18.99.99/32"}}]',
          '--set-json',
          `networkPolicy.apiServer.endpoints=[{"cidr":"${API_NODE}/32","port":6443}]`,
        ],
      },
      'autoscaler',
      ['autoscaler -> a listener outside the policies:9090', 'autoscaler -> the API server on the node:6443'],
    ],
    [
      'the k6 Job sends load to the gateway only',
      { set: ['loadtest.enabled=true'] },
      'loadtest',
      ['loadtest -> gateway:http'],
    ],
    [
      'the k6 Job with its own target also reaches that target, on 80 and 443',
      {
        set: ['loadtest.enabled=true', 'loadtest.target=http://198.18.99.99'],
        extraArgs: ['--set-json', 'networkPolicy.loadtestTarget.to=[{"ipBlock":{"cidr":"198.18.99.99/32"}}]'],
      },
      'loadtest',
      [
        'loadtest -> a listener outside the policies:443',
        'loadtest -> a listener outside the policies:80',
        'loadtest -> gateway:http',
      ],
    ],
    ['MongoDB opens no connection at all', {}, 'mongodb', []],
  ] as [string, RenderOptions, string, string[]][])('%s', async (_label, options, from, expected) => {
    expect(await flowsFrom(options, from)).toEqual([...expected].sort());
  });

  test.each([
    ['by default, a host-network ingress controller on another node does not reach the gateway', [], false],
    [
      'with its address in networkPolicy.ingressController.cidrs, it does',
      ['--set-json', 'networkPolicy.ingressController.cidrs=["198.19.255.0/24"]'],
      true,
    ],
  ] as [string, string[], boolean][])('%s', async (_label, extraArgs, expected) => {
    const { policies, parties } = await partiesOf({ extraArgs });
    const gateway = parties.get('gateway') as PodRef;
    const http = gateway.ports!.find((p) => p.name === 'http')!.containerPort;
    expect(connects(policies, address(API_NODE), gateway, http)).toBe(expected);
  });

  test('networkPolicy.enabled=false renders no NetworkPolicy', async () => {
    const objects = await renderChart({ set: ['networkPolicy.enabled=false'] });
    expect(objects.filter((o) => o.kind === 'NetworkPolicy')).toEqual([]);
  });
});
