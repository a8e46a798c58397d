import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statfsSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import {
  corednsManifests,
  manifestList,
  METRICS_SERVER_PORT,
  metricsServerManifests,
  storageManifests,
} from './addons.js';
import {
  containerdConfig,
  cniConflist,
  COREDNS_IMAGE,
  kubeconfigText,
  kubeletConfig,
  kubeProxyConfig,
  LABTOOL_IMAGE,
  NODE_RESOLV_CONF,
  PAUSE_IMAGE,
} from './configs.js';
import { isRunning, startDaemon, startSupervisor } from './daemons.js';
import { readSupervisorStatus } from './supervisor/units.js';
import { ephemeralStoragePatch } from './ephemeral-storage.js';
import type { Daemon } from './daemons.js';
import {
  cgroupExists,
  createCgroup,
  killCgroupTree,
  labCgroupProblem,
  pidsUnder,
  removeCgroupTree,
  waitUntilReaped,
  CGROUP_MOUNT,
} from './host/cgroups.js';
import { mountsUnder, unmountUnder } from './host/mounts.js';
import { createNodeNetwork, removeNodeNetwork } from './host/network.js';
import { readSysctls, restoreSysctls } from './host/sysctls.js';
import { archivesIn, buildBinaryImage, importImages } from './images.js';
import { APISERVER_PORT, clusterLayout, CONTEXT_NAME, NODE_NAME, POD_CIDR, SERVICE_CIDR } from './layout.js';
import type { ClusterLayout, StatePaths } from './layout.js';
import { statePaths } from './layout.js';
import { FRONT_PROXY_CLIENT, makePki, METRICS_SERVER_USER } from './pki.js';
import type { ClusterPki } from './pki.js';
import { claimForStateDir, claimInstance, releaseClaim, updateClaim } from './registry.js';
import type { InstanceClaim } from './registry.js';
import { mustRun, run } from './run.js';
import { clusterTool, DEFAULT_IMAGES_DIR, DEFAULT_STATE_DIR, repoRoot } from './tools.js';
import { ComponentError, httpGet, waitReady } from './wait.js';

export interface StartLabClusterOptions {
  /** State folder (config, PKI, data, logs, kubeconfig). Default <repo>/.lab/cluster. */
  stateDir?: string;
  /**
   * Folder of image archives (`*.tar`, OCI or Docker) to import at start. Default <repo>/.lab/images
   * (where `npm run container-images -- build` leaves the service images); false: import none of them.
   */
  imagesDir?: string | false;
  /** More image archives to import. */
  imageArchives?: string[];
  /** Upper bound of each wait (one component becoming ready). Default 180 s. */
  componentTimeoutMs?: number;
  /** Progress lines ("etcd ready (1.2 s)"). Default: none. */
  log?: (line: string) => void;
  /** Local PersistentVolumes to create for the default StorageClass. Default 8. */
  volumes?: number;
}

export interface LabCluster {
  instance: number;
  stateDir: string;
  /** Admin kubeconfig; its current context is `laas-lab`. */
  kubeconfigPath: string;
  context: string;
  apiserverUrl: string;
  nodeName: string;
  /** The node's address, reachable from the host (API server :6443, NodePorts). */
  nodeIp: string;
  /** Network namespace of the node: /run/netns/laas-lab-<n>. */
  netnsPath: string;
  /** Cgroup (in every hierarchy) that holds every process and pod of the cluster. */
  cgroupRoot: string;
  logsDir: string;
  containerdSocket: string;
  podCidr: string;
  serviceCidr: string;
  images: { pause: string; labtool: string; coredns: string };
  /** Milliseconds per phase of `up`, and `total`. */
  timings: Record<string, number>;
}

const COMPONENTS = [
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'containerd',
  'kubelet',
  'kube-proxy',
  'metrics-server',
  'netpol-enforcer',
  'ingress-controller',
] as const;

