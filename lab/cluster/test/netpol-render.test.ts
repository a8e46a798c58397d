import { policyTypes, renderRules } from '../src/netpol/render.js';
import type { PodInfo, PolicyInfo } from '../src/netpol/render.js';

const pod = (name: string, ip: string, labels: Record<string, string>, namespace = 'laas'): PodInfo => ({
  namespace,
  name,
  labels,
  ip,
  ports: [{ name: 'http', containerPort: 4000 }],
});
const pods = [
  pod('images', '198.18.0.10', { app: 'images' }),
  pod('gateway', '198.18.0.11', { app: 'gateway' }),
  pod('stranger', '198.18.0.12', {}),
  pod('prometheus', '198.18.0.13', { app: 'prometheus' }, 'monitoring'),
];
const namespaces = [
  { name: 'laas', labels: { 'kubernetes.io/metadata.name': 'laas' } },
  { name: 'monitoring', labels: { 'kubernetes.io/metadata.name': 'monitoring' } },
];
const imagesFromGateway: PolicyInfo = {
  namespace: 'laas',
  name: 'images-from-gateway',
  podSelector: { matchLabels: { app: 'images' } },
  policyTypes: ['Ingress'],
  ingress: [
    { from: [{ podSelector: { matchLabels: { app: 'gateway' } } }], ports: [{ port: 'http' }] },
    { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] },
  ],
};

describe('the NetworkPolicy enforcer turns policies into iptables rules', () => {
  // Label selectors themselves are @laas/kubekit's, with their own table (kubekit/test/selectors.test.ts).
  test.each([
    ['no policyTypes and no egress rules: Ingress only', {}, { ingress: true, egress: false }],
    ['no policyTypes with egress rules: both', { egress: [{}] }, { ingress: true, egress: true }],
    ['policyTypes Egress only', { policyTypes: ['Egress'] }, { ingress: false, egress: true }],
  ])('%s', (_label, extra, expected) => {
    expect(policyTypes({ namespace: 'n', name: 'p', podSelector: {}, ...extra })).toEqual(expected);
  });

  test('an isolated pod gets a chain that lets the gateway in on its named port, Prometheus in on any port, and drops the rest', () => {
    const { restore, chains } = renderRules(pods, namespaces, [imagesFromGateway]);
    expect(chains).toEqual(['LAAS-NETPOL', 'LAAS-NPI-0']);
    expect(restore).toContain(
      '-A LAAS-NETPOL -d 198.18.0.10/32 -m comment --comment "laas/images ingress" -j LAAS-NPI-0',
    );
    expect(restore).toContain(
      '-A LAAS-NPI-0 -s 198.18.0.11/32 -p tcp -m tcp --dport 4000 -m comment --comment "laas/images-from-gateway" -j RETURN',
    );
    expect(restore).toContain(
      '-A LAAS-NPI-0 -s 198.18.0.13/32 -m comment --comment "laas/images-from-gateway" -j RETURN',
    );
    expect(restore).not.toContain('198.18.0.12');
    expect(restore.indexOf('-A LAAS-NPI-0 -j DROP')).toBeGreaterThan(restore.indexOf('-A LAAS-NPI-0 -s'));
  });

  test('an Egress policy with no rules cuts the pod off, and established connections always pass', () => {
    const denyEgress: PolicyInfo = {
      namespace: 'laas',
      name: 'deny',
      podSelector: { matchLabels: { app: 'gateway' } },
      policyTypes: ['Egress'],
    };
    const { restore } = renderRules(pods, namespaces, [denyEgress]);
    expect(restore).toContain('-A LAAS-NETPOL -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN');
    expect(restore).toContain(
      '-A LAAS-NETPOL -s 198.18.0.11/32 -m comment --comment "laas/gateway egress" -j LAAS-NPO-0',
    );
    expect(restore).toMatch(/-A LAAS-NPO-0 -j DROP\n/);
  });

  test('chains of the previous round that are no longer needed are deleted in the same transaction', () => {
    const { restore, chains } = renderRules(pods, namespaces, [], ['LAAS-NETPOL', 'LAAS-NPI-0']);
    expect(chains).toEqual(['LAAS-NETPOL']);
    expect(restore).toContain(':LAAS-NPI-0 - [0:0]');
    expect(restore).toContain('-X LAAS-NPI-0');
  });
});
