/**
 * The lab cluster's NetworkPolicy enforcer, pure part: pods, namespaces and NetworkPolicies in,
 * iptables rules (iptables-restore text for the filter table) out.
 *
 * Why our own: kube-network-policies v0.8.0 (the planned enforcer) programs nftables with the
 * `queue` expression, which this kernel lacks (nft_queue; adding any `queue` rule fails with
 * ENOENT), although iptables' NFQUEUE target works. kube-router's controller needs ipset, which
 * is not here either. Plain iptables rules per pod are enough for one node.
 *
 * Model (the NetworkPolicy API's): a pod selected by a policy whose policyTypes include Ingress
 * (Egress) is isolated for ingress (egress); a packet from A to B is allowed when A's egress
 * allows it (or A is not egress-isolated) and B's ingress allows it (or B is not ingress-
 * isolated). Rules live in chain LAAS-NETPOL, jumped to first from FORWARD (bridged pod traffic
 * passes FORWARD thanks to bridge-nf-call-iptables, Service traffic after kube-proxy's DNAT):
 *   established/related -> RETURN
 *   -s <A> -> LAAS-NPO-<n>: allowed peers/ports RETURN, else DROP
 *   -d <B> -> LAAS-NPI-<n>: allowed peers/ports RETURN, else DROP
 * Traffic from the node itself (kubelet probes, host-network pods) does not pass FORWARD and
 * is never blocked, as with most network plugins.
 *
 * Supported: podSelector, namespaceSelector (matchLabels and matchExpressions), both combined,
 * ipBlock (cidr; `except` ranges are dropped for the whole pod, a simplification), ports by
 * number, range (endPort) or name (resolved against the destination pod's container ports),
 * TCP/UDP/SCTP.
 */

// Label selectors are evaluated by @laas/kubekit, the one owner shared with the delivery checks.
import { selectorMatches, type LabelSelector } from '@laas/kubekit';

export type { LabelSelector };

export interface PodInfo {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ip?: string;
  hostNetwork?: boolean;
  ports: { name?: string; containerPort: number; protocol?: string }[];
}

export interface NamespaceInfo {
  name: string;
  labels: Record<string, string>;
}

export interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}

export interface PolicyPort {
  protocol?: string;
  port?: number | string;
  endPort?: number;
}

export interface PolicyInfo {
  namespace: string;
  name: string;
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: { from?: PolicyPeer[]; ports?: PolicyPort[] }[];
  egress?: { to?: PolicyPeer[]; ports?: PolicyPort[] }[];
}

/** policyTypes as the API server defaults them: Ingress always, Egress when egress rules exist. */
export function policyTypes(policy: PolicyInfo): { ingress: boolean; egress: boolean } {
  if (policy.policyTypes && policy.policyTypes.length > 0) {
    return { ingress: policy.policyTypes.includes('Ingress'), egress: policy.policyTypes.includes('Egress') };
  }
  return { ingress: true, egress: (policy.egress?.length ?? 0) > 0 };
}

/** A source or destination in a rule: a /32, a CIDR (optionally with exceptions), or anything. */
type Address = { cidr: string; except?: string[] } | 'any';

function peerAddresses(
  peers: PolicyPeer[] | undefined,
  policyNamespace: string,
  pods: PodInfo[],
  namespaces: NamespaceInfo[],
): Address[] {
  if (!peers || peers.length === 0) return ['any'];
  const addresses: Address[] = [];
  for (const peer of peers) {
    if (peer.ipBlock) {
      addresses.push({
        cidr: peer.ipBlock.cidr,
        ...(peer.ipBlock.except?.length ? { except: peer.ipBlock.except } : {}),
      });
      continue;
    }
    const namespaceOk = (name: string): boolean => {
      if (!peer.namespaceSelector) return name === policyNamespace;
      const ns = namespaces.find((n) => n.name === name);
      return selectorMatches(peer.namespaceSelector, ns?.labels ?? {});
    };
    for (const pod of pods) {
      if (!pod.ip || pod.hostNetwork) continue;
      if (namespaceOk(pod.namespace) && selectorMatches(peer.podSelector, pod.labels))
        addresses.push({ cidr: `${pod.ip}/32` });
    }
  }
  return addresses;
}