function describeCluster(claim: InstanceClaim, timings: Record<string, number> = {}): LabCluster {
  const layout = clusterLayout(claim.instance);
  const paths = statePaths(claim.stateDir);
  return {
    instance: claim.instance,
    stateDir: claim.stateDir,
    kubeconfigPath: paths.kubeconfig,
    context: CONTEXT_NAME,
    apiserverUrl: layout.apiserverUrl,
    nodeName: NODE_NAME,
    nodeIp: layout.nodeIp,
    netnsPath: layout.netnsPath,
    cgroupRoot: layout.cgroupRoot,
    logsDir: paths.logs,
    containerdSocket: paths.containerdSocket,
    podCidr: POD_CIDR,
    serviceCidr: SERVICE_CIDR,
    images: {
      pause: PAUSE_IMAGE,
      labtool: LABTOOL_IMAGE,
      coredns: COREDNS_IMAGE,
    },
    timings,
  };
}

/**
 * True while any process of the claim's cluster is alive (judged by its cgroup, not by pids), or
 * its `up` still runs (before the first daemon starts, the cgroup is empty).
 */
function claimIsAlive(claim: InstanceClaim): boolean {
  const layout = clusterLayout(claim.instance);
  if (claim.launcherPid !== undefined && claim.launcherPid !== process.pid && isRunning(claim.launcherPid))
    return true;
  return ['freezer', 'pids'].some((h) => pidsUnder(join(CGROUP_MOUNT, h), layout.cgroupRoot).length > 0);
}

/** Folders of the state folder that outlive `down`: logs (for a post-mortem) and the image cache. */
const KEPT_ON_DOWN = new Set(['logs', 'image-cache']);

/**
 * Removes everything a run of this claim created, whether it ended cleanly, failed halfway or was
 * killed: every process (by cgroup), every mount under the state folder, the network namespace
 * (bridge, veths, iptables/nftables rules go with it) and the host's veth, the cgroups, the
 * machine-wide sysctls the kubelet changed, and the state folder's contents except logs and the
 * image cache. Idempotent. Returns what it did, for the caller's log.
 */
export async function teardown(claim: InstanceClaim): Promise<string[]> {
  const layout = clusterLayout(claim.instance);
  const done: string[] = [];
  const killed = await killCgroupTree(layout.cgroupRoot);
  if (killed > 0) done.push(`killed ${killed} processes`);
  await waitUntilReaped(layout.cgroupRoot);
  const mounts = mountsUnder(claim.stateDir).length;
  await unmountUnder(claim.stateDir);
  if (mounts > 0) done.push(`unmounted ${mounts} mounts`);
  if (existsSync(layout.netnsPath)) done.push(`deleted network namespace ${layout.netns}`);
  await removeNodeNetwork(layout);
  if (cgroupExists(layout.cgroupRoot)) done.push(`removed cgroup ${layout.cgroupRoot}`);
  await removeCgroupTree(layout.cgroupRoot);
  if (claim.sysctls) {
    const restored = restoreSysctls(claim.sysctls);
    if (restored.length > 0) done.push(`restored sysctls ${restored.join(', ')}`);
  }
  // containerd 1.6 keeps shim sockets and fifos in fixed folders under /run/containerd (not in
  // its state folder); they are empty once the shims are gone. Another cluster may still use
  // them: rmdir only removes an empty folder.
  for (const dir of ['/run/containerd/s', '/run/containerd/fifo', '/run/containerd']) {
    try {
      rmdirSync(dir);
    } catch {
      // not empty (another cluster's shims) or absent
    }
  }
  if (existsSync(claim.stateDir)) {
    for (const entry of readdirSync(claim.stateDir)) {
      if (KEPT_ON_DOWN.has(entry)) continue;
      // --one-file-system: never follow into a mount that survived (there should be none).
      await mustRun('rm', ['-rf', '--one-file-system', join(claim.stateDir, entry)]);
    }
  }
  return done;
}

/**
 * Starts the lab cluster for `stateDir` and waits until the node is Ready and CoreDNS and the
 * NetworkPolicy enforcer run. Leftovers of an earlier run of the same state folder (a killed
 * test, a crashed launcher) are removed first; a failure halfway removes what this run created.
 * Resolves once the cluster is usable; the processes keep running after this process exits.
 */
