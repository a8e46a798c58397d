import { existsSync } from 'node:fs';
import { BRIDGE, SERVICE_CIDR } from '../layout.js';
import type { ClusterLayout } from '../layout.js';
import { inNetns, mustRun, run } from '../run.js';
import { hostRoutes, routeArgs } from './routes.js';

/**
 * Creates the node's network namespace and the veth pair that links it to the host:
 *   host  <hostVeth> hostIp/30  <->  <nodeVeth> nodeIp/30  (in the namespace)
 * The namespace gets no default route: a packet for any address outside the cluster's own
 * ranges has no way out ("network unreachable"), so no traffic leaves the machine. On the host,
 * the whole lab block is unreachable except the pod and Service ranges, routed into the node
 * (see routes.ts); the unreachable route comes first, before any lab address exists.
 */
export async function createNodeNetwork(layout: ClusterLayout): Promise<void> {
  const [blockRoute, ...intoNode] = hostRoutes(layout);
  await mustRun('ip', routeArgs('add', blockRoute!));
  await mustRun('ip', ['netns', 'add', layout.netns]);
  await mustRun('ip', ['link', 'add', layout.hostVeth, 'type', 'veth', 'peer', 'name', layout.nodeVeth]);
  await mustRun('ip', ['link', 'set', layout.nodeVeth, 'netns', layout.netns]);
  await mustRun('ip', ['addr', 'add', `${layout.hostIp}/30`, 'dev', layout.hostVeth]);
  await mustRun('ip', ['link', 'set', layout.hostVeth, 'up']);
  const ns = (args: string[]): Promise<string> => mustRun(...inNetns(layout.netnsPath, 'ip', args));
  await ns(['link', 'set', 'lo', 'up']);
  await ns(['addr', 'add', `${layout.nodeIp}/30`, 'dev', layout.nodeVeth]);
  await ns(['link', 'set', layout.nodeVeth, 'up']);
  // Services from the node itself (host-network pods reaching the API server at 198.19.0.1):
  // without any route to the Service range, connect() fails with "network is unreachable"
  // before kube-proxy's OUTPUT rules can DNAT the packet. The route points at the pods' bridge,
  // created here (the CNI bridge plugin adopts it), so a Service address that is not DNATed
  // stays in the namespace instead of going to the host. (This kernel has no dummy devices.)
  await ns(['link', 'add', BRIDGE, 'type', 'bridge']);
  await ns(['link', 'set', BRIDGE, 'up']);
  await ns(['route', 'add', SERVICE_CIDR, 'dev', BRIDGE]);
  // Per-namespace sysctls: bridged pod traffic must pass iptables (Service NAT replies between
  // pods on the one bridge, and the NetworkPolicy enforcer's hooks), and the node routes pods.
  await mustRun(
    ...inNetns(layout.netnsPath, 'sysctl', [
      '-q',
      '-w',
      'net.bridge.bridge-nf-call-iptables=1',
      'net.ipv4.ip_forward=1',
    ]),
  );
  for (const route of intoNode) await mustRun('ip', routeArgs('add', route));
}

/**
 * Deletes the namespace (with it: the bridge, pod veths, iptables/nftables rules, sysctls), the
 * host end of the link and the instance's host routes, the unreachable one last, so no lab
 * address leaves the machine while the rest goes. Idempotent: missing pieces are fine.
 */
export async function removeNodeNetwork(layout: ClusterLayout): Promise<void> {
  if (existsSync(layout.netnsPath)) {
    await run('ip', ['netns', 'delete', layout.netns]);
  }
  // The host veth dies with its peer; delete it in case the peer never moved into the namespace.
  await run('ip', ['link', 'delete', layout.hostVeth]);
  // The routes into the node went with the veth; deleting them again is harmless.
  for (const route of hostRoutes(layout).reverse()) await run('ip', routeArgs('del', route));
}
