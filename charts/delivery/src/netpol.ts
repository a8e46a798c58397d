// A small, pure evaluator of Kubernetes NetworkPolicy semantics (networking.k8s.io/v1), ingress
// AND egress, enough to ask "may A open a connection to port P of B?" over rendered manifests,
// without a cluster or a CNI. A connection needs both ends to agree: the egress rules of the
// source pod and the ingress rules of the target pod (an address outside the cluster has no
// policies, so only the pod's side counts there).
//   - a pod is isolated in a direction when at least one policy of its namespace selects it and
//     that policy's policyTypes include the direction; without policyTypes, Ingress is implied,
//     and Egress too when the policy has egress rules;
//   - a pod not isolated in a direction allows everything in it;
//   - an isolated pod allows a connection when some rule of some selecting policy admits both
//     the peer (from / to) and the port; the rules of all selecting policies are ORed;
//   - a rule without peers admits every peer, pods and addresses alike; without `ports`, every port;
//   - a peer with only podSelector means pods of the policy's own namespace; only
//     namespaceSelector means every pod of the matching namespaces; both means pods matching the
//     podSelector inside matching namespaces; these never match a bare address;
//   - an ipBlock peer matches addresses inside its CIDR and outside its `except` blocks. Whether
//     it also matches pod IPs is left to each implementation by the API: here it does, when the
//     pod has an `ip`, which is the cautious reading when a test claims a flow is denied;
//   - a named port matches a container port of that name on the pod receiving the connection
//     (for egress, the destination pod); an address has no named ports.
import { cidrContains } from './cidr.js';
import type { K8sObject, Labels } from './objects.js';
import { selectorMatches } from './selectors.js';
import type { LabelSelector } from './selectors.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';
export type Direction = 'Ingress' | 'Egress';

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  protocol?: Protocol;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: Direction[];
  ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
  egress?: { to?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
}

export interface NetworkPolicy {
  namespace: string;
  name: string;
  spec: NetworkPolicySpec;
}

/** A pod as the evaluator sees it. */
export interface PodRef {
  namespace: string;
  namespaceLabels: Labels;
  labels: Labels;
  /** Named container ports, to resolve `port: http`. */
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  /** The pod's IP, for ipBlock peers (optional: without it no ipBlock matches the pod). */
  ip?: string;
}

/** An address no pod holds: a node, a Service ClusterIP, a server outside the cluster. */
export interface AddressRef {
  address: string;
}

export type Endpoint = PodRef | AddressRef;

export const isPod = (e: Endpoint): e is PodRef => 'labels' in e;

export function policiesFrom(objects: K8sObject[], defaultNamespace: string): NetworkPolicy[] {
  return objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .map((o) => ({
      namespace: o.metadata.namespace ?? defaultNamespace,
      name: o.metadata.name,
      spec: o['spec'] as NetworkPolicySpec,
    }));
}

function affects(spec: NetworkPolicySpec, direction: Direction): boolean {
  if (spec.policyTypes && spec.policyTypes.length > 0) return spec.policyTypes.includes(direction);
  return direction === 'Ingress' || (spec.egress ?? []).length > 0;
}

function peerMatches(peer: NetworkPolicyPeer, policyNamespace: string, other: Endpoint): boolean {
  if (peer.ipBlock) {
    const ip = isPod(other) ? other.ip : other.address;
    if (ip === undefined) return false;
    return (
      cidrContains(peer.ipBlock.cidr, ip) && !(peer.ipBlock.except ?? []).some((c) => cidrContains(c, ip))
    );
  }
  if (!isPod(other)) return false;
  const nsOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, other.namespaceLabels)
    : other.namespace === policyNamespace;
  const podOk = peer.podSelector ? selectorMatches(peer.podSelector, other.labels) : true;
  return nsOk && podOk;
}

/** `receiver` is the end that accepts the connection: its named ports resolve `port: http`. */
function portMatches(rule: NetworkPolicyPort, receiver: Endpoint, port: number, protocol: Protocol): boolean {
  if ((rule.protocol ?? 'TCP') !== protocol) return false;
  if (rule.port === undefined) return true;
  if (typeof rule.port === 'number') {
    return rule.endPort === undefined ? port === rule.port : port >= rule.port && port <= rule.endPort;
  }
  if (!isPod(receiver)) return false;
  return (receiver.ports ?? []).some(
    (p) => p.name === rule.port && p.containerPort === port && (p.protocol ?? 'TCP') === protocol,
  );
}

/** The policies that isolate `pod` in `direction` (empty: `pod` allows everything that way). */
export function isolatingPolicies(
  policies: NetworkPolicy[],
  pod: PodRef,
  direction: Direction = 'Ingress',
): NetworkPolicy[] {
  return policies.filter(
    (p) =>
      p.namespace === pod.namespace &&
      affects(p.spec, direction) &&
      selectorMatches(p.spec.podSelector, pod.labels),
  );
}

function anyRuleAdmits(
  selecting: NetworkPolicy[],
  rulesOf: (spec: NetworkPolicySpec) => { peers?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[],
  peer: Endpoint,
  receiver: Endpoint,
  port: number,
  protocol: Protocol,
): boolean {
  if (selecting.length === 0) return true;
  return selecting.some((policy) =>
    rulesOf(policy.spec).some((rule) => {
      const peerOk =
        !rule.peers ||
        rule.peers.length === 0 ||
        rule.peers.some((p) => peerMatches(p, policy.namespace, peer));
      const portOk =
        !rule.ports ||
        rule.ports.length === 0 ||
        rule.ports.some((p) => portMatches(p, receiver, port, protocol));
      return peerOk && portOk;
    }),
  );
}

/** Do the ingress rules of `to` let `from` connect to `port`/`protocol`? */
export function ingressAdmits(
  policies: NetworkPolicy[],
  from: Endpoint,
  to: PodRef,
  port: number,
  protocol: Protocol = 'TCP',
): boolean {
  return anyRuleAdmits(
    isolatingPolicies(policies, to, 'Ingress'),
    (spec) => (spec.ingress ?? []).map((r) => ({ ...r, peers: r.from })),
    from,
    to,
    port,
    protocol,
  );
}

/** Do the egress rules of `from` let it connect to `port`/`protocol` of `to`? */
export function egressAdmits(
  policies: NetworkPolicy[],
  from: PodRef,
  to: Endpoint,
  port: number,
  protocol: Protocol = 'TCP',
): boolean {
  return anyRuleAdmits(
    isolatingPolicies(policies, from, 'Egress'),
    (spec) => (spec.egress ?? []).map((r) => ({ ...r, peers: r.to })),
    to,
    to,
    port,
    protocol,
  );
}

/** May `from` open a connection to `port`/`protocol` of `to`? Both ends' policies must agree. */
export function connects(
  policies: NetworkPolicy[],
  from: Endpoint,
  to: Endpoint,
  port: number,
  protocol: Protocol = 'TCP',
): boolean {
  const out = isPod(from) ? egressAdmits(policies, from, to, port, protocol) : true;
  const into = isPod(to) ? ingressAdmits(policies, from, to, port, protocol) : true;
  return out && into;
}
