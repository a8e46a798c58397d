import {
  BRIDGE,
  CLUSTER_DOMAIN,
  CLUSTER_NAME,
  CONTEXT_NAME,
  DNS_SERVICE_IP,
  NODE_NAME,
  NODE_POD_CIDR,
  POD_CIDR,
  POD_GATEWAY,
} from './layout.js';
import type { ClusterLayout, StatePaths } from './layout.js';

/** The image the kubelet's pod sandboxes run (built by images.ts from tools/bin/labtool). */
export const PAUSE_IMAGE = 'laas.local/lab/pause:lab';
/** The small test image: `labtool serve|get|resolve` (see tools/go/labtool). */
export const LABTOOL_IMAGE = 'laas.local/lab/labtool:lab';
export const COREDNS_IMAGE = 'laas.local/lab/coredns:lab';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export interface KubeconfigUser {
  name: string;
  certPem: string;
  keyPem: string;
}

/**
 * A kubeconfig (as JSON, which kubectl, helm and client libraries read as YAML) with one cluster,
 * one user and one context, all named so that `kubectl --context laas-lab` works. Certificates
 * are embedded, so the file works on its own.
 */
export function kubeconfigText(
  server: string,
  caPem: string,
  user: KubeconfigUser,
  context = CONTEXT_NAME,
): string {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: CLUSTER_NAME, cluster: { server, 'certificate-authority-data': b64(caPem) } }],
    users: [
      {
        name: user.name,
        user: { 'client-certificate-data': b64(user.certPem), 'client-key-data': b64(user.keyPem) },
      },
    ],
    contexts: [{ name: context, context: { cluster: CLUSTER_NAME, user: user.name, namespace: 'default' } }],
    'current-context': context,
    preferences: {},
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * containerd 1.6 config. The settings this sandbox needs (see the lab-cluster issue):
 *  - restrict_oom_score_adj: the sandbox lacks CAP_SYS_RESOURCE, so runc cannot lower a
 *    container's oom_score_adj below its own ("can't get final child's PID from pipe: EOF");
 *  - SystemdCgroup = false: no systemd here, and containerd 1.6 cannot tell the kubelet its
 *    cgroup driver (no RuntimeConfig RPC), so both are set to cgroupfs explicitly;
 *  - every folder (root, state, runc's Root, CNI conf, netns mounts, /opt) inside the state
 *    folder, so two clusters never share one and cleanup knows where to look.
 */
export function containerdConfig(paths: StatePaths, sandboxImage = PAUSE_IMAGE): string {
  const q = JSON.stringify;
  return `version = 2
root = ${q(paths.containerdRoot)}
state = ${q(paths.containerdState)}
oom_score = 0

[grpc]
  address = ${q(paths.containerdSocket)}

[ttrpc]
  address = ${q(`${paths.containerdSocket}.ttrpc`)}

[debug]
  level = "info"

[metrics]
  address = ""

[plugins]
  [plugins."io.containerd.internal.v1.opt"]
    path = ${q(`${paths.containerdRoot}/opt`)}
  [plugins."io.containerd.grpc.v1.cri"]
    sandbox_image = ${q(sandboxImage)}
    restrict_oom_score_adj = true
    netns_mounts_under_state_dir = true
    disable_apparmor = true
    enable_selinux = false
    stream_server_address = "127.0.0.1"
    stream_server_port = "0"
    max_container_log_line_size = 16384
    [plugins."io.containerd.grpc.v1.cri".containerd]
      snapshotter = "overlayfs"
      default_runtime_name = "runc"
      discard_unpacked_layers = false
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
        runtime_type = "io.containerd.runc.v2"
        [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
          SystemdCgroup = false
          Root = ${q(paths.runcRoot)}
    [plugins."io.containerd.grpc.v1.cri".cni]
      bin_dir = "/usr/lib/cni"
      conf_dir = ${q(paths.cniConfDir)}
      max_conf_num = 1
`;
}

/**
 * CNI: one Linux bridge (cni0, 198.18.0.1/24) in the node's namespace, host-local addresses from
 * the node's Pod range, masquerade for traffic leaving the Pod range (pods -> API server on the
 * node address), hairpin so a pod reaches itself through its Service, and portmap for hostPort.
 * containerd adds the loopback plugin for `lo` itself.
 */
export function cniConflist(paths: StatePaths): string {
  const config = {
    cniVersion: '0.4.0',
    name: CLUSTER_NAME,
    plugins: [
      {
        type: 'bridge',
        bridge: BRIDGE,
        isGateway: true,
        ipMasq: true,
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: NODE_POD_CIDR, gateway: POD_GATEWAY }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: paths.cniDataDir,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * KubeletConfiguration. Choices for this machine:
 *  - cgroupDriver cgroupfs, cgroupRoot /laas-lab-<n> (created by the launcher in every hierarchy);
 *  - oomScoreAdj 0: its default -999 fails without CAP_SYS_RESOURCE;
 *  - cadvisor finds no filesystem stats for this machine's disk, so image and nodefs capacity read
 *    0: image GC is off (imageGCHighThresholdPercent 100; our images cannot be pulled again, so
 *    GC must never delete them), eviction only watches memory, and ephemeral-storage isolation is
 *    off (capacity 0 would make every pod with an ephemeral-storage request unschedulable);
 *  - podLogsDir inside the state folder instead of /var/log/pods.
 */
export function kubeletConfig(
  layout: ClusterLayout,
  paths: StatePaths,
  caPath: string,
  resolvConf: string,
  serving: { certPath: string; keyPath: string },
): string {
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    address: layout.nodeIp,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: layout.nodeIp,
    healthzPort: 10248,
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: caPath },
    },
    authorization: { mode: 'Webhook' },
    // A serving certificate of the cluster CA instead of a self-signed one, so that metrics-server
    // verifies the kubelet it reads resource metrics from.
    tlsCertFile: serving.certPath,
    tlsPrivateKeyFile: serving.keyPath,
    cgroupDriver: 'cgroupfs',
    cgroupRoot: layout.cgroupRoot,
    cgroupsPerQOS: true,
    enforceNodeAllocatable: ['pods'],
    oomScoreAdj: 0,
    failCgroupV1: false,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${paths.containerdSocket}`,
    clusterDNS: [DNS_SERVICE_IP],
    clusterDomain: CLUSTER_DOMAIN,
    resolvConf,
    podLogsDir: paths.podLogs,
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '100Mi' },
    localStorageCapacityIsolation: false,
    protectKernelDefaults: false,
    serializeImagePulls: false,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    hairpinMode: 'hairpin-veth',
    maxPods: 110,
    podPidsLimit: -1,
    nodeStatusReportFrequency: '10s',
    nodeStatusUpdateFrequency: '5s',
    syncFrequency: '10s',
    fileCheckFrequency: '10s',
    shutdownGracePeriod: '0s',
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * KubeProxyConfiguration: iptables mode inside the node's namespace. conntrack sizing is left
 * alone (maxPerCore 0 and timeouts 0s): nf_conntrack_max is machine-wide and read-only outside
 * the initial namespace; localhostNodePorts off so it needs no route_localnet.
 */
export function kubeProxyConfig(layout: ClusterLayout, kubeconfigPath: string): string {
  const config = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: kubeconfigPath },
    mode: 'iptables',
    clusterCIDR: POD_CIDR,
    hostnameOverride: NODE_NAME,
    bindAddress: layout.nodeIp,
    healthzBindAddress: `${layout.nodeIp}:10256`,
    metricsBindAddress: `${layout.nodeIp}:10249`,
    nodePortAddresses: [`${layout.nodeIp}/32`],
    conntrack: {
      maxPerCore: 0,
      min: 0,
      tcpEstablishedTimeout: '0s',
      tcpCloseWaitTimeout: '0s',
    },
    iptables: { localhostNodePorts: false, masqueradeAll: false, syncPeriod: '10s', minSyncPeriod: '1s' },
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * The resolv.conf the kubelet merges into pods' (for the search path and options only: cluster
 * pods get the cluster DNS as nameserver). The host's own file would bring its search domains
 * and nameservers, which lead off the machine.
 */
export const NODE_RESOLV_CONF = 'nameserver 127.0.0.1\noptions ndots:5\n';