export async function startLabCluster(options: StartLabClusterOptions = {}): Promise<LabCluster> {
  const cgroupProblem = labCgroupProblem(readFileSync('/proc/self/mountinfo', 'utf8'));
  if (cgroupProblem) throw new Error(cgroupProblem);
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.componentTimeoutMs ?? 180_000;
  const timings: Record<string, number> = {};
  const started = Date.now();
  let phaseStart = started;
  const phase = (name: string): void => {
    const now = Date.now();
    timings[name] = now - phaseStart;
    log(`${name} (${((now - phaseStart) / 1000).toFixed(1)} s)`);
    phaseStart = now;
  };

  const tools = {
    etcd: clusterTool('etcd'),
    apiserver: clusterTool('kube-apiserver'),
    controllerManager: clusterTool('kube-controller-manager'),
    scheduler: clusterTool('kube-scheduler'),
    kubelet: clusterTool('kubelet'),
    proxy: clusterTool('kube-proxy'),
    coredns: clusterTool('coredns'),
    labtool: clusterTool('labtool'),
    metricsServer: clusterTool('metrics-server'),
  };

  const previous = claimForStateDir(stateDir);
  if (previous) {
    const done = await teardown(previous);
    releaseClaim(previous.instance);
    if (done.length > 0) log(`removed leftovers of an earlier run: ${done.join('; ')}`);
  }
  const claim = await claimInstance(stateDir, claimIsAlive, async (stale) => {
    const done = await teardown(stale);
    if (done.length > 0) log(`reclaimed instance ${stale.instance} of ${stale.stateDir}: ${done.join('; ')}`);
  });
  const layout = clusterLayout(claim.instance);
  const paths = statePaths(stateDir);
  log(
    `instance ${claim.instance}: node ${layout.nodeIp} in network namespace ${layout.netns}, state in ${stateDir}`,
  );

  try {
    const daemons = await bringUp(claim, layout, paths, tools, options, timeoutMs, phase);
    claim.pids = Object.fromEntries(daemons.map((d) => [d.name, d.pid]));
    updateClaim(claim);
    timings.total = Date.now() - started;
    log(`lab cluster ready in ${(timings.total / 1000).toFixed(1)} s: export KUBECONFIG=${paths.kubeconfig}`);
    return describeCluster(claim, timings);
  } catch (error) {
    log(`start failed; cleaning up (logs stay in ${paths.logs})`);
    try {
      await teardown(claim);
    } finally {
      releaseClaim(claim.instance);
    }
    throw error;
  }
}

interface Tools {
  etcd: string;
  apiserver: string;
  controllerManager: string;
  scheduler: string;
  kubelet: string;
  proxy: string;
  coredns: string;
  labtool: string;
  metricsServer: string;
}

