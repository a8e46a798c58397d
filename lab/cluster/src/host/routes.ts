import { LAB_BLOCK, POD_CIDR, SERVICE_CIDR } from '../layout.js';
import type { ClusterLayout } from '../layout.js';

/**
 * The host's routes for one lab instance (pure). Without them the host's default route sends any
 * lab address it has no route for out of the machine: `curl` to a pod address from the host
 * would leave through the uplink. So while an instance runs:
 *
 *   unreachable 198.18.0.0/15                      metric 1000+n   nothing of the block leaves
 *   198.18.0.0/16 via <node n> dev laaslab<n>h     metric 1000+n   pods, through the node
 *   198.19.0.0/20 via <node n> dev laaslab<n>h     metric 1000+n   Services (kube-proxy DNATs them)
 *
 * plus the kernel's own route for the instance's /30 link. Every instance has the same pod and
 * Service ranges (each lives in its own network namespace), so the host can reach only one of
 * them at a time: routes of one prefix with different metrics coexist, and the lowest metric,
 * i.e. the lowest running instance, wins. Each instance adds and removes only its own routes, so
 * an instance going down hands the ranges to the next one with no shared bookkeeping, and the
 * last one down leaves the table as it was.
 */
export interface HostRoute {
  /** `unreachable`: the kernel answers "no route to host" at once, nothing is sent. */
  type: 'unicast' | 'unreachable';
  destination: string;
  via?: string;
  device?: string;
  metric: number;
}

export const ROUTE_METRIC_BASE = 1000;

export function hostRoutes(layout: ClusterLayout): HostRoute[] {
  const metric = ROUTE_METRIC_BASE + layout.instance;
  const intoNode = (destination: string): HostRoute => ({
    type: 'unicast',
    destination,
    via: layout.nodeIp,
    device: layout.hostVeth,
    metric,
  });
  return [
    { type: 'unreachable', destination: LAB_BLOCK, metric },
    intoNode(POD_CIDR),
    intoNode(SERVICE_CIDR),
  ];
}

/** `ip route <action> ...` arguments for one route (`del` names it exactly, metric included). */
export function routeArgs(action: 'add' | 'del', route: HostRoute): string[] {
  return [
    'route',
    action,
    ...(route.type === 'unreachable' ? ['unreachable'] : []),
    route.destination,
    ...(route.via ? ['via', route.via] : []),
    ...(route.device ? ['dev', route.device] : []),
    'metric',
    String(route.metric),
  ];
}
