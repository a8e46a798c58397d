import { join } from 'node:path';

/**
 * Names and addresses of one lab cluster (pure: everything derives from the instance number and
 * the state folder).
 *
 * The whole node lives in its own network namespace, `laas-lab-<n>`: etcd, the control plane,
 * containerd, the kubelet, kube-proxy, the bridge and every pod. Its iptables/nftables rules,
 * sysctls (ip_forward, bridge-nf-call-iptables), bridge and pod veths therefore vanish with the
 * namespace, and nothing of it touches the host's network. The host reaches the node through one
 * veth pair on a /30 (instance n: 198.19.255.4n+1 on the host, .4n+2 in the node).
 *
 * Every address lies in 198.18.0.0/15 (the benchmarking block):
 *   pods      198.18.0.0/16 (the node's range 198.18.0.0/24, gateway 198.18.0.1 on cni0)
 *   services  198.19.0.0/20 (198.19.0.1 = kubernetes, 198.19.0.10 = kube-dns)
 *   host link 198.19.255.0/24, a /30 per instance
 * Pod and Service ranges are the same in every instance: each lives in its own namespace.
 *
 * Processes and pods live under one cgroup per instance, `/laas-lab-<n>` in every hierarchy
 * (daemons in `/laas-lab-<n>/system`, pods in the kubelet's `/laas-lab-<n>/kubepods`), so
 * cleanup can find every process of a run that was killed, through the freezer hierarchy.
 */
export const MAX_INSTANCES = 16;
export const CLUSTER_NAME = 'laas-lab';
export const CONTEXT_NAME = 'laas-lab';
export const NODE_NAME = 'laas-lab';
/** Every lab address (pods, Services, host links) lies in this block, the benchmarking range. */
export const LAB_BLOCK = '198.18.0.0/15';
export const POD_CIDR = '198.18.0.0/16';
export const NODE_POD_CIDR = '198.18.0.0/24';
export const POD_GATEWAY = '198.18.0.1';
export const SERVICE_CIDR = '198.19.0.0/20';
export const KUBERNETES_SERVICE_IP = '198.19.0.1';
export const DNS_SERVICE_IP = '198.19.0.10';
export const CLUSTER_DOMAIN = 'cluster.local';
export const BRIDGE = 'cni0';
export const APISERVER_PORT = 6443;

export interface ClusterLayout {
  instance: number;
  /** Network namespace, also the cgroup name: laas-lab-<n>. */
  netns: string;
  /** /run/netns/<netns> */
  netnsPath: string;
  hostVeth: string;
  nodeVeth: string;
  hostIp: string;
  nodeIp: string;
  /** 198.19.255.4n/30 */
  linkCidr: string;
  /** Cgroup path (relative to each hierarchy's root) holding everything: /laas-lab-<n>. */
  cgroupRoot: string;
  /** Where the launcher puts the daemons: /laas-lab-<n>/system. */
  daemonCgroup: string;
  apiserverUrl: string;
}

export function clusterLayout(instance: number): ClusterLayout {
  if (!Number.isInteger(instance) || instance < 0 || instance >= MAX_INSTANCES) {
    throw new RangeError(`lab cluster instance must be an integer in [0, ${MAX_INSTANCES}), got ${instance}`);
  }
  const netns = `laas-lab-${instance}`;
  // Instance 3: link 198.19.255.12/30, host .13, node .14.
  const base = instance * 4;
  const nodeIp = `198.19.255.${base + 2}`;
  return {
    instance,
    netns,
    netnsPath: `/run/netns/${netns}`,
    hostVeth: `laaslab${instance}h`,
    nodeVeth: `laaslab${instance}n`,
    hostIp: `198.19.255.${base + 1}`,
    nodeIp,
    linkCidr: `198.19.255.${base}/30`,
    cgroupRoot: `/${netns}`,
    daemonCgroup: `/${netns}/system`,
    apiserverUrl: `https://${nodeIp}:${APISERVER_PORT}`,
  };
}

/** Files of one cluster under its state folder (e.g. <repo>/.lab/cluster). */
export interface StatePaths {
  stateDir: string;
  pki: string;
  etcdData: string;
  logs: string;
  config: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  runcRoot: string;
  cniConfDir: string;
  cniDataDir: string;
  kubeletRoot: string;
  podLogs: string;
  volumes: string;
  /** The supervisor's units (one file per daemon) and its status.json. */
  units: string;
  /** Admin kubeconfig with the context `laas-lab`. */
  kubeconfig: string;
  /** What `up` recorded: instance, pids, saved sysctls (see registry.ts). */
  stateFile: string;
}

export function statePaths(stateDir: string): StatePaths {
  const p = (...parts: string[]): string => join(stateDir, ...parts);
  return {
    stateDir,
    pki: p('pki'),
    etcdData: p('etcd'),
    logs: p('logs'),
    config: p('config'),
    containerdRoot: p('containerd', 'root'),
    containerdState: p('containerd', 'state'),
    containerdSocket: p('containerd', 'containerd.sock'),
    runcRoot: p('runc'),
    cniConfDir: p('cni', 'net.d'),
    cniDataDir: p('cni', 'ipam'),
    kubeletRoot: p('kubelet'),
    podLogs: p('pod-logs'),
    volumes: p('volumes'),
    units: p('units'),
    kubeconfig: p('kubeconfig'),
    stateFile: p('state.json'),
  };
}