async function bringUp(
  claim: InstanceClaim,
  layout: ClusterLayout,
  paths: StatePaths,
  tools: Tools,
  options: StartLabClusterOptions,
  timeoutMs: number,
  phase: (name: string) => void,
): Promise<Daemon[]> {
  const daemons: Daemon[] = [];
  for (const dir of [
    paths.stateDir,
    paths.pki,
    paths.logs,
    paths.config,
    paths.cniConfDir,
    paths.cniDataDir,
    paths.kubeletRoot,
    paths.podLogs,
    paths.volumes,
  ]) {
    mkdirSync(dir, { recursive: true });
  }
  createCgroup(layout.daemonCgroup);
  await createNodeNetwork(layout);
  await startSupervisor(layout, paths.logs, paths.units, timeoutMs);
  phase('network namespace, cgroups, supervisor');

  const pki = await makePki(paths.pki, layout);
  const config = writeConfigs(layout, paths, pki);
  phase('certificates and configuration');

  const start = async (name: string, command: string, args: string[]): Promise<Daemon> => {
    const daemon = await startDaemon(paths.units, paths.logs, { name, command, args }, timeoutMs);
    daemons.push(daemon);
    return daemon;
  };
  const kubectl = (args: string[], input?: string): Promise<string> =>
    mustRun('kubectl', ['--kubeconfig', paths.kubeconfig, ...args], { input, timeoutMs: 60_000 });

  // etcd: client port on the node's loopback only; its /health on the node address for us.
  const etcd = await start('etcd', tools.etcd, [
    '--name=laas-lab',
    `--data-dir=${paths.etcdData}`,
    '--listen-client-urls=http://127.0.0.1:2379',
    '--advertise-client-urls=http://127.0.0.1:2379',
    '--listen-peer-urls=http://127.0.0.1:2380',
    '--initial-advertise-peer-urls=http://127.0.0.1:2380',
    '--initial-cluster=laas-lab=http://127.0.0.1:2380',
    `--listen-metrics-urls=http://${layout.nodeIp}:2381`,
    '--initial-cluster-state=new',
    // A lab cluster is rebuilt from scratch at every `up`: durability is worth nothing here.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ]);
  await waitReady(
    async () => /"health":\s*"true"/.test((await httpGet(`http://${layout.nodeIp}:2381/health`)).body),
    {
      component: 'etcd',
      what: `/health on ${layout.nodeIp}:2381`,
      timeoutMs,
      daemon: etcd,
    },
  );
  phase('etcd ready');

  const apiserver = await start('kube-apiserver', tools.apiserver, [
    `--advertise-address=${layout.nodeIp}`,
    '--bind-address=0.0.0.0',
    `--secure-port=${APISERVER_PORT}`,
    '--etcd-servers=http://127.0.0.1:2379',
    `--tls-cert-file=${pki.apiserverServing.certPath}`,
    `--tls-private-key-file=${pki.apiserverServing.keyPath}`,
    `--client-ca-file=${pki.caPath}`,
    `--kubelet-client-certificate=${pki.apiserverKubeletClient.certPath}`,
    `--kubelet-client-key=${pki.apiserverKubeletClient.keyPath}`,
    '--kubelet-preferred-address-types=InternalIP,Hostname',
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    '--service-node-port-range=30000-32767',
    '--allow-privileged=true',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.saPublicKeyPath}`,
    `--service-account-signing-key-file=${pki.saPrivateKeyPath}`,
    `--cert-dir=${paths.pki}`,
    '--profiling=false',
    '--event-ttl=1h',
    // The aggregation layer (APIService v1beta1.metrics.k8s.io -> metrics-server): the API server
    // proxies those requests with the front-proxy client certificate and the user in headers.
    `--requestheader-client-ca-file=${pki.frontProxyCaPath}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${pki.frontProxyClient.certPath}`,
    `--proxy-client-key-file=${pki.frontProxyClient.keyPath}`,
    // Dial an APIService's endpoint (metrics-server on the node address) rather than its Service
    // address: the API server then needs no kube-proxy rule, which appears only later in `up`.
    '--enable-aggregator-routing=true',
  ]);
  await waitReady(async () => (await kubectl(['get', '--raw', '/readyz'])).trim() === 'ok', {
    component: 'kube-apiserver',
    what: `/readyz on ${layout.apiserverUrl}`,
    timeoutMs,
    daemon: apiserver,
  });
  phase('kube-apiserver ready');

  const authFlags = (kubeconfig: string): string[] => [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    `--bind-address=${layout.nodeIp}`,
    '--leader-elect=false',
    '--profiling=false',
  ];
  const controllerManager = await start('kube-controller-manager', tools.controllerManager, [
    ...authFlags(config.controllerManagerKubeconfig),
    '--secure-port=10257',
    `--cert-dir=${join(paths.pki, 'controller-manager-serving')}`,
    '--controllers=*',
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki.saPrivateKeyPath}`,
    `--root-ca-file=${pki.caPath}`,
    `--cluster-signing-cert-file=${pki.caPath}`,
    `--cluster-signing-key-file=${pki.caKeyPath}`,
    '--allocate-node-cidrs=true',
    `--cluster-cidr=${POD_CIDR}`,
    '--node-cidr-mask-size=24',
    `--service-cluster-ip-range=${SERVICE_CIDR}`,
    // HPA: sync every 15 s (upstream's default), as the autoscaler comparisons assume.
    '--horizontal-pod-autoscaler-sync-period=15s',
  ]);
  const scheduler = await start('kube-scheduler', tools.scheduler, [
    ...authFlags(config.schedulerKubeconfig),
    '--secure-port=10259',
  ]);
  const containerd = await start('containerd', 'containerd', ['--config', config.containerdConfig]);

  // Images are built while the control plane starts (cached by content in image-cache/).
  const cacheDir = join(paths.stateDir, 'image-cache');
  const imagesBuilt = Promise.all([
    buildBinaryImage(
      {
        name: PAUSE_IMAGE,
        files: [{ source: tools.labtool, path: 'labtool' }],
        entrypoint: ['/labtool', 'pause'],
      },
      cacheDir,
    ),
    buildBinaryImage(
      { name: LABTOOL_IMAGE, files: [{ source: tools.labtool, path: 'labtool' }], entrypoint: ['/labtool'] },
      cacheDir,
    ),
    buildBinaryImage(
      { name: COREDNS_IMAGE, files: [{ source: tools.coredns, path: 'coredns' }], entrypoint: ['/coredns'] },
      cacheDir,
    ),
  ]);

  // metrics-server: a node daemon like the control plane (not a pod: no image to build and no pod
  // to schedule, and it is up in parallel with the kubelet). Its API registration and RBAC go in
  // first: at start it reads the front-proxy CA from kube-system's config map, which needs them.
  const startMetricsServer = async (): Promise<void> => {
    await kubectl(
      ['apply', '-f', '-'],
      manifestList(metricsServerManifests(layout.nodeIp, pki.caPem, METRICS_SERVER_USER)),
    );
    const metricsServer = await start('metrics-server', tools.metricsServer, [
      `--kubeconfig=${config.metricsServerKubeconfig}`,
      `--authentication-kubeconfig=${config.metricsServerKubeconfig}`,
      `--authorization-kubeconfig=${config.metricsServerKubeconfig}`,
      `--bind-address=${layout.nodeIp}`,
      `--secure-port=${METRICS_SERVER_PORT}`,
      `--tls-cert-file=${pki.metricsServerServing.certPath}`,
      `--tls-private-key-file=${pki.metricsServerServing.keyPath}`,
      // The kubelet's serving certificate is signed by the cluster CA: verified, no --kubelet-insecure-tls.
      `--kubelet-certificate-authority=${pki.caPath}`,
      '--kubelet-preferred-address-types=InternalIP',
      '--kubelet-use-node-status-port',
      // Upstream's manifest value: one CPU sample per 15 s, as often as the HPA controller syncs.
      '--metric-resolution=15s',
    ]);
    await waitReady(
      async () => (await httpGet(`https://${layout.nodeIp}:${METRICS_SERVER_PORT}/livez`)).status === 200,
      {
        component: 'metrics-server',
        what: `/livez on ${layout.nodeIp}:${METRICS_SERVER_PORT}`,
        timeoutMs,
        daemon: metricsServer,
      },
    );
  };

  const healthz = (component: string, daemon: Daemon, port: number): Promise<void> =>
    waitReady(async () => (await httpGet(`https://${layout.nodeIp}:${port}/healthz`)).body.trim() === 'ok', {
      component,
      what: `/healthz on ${layout.nodeIp}:${port}`,
      timeoutMs,
      daemon,
    });
  await Promise.all([
    startMetricsServer(),
    healthz('kube-controller-manager', controllerManager, 10257),
    healthz('kube-scheduler', scheduler, 10259),
    waitReady(
      async () =>
        (await run('ctr', ['--address', paths.containerdSocket, 'version'], { timeoutMs: 5_000 })).code === 0,
      {
        component: 'containerd',
        what: `its socket ${paths.containerdSocket}`,
        timeoutMs,
        daemon: containerd,
      },
    ),
  ]);
  phase('controller-manager, scheduler, containerd, metrics-server ready');

  const archives = [
    ...(await imagesBuilt),
    ...(options.imagesDir === false ? [] : archivesIn(options.imagesDir ?? DEFAULT_IMAGES_DIR)),
    ...(options.imageArchives ?? []),
  ];
  try {
    await importImages(paths.containerdSocket, archives);
  } catch (error) {
    throw new ComponentError('containerd', (error as Error).message, containerd.logPath);
  }
  phase(`images imported (${archives.length})`);

  // The kubelet changes machine-wide sysctls at start: record them for `down`.
  claim.sysctls = readSysctls();
  updateClaim(claim);
  const kubelet = await start('kubelet', tools.kubelet, [
    `--config=${config.kubeletConfig}`,
    `--kubeconfig=${config.kubeletKubeconfig}`,
    `--root-dir=${paths.kubeletRoot}`,
    `--cert-dir=${join(paths.pki, 'kubelet-serving')}`,
    `--hostname-override=${NODE_NAME}`,
    `--node-ip=${layout.nodeIp}`,
    '--v=1',
  ]);
  const proxy = await start('kube-proxy', tools.proxy, [`--config=${config.kubeProxyConfig}`, '--v=1']);
  await Promise.all([
    waitReady(async () => (await httpGet(`http://${layout.nodeIp}:10248/healthz`)).body.trim() === 'ok', {
      component: 'kubelet',
      what: `/healthz on ${layout.nodeIp}:10248`,
      timeoutMs,
      daemon: kubelet,
    }),
    waitReady(async () => (await httpGet(`http://${layout.nodeIp}:10256/healthz`)).status === 200, {
      component: 'kube-proxy',
      what: `/healthz on ${layout.nodeIp}:10256`,
      timeoutMs,
      daemon: proxy,
    }),
  ]);
  await waitReady(
    async () => {
      const node = JSON.parse(await kubectl(['get', 'node', NODE_NAME, '-o', 'json'])) as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    },
    { component: 'kubelet', what: `node ${NODE_NAME} to be Ready`, timeoutMs, daemon: kubelet },
  );
  // The kubelet publishes no ephemeral-storage here (see ephemeral-storage.ts); without it every
  // pod that requests some stays Pending.
  await kubectl([
    'patch',
    'node',
    NODE_NAME,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify(ephemeralStoragePatch(statfsSync(paths.kubeletRoot))),
  ]);
  phase('kubelet and kube-proxy ready, node Ready');

  const volumeDirs = Array.from({ length: options.volumes ?? 8 }, (_, i) => join(paths.volumes, `pv-${i}`));
  for (const dir of volumeDirs) {
    mkdirSync(dir, { recursive: true, mode: 0o777 });
    await mustRun('chmod', ['0777', dir]);
  }
  await kubectl(['apply', '-f', '-'], manifestList([...corednsManifests(), ...storageManifests(volumeDirs)]));
  // The NetworkPolicy enforcer: a node daemon (iptables in the node's namespace), see netpol/.
  const netpol = await start('netpol-enforcer', process.execPath, [
    join(repoRoot, 'lab', 'cluster', 'dist', 'netpol', 'main.js'),
    '--kubeconfig',
    paths.kubeconfig,
  ]);
  await waitRollout(kubectl, 'deployment/coredns', 'CoreDNS', timeoutMs, kubelet.logPath);
  await waitReady(
    async () =>
      (await run('nsenter', [`--net=${layout.netnsPath}`, 'iptables', '-C', 'FORWARD', '-j', 'LAAS-NETPOL']))
        .code === 0,
    { component: 'netpol-enforcer', what: 'its FORWARD -> LAAS-NETPOL rule', timeoutMs, daemon: netpol },
  );
  phase('CoreDNS, NetworkPolicy enforcer, storage ready');

  // The ingress controller: a node daemon (Node.js + Debian's nginx) on the node address, port 80.
  const ingressDir = join(paths.stateDir, 'ingress');
  mkdirSync(ingressDir, { recursive: true });
  const ingress = await start('ingress-controller', process.execPath, [
    join(repoRoot, 'lab', 'cluster', 'dist', 'ingress', 'main.js'),
    '--kubeconfig',
    paths.kubeconfig,
    '--listen',
    `${layout.nodeIp}:80`,
    '--dir',
    ingressDir,
  ]);
  await Promise.all([
    waitReady(async () => (await httpGet(`http://${layout.nodeIp}/`)).status === 404, {
      component: 'ingress-controller',
      what: `nginx answering on ${layout.nodeIp}:80`,
      timeoutMs,
      daemon: ingress,
    }),
    // The API server reaches metrics-server through the aggregation layer. Not awaited: its first
    // numbers, which come one --metric-resolution (15 s) after the kubelet's first pods.
    waitReady(
      async () =>
        (
          await kubectl([
            'get',
            'apiservice',
            'v1beta1.metrics.k8s.io',
            '-o',
            'jsonpath={.status.conditions[?(@.type=="Available")].status}',
          ])
        ).trim() === 'True',
      {
        component: 'metrics-server',
        what: 'APIService v1beta1.metrics.k8s.io to be Available',
        timeoutMs,
        daemon: daemons.find((d) => d.name === 'metrics-server')!,
      },
    ),
  ]);
  phase('ingress controller ready, metrics API available');

  for (const daemon of daemons) {
    if (!isRunning(daemon.pid)) throw new ComponentError(daemon.name, 'exited after start', daemon.logPath);
  }
  return daemons;
}

async function waitRollout(
  kubectl: (args: string[]) => Promise<string>,
  resource: string,
  component: string,
  timeoutMs: number,
  kubeletLog: string,
): Promise<void> {
  try {
    await kubectl([
      '-n',
      'kube-system',
      'rollout',
      'status',
      resource,
      `--timeout=${Math.round(timeoutMs / 1000)}s`,
    ]);
  } catch (error) {
    const pods = await kubectl(['-n', 'kube-system', 'get', 'pods', '-o', 'wide']).catch(
      () => '(kubectl get pods failed)',
    );
    throw new ComponentError(component, `did not roll out: ${(error as Error).message}\n${pods}`, kubeletLog);
  }
}

interface WrittenConfigs {
  containerdConfig: string;
  kubeletConfig: string;
  kubeletKubeconfig: string;
  kubeProxyConfig: string;
  controllerManagerKubeconfig: string;
  schedulerKubeconfig: string;
  metricsServerKubeconfig: string;
}

function writeConfigs(layout: ClusterLayout, paths: StatePaths, pki: ClusterPki): WrittenConfigs {
  const file = (name: string, text: string): string => {
    const path = join(paths.config, name);
    writeFileSync(path, text, { mode: 0o600 });
    return path;
  };
  const kubeconfigFor = (name: string, user: string, identity: { certPem: string; keyPem: string }): string =>
    file(
      name,
      kubeconfigText(layout.apiserverUrl, pki.caPem, {
        name: user,
        certPem: identity.certPem,
        keyPem: identity.keyPem,
      }),
    );

  writeFileSync(
    paths.kubeconfig,
    kubeconfigText(layout.apiserverUrl, pki.caPem, {
      name: 'laas-lab-admin',
      certPem: pki.admin.certPem,
      keyPem: pki.admin.keyPem,
    }),
    { mode: 0o600 },
  );
  writeFileSync(join(paths.cniConfDir, '10-laas-lab.conflist'), cniConflist(paths));
  const resolvConf = file('resolv.conf', NODE_RESOLV_CONF);
  const kubeProxyKubeconfig = kubeconfigFor('kube-proxy.kubeconfig', 'kube-proxy', pki.kubeProxy);
  return {
    containerdConfig: file('containerd.toml', containerdConfig(paths)),
    kubeletConfig: file(
      'kubelet.json',
      kubeletConfig(layout, paths, pki.caPath, resolvConf, pki.kubeletServing),
    ),
    kubeletKubeconfig: kubeconfigFor('kubelet.kubeconfig', `system:node:${NODE_NAME}`, pki.kubelet),
    kubeProxyConfig: file('kube-proxy.json', kubeProxyConfig(layout, kubeProxyKubeconfig)),
    controllerManagerKubeconfig: kubeconfigFor(
      'controller-manager.kubeconfig',
      'system:kube-controller-manager',
      pki.controllerManager,
    ),
    schedulerKubeconfig: kubeconfigFor('scheduler.kubeconfig', 'system:kube-scheduler', pki.scheduler),
    metricsServerKubeconfig: kubeconfigFor(
      'metrics-server.kubeconfig',
      METRICS_SERVER_USER,
      pki.metricsServer,
    ),
  };
}

export interface StopReport {
  /** False when no cluster of this state folder was known (nothing to do). */
  found: boolean;
  instance?: number;
  /** What was removed ("killed 41 processes", "unmounted 23 mounts", ...). */
  actions: string[];
}

/**
 * Stops the cluster of `stateDir` and removes everything its `up` created (see `teardown`).
 * Safe to call when nothing runs.
 */
export async function stopLabCluster(options: { stateDir?: string } = {}): Promise<StopReport> {
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const claim = claimForStateDir(stateDir);
  if (!claim) return { found: false, actions: [] };
  const actions = await teardown(claim);
  releaseClaim(claim.instance);
  return { found: true, instance: claim.instance, actions };
}

/** One daemon of the node, as its supervisor sees it. */
export interface ComponentStatus {
  running: boolean;
  /** The running process, or the last one while it waits to be restarted. */
  pid?: number;
  /** Times the supervisor started it again after it exited. */
  restarts: number;
  /** When it waits to be restarted: its last exit ("signal SIGKILL", "code 1"). */
  lastExit?: string;
}

export interface LabClusterStatus {
  running: boolean;
  cluster?: LabCluster;
  /** The supervisor, then each daemon it runs. */
  components: Record<string, ComponentStatus>;
  nodeReady?: boolean;
  /** Problems found ("kubelet is not running"). */
  problems: string[];
}

/** What runs of the cluster of `stateDir`, with each daemon's restarts, and whether its node is Ready. */
export async function labClusterStatus(options: { stateDir?: string } = {}): Promise<LabClusterStatus> {
  const stateDir = resolve(options.stateDir ?? DEFAULT_STATE_DIR);
  const claim = claimForStateDir(stateDir);
  if (!claim) return { running: false, components: {}, problems: [] };
  const paths = statePaths(stateDir);
  const supervised = readSupervisorStatus(paths.units);
  const components: Record<string, ComponentStatus> = {};
  const problems: string[] = [];
  const supervisorRuns = supervised !== undefined && isRunning(supervised.supervisorPid);
  components.supervisor = {
    running: supervisorRuns,
    ...(supervised ? { pid: supervised.supervisorPid } : {}),
    restarts: 0,
  };
  if (!supervisorRuns) problems.push('the supervisor is not running: no daemon is restarted when it dies');
  for (const name of COMPONENTS) {
    const unit = supervised?.units[name];
    const running = unit !== undefined && unit.state === 'running' && isRunning(unit.pid);
    const lastExit = unit?.lastExit
      ? unit.lastExit.signal
        ? `signal ${unit.lastExit.signal}`
        : `code ${unit.lastExit.code}`
      : undefined;
    components[name] = {
      running,
      ...(unit ? { pid: unit.pid } : {}),
      restarts: unit?.restarts ?? 0,
      ...(!running && lastExit ? { lastExit } : {}),
    };
    if (!running)
      problems.push(
        unit === undefined
          ? `${name} was never started (up did not finish)`
          : `${name} is not running${unit.nextStartAt ? ` (restart due at ${unit.nextStartAt})` : ''}`,
      );
  }
  let nodeReady: boolean | undefined;
  const node = await run(
    'kubectl',
    ['--kubeconfig', paths.kubeconfig, 'get', 'node', NODE_NAME, '-o', 'json'],
    { timeoutMs: 10_000 },
  );
  if (node.code === 0) {
    const parsed = JSON.parse(node.stdout) as {
      status?: { conditions?: { type: string; status: string }[] };
    };
    nodeReady = parsed.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    if (!nodeReady) problems.push(`node ${NODE_NAME} is not Ready`);
  } else {
    problems.push(`the API server does not answer: ${node.stderr.trim().split('\n')[0] ?? ''}`);
  }
  return {
    running: problems.length === 0,
    cluster: describeCluster(claim),
    components,
    ...(nodeReady === undefined ? {} : { nodeReady }),
    problems,
  };
}
