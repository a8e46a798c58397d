// A small, pure evaluator of Kubernetes NetworkPolicy *ingress* semantics
// (networking.k8s.io/v1), enough to ask "may pod A open a connection to port P of pod B?" over
// rendered manifests, without a cluster or a CNI:
//   - a pod is isolated for ingress when at least one policy of its namespace selects it and
//     that policy's policyTypes include Ingress (policyTypes absent: Ingress is implied);
//   - a non-isolated pod accepts everything;
//   - an isolated pod accepts a connection when some rule of some selecting policy admits both
//     the peer (from) and the port; the rules of all selecting policies are ORed;
//   - a rule without `from` admits every peer; without `ports`, every port;
//   - a peer with only podSelector means pods of the policy's own namespace; only
//     namespaceSelector means every pod of the matching namespaces; both means pods matching the
//     podSelector inside matching namespaces;
//   - a named port matches a container port of that name on the *target* pod;
//   - ipBlock peers describe addresses, not pods: they never admit a pod here (the chart uses
//     none; a pod-to-pod question cannot be answered by CIDRs without a cluster).
import type { K8sObject, Labels } from './objects.js';
import { selectorMatches } from './selectors.js';
import type { LabelSelector } from './selectors.js';

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface NetworkPolicyPort {
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicySpec {
  podSelector: LabelSelector;
  policyTypes?: ('Ingress' | 'Egress')[];
  ingress?: { from?: NetworkPolicyPeer[]; ports?: NetworkPolicyPort[] }[];
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
}

export function policiesFrom(objects: K8sObject[], defaultNamespace: string): NetworkPolicy[] {
  return objects
    .filter((o) => o.kind === 'NetworkPolicy')
    .map((o) => ({
      namespace: o.metadata.namespace ?? defaultNamespace,
      name: o.metadata.name,
      spec: o['spec'] as NetworkPolicySpec,
    }));
}

function affectsIngress(spec: NetworkPolicySpec): boolean {
  return spec.policyTypes === undefined ? true : spec.policyTypes.includes('Ingress');
}

function peerAdmits(peer: NetworkPolicyPeer, policyNamespace: string, from: PodRef): boolean {
  if (peer.ipBlock) return false;
  const nsOk = peer.namespaceSelector
    ? selectorMatches(peer.namespaceSelector, from.namespaceLabels)
    : from.namespace === policyNamespace;
  const podOk = peer.podSelector ? selectorMatches(peer.podSelector, from.labels) : true;
  return nsOk && podOk;
}

function portAdmits(rule: NetworkPolicyPort, to: PodRef, port: number, protocol: string): boolean {
  if ((rule.protocol ?? 'TCP') !== protocol) return false;
  if (rule.port === undefined) return true;
  if (typeof rule.port === 'number') {
    return rule.endPort === undefined ? port === rule.port : port >= rule.port && port <= rule.endPort;
  }
  return (to.ports ?? []).some(
    (p) => p.name === rule.port && p.containerPort === port && (p.protocol ?? 'TCP') === protocol,
  );
}

/** The policies that isolate `to` for ingress (empty: `to` accepts all traffic). */
export function isolatingPolicies(policies: NetworkPolicy[], to: PodRef): NetworkPolicy[] {
  return policies.filter(
    (p) =>
      p.namespace === to.namespace &&
      affectsIngress(p.spec) &&
      selectorMatches(p.spec.podSelector, to.labels),
  );
}

/** May `from` open a connection to `port`/`protocol` of `to`? */
export function admits(
  policies: NetworkPolicy[],
  from: PodRef,
  to: PodRef,
  port: number,
  protocol: 'TCP' | 'UDP' | 'SCTP' = 'TCP',
): boolean {
  const selecting = isolatingPolicies(policies, to);
  if (selecting.length === 0) return true;
  return selecting.some((policy) =>
    (policy.spec.ingress ?? []).some((rule) => {
      const fromOk =
        !rule.from ||
        rule.from.length === 0 ||
        rule.from.some((peer) => peerAdmits(peer, policy.namespace, from));
      const portOk =
        !rule.ports || rule.ports.length === 0 || rule.ports.some((p) => portAdmits(p, to, port, protocol));
      return fromOk && portOk;
    }),
  );
}