/** iptables match arguments for the ports of a rule; [''] means any port. */
function portMatches(ports: PolicyPort[] | undefined, target: PodInfo | undefined): string[] {
  if (!ports || ports.length === 0) return [''];
  const out: string[] = [];
  for (const port of ports) {
    const protocol = (port.protocol ?? 'TCP').toLowerCase();
    if (port.port === undefined) {
      out.push(`-p ${protocol}`);
      continue;
    }
    let number: number | undefined;
    if (typeof port.port === 'number') number = port.port;
    else if (/^\d+$/.test(port.port)) number = Number(port.port);
    else
      number = target?.ports.find(
        (p) => p.name === port.port && (p.protocol ?? 'TCP').toLowerCase() === protocol,
      )?.containerPort;
    if (number === undefined) continue; // a named port the pod does not have: matches nothing
    const range = port.endPort && port.endPort > number ? `${number}:${port.endPort}` : `${number}`;
    out.push(`-p ${protocol} -m ${protocol} --dport ${range}`);
  }
  return out;
}

export interface Rendered {
  /** iptables-restore input for the filter table (use --noflush). */
  restore: string;
  /** Chains this round uses (LAAS-NETPOL and the per-pod ones). */
  chains: string[];
}

export const MAIN_CHAIN = 'LAAS-NETPOL';

/**
 * The rules for the current state. `staleChains`: per-pod chains of the previous round that
 * this one does not use; they are flushed and deleted in the same transaction.
 */
export function renderRules(
  pods: PodInfo[],
  namespaces: NamespaceInfo[],
  policies: PolicyInfo[],
  staleChains: string[] = [],
): Rendered {
  const sortedPods = [...pods]
    .filter((p) => p.ip && !p.hostNetwork)
    .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  const rules: string[] = [`-A ${MAIN_CHAIN} -m conntrack --ctstate ESTABLISHED,RELATED -j RETURN`];
  const chainRules: string[] = [];
  const chains: string[] = [MAIN_CHAIN];
  const addressArg = (flag: '-s' | '-d', address: Address): string[] => {
    if (address === 'any') return [''];
    return [`${flag} ${address.cidr}`];
  };
  let n = 0;
  for (const direction of ['egress', 'ingress'] as const) {
    for (const pod of sortedPods) {
      const selecting = policies.filter(
        (p) =>
          p.namespace === pod.namespace &&
          selectorMatches(p.podSelector, pod.labels) &&
          policyTypes(p)[direction],
      );
      if (selecting.length === 0) continue;
      const chain = `${direction === 'egress' ? 'LAAS-NPO' : 'LAAS-NPI'}-${n++}`;
      chains.push(chain);
      rules.push(
        `-A ${MAIN_CHAIN} ${direction === 'egress' ? '-s' : '-d'} ${pod.ip}/32 -m comment --comment "${pod.namespace}/${pod.name} ${direction}" -j ${chain}`,
      );
      for (const policy of selecting) {
        const entries =
          direction === 'egress'
            ? (policy.egress ?? []).map((r) => ({ peers: r.to, ports: r.ports }))
            : (policy.ingress ?? []).map((r) => ({ peers: r.from, ports: r.ports }));
        for (const entry of entries) {
          const peers = peerAddresses(entry.peers, policy.namespace, pods, namespaces);
          for (const peer of peers) {
            // Named ports resolve against the destination: the pod itself for ingress, the peer for egress.
            const target =
              direction === 'ingress'
                ? pod
                : sortedPods.find((p) => peer !== 'any' && `${p.ip}/32` === peer.cidr);
            for (const ports of portMatches(entry.ports, target)) {
              const flag = direction === 'egress' ? '-d' : '-s';
              if (peer !== 'any' && peer.except) {
                // Simplification: an ipBlock's except ranges are dropped for the whole pod,
                // even when another rule of the pod would allow them.
                for (const except of peer.except) chainRules.push(`-A ${chain} ${flag} ${except} -j DROP`);
              }
              const args = [...addressArg(flag, peer), ports].filter(Boolean).join(' ');
              chainRules.push(
                `-A ${chain} ${args} -m comment --comment "${policy.namespace}/${policy.name}" -j RETURN`.replace(
                  / +/g,
                  ' ',
                ),
              );
            }
          }
        }
      }
      chainRules.push(`-A ${chain} -j DROP`);
    }
  }
  const stale = staleChains.filter((c) => !chains.includes(c));
  const restore = [
    '*filter',
    ...chains.map((c) => `:${c} - [0:0]`),
    ...stale.map((c) => `:${c} - [0:0]`),
    ...rules,
    ...chainRules,
    ...stale.map((c) => `-X ${c}`),
    'COMMIT',
    '',
  ].join('\n');
  return { restore, chains };
}
