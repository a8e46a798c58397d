import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  freePort,
  httpText,
  makeTempDir,
  removeTempDir,
  retryOnPortClash,
  spawnServer,
  systemToolPath,
  toolPath,
  waitFor,
  waitUntilReady,
} from '@laas/local';
import type { HttpRequestOptions, HttpResponse, ServerProcess } from '@laas/local';
import { makePki as makeKitPki } from '@laas/kubekit';
import { readClusterOf, writeKubeconfig } from './kubeconfig.js';
import { runKubectl } from './kubectl.js';
import type { CommandResult, KubectlOptions } from './kubectl.js';

const execFileAsync = promisify(execFile);

/** The Service CIDR the API server allocates ClusterIPs from (its first IP is the `kubernetes` Service). */
export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';
const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

/** A cluster reachable through a kubeconfig: what test workers get from the jest global setup. */
export interface KubeCluster {
  /** https://127.0.0.1:PORT */
  url: string;
  /** Admin kubeconfig (client certificate in group system:masters). */
  kubeconfigPath: string;
  /** `kubectl --kubeconfig <admin> ...args`. Add `--as=system:serviceaccount:NS:NAME` to impersonate. */
  kubectl(args: string[], options?: KubectlOptions): Promise<CommandResult>;
  /** Writes a kubeconfig that authenticates with `token` and returns its path. */
  kubeconfigForToken(token: string, options?: { name?: string; namespace?: string }): string;
  /**
   * Issues a token for an existing ServiceAccount (TokenRequest API, `kubectl create token`) and
   * writes a kubeconfig for it. Use it to check what the autoscaler's RBAC really allows.
   */
  kubeconfigForServiceAccount(namespace: string, name: string): Promise<string>;
}

export interface KubeServer extends KubeCluster {
  /** gitVersion reported by /version, e.g. v1.33.13. */
  version: string;
  stop(): Promise<void>;
}

export interface StartKubeOptions {
  timeoutMs?: number;
  /** Extra kube-apiserver flags, e.g. ['--feature-gates=...']. */
  extraApiserverArgs?: string[];
}

/** Operations on a cluster known only by its admin kubeconfig (written by `startKube`). */
export function kubeClusterFromKubeconfig(kubeconfigPath: string): KubeCluster {
  const { server } = readClusterOf(kubeconfigPath);
  const kubectl = (args: string[], options?: KubectlOptions): Promise<CommandResult> =>
    runKubectl(kubeconfigPath, args, options);
  const kubeconfigForToken = (token: string, options: { name?: string; namespace?: string } = {}): string => {
    const { caPem } = readClusterOf(kubeconfigPath);
    const name = options.name ?? `token-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
    const path = join(dirname(kubeconfigPath), `${name.replace(/[^a-zA-Z0-9_.-]/g, '_')}.kubeconfig`);
    return writeKubeconfig(path, {
      server,
      caPem,
      userName: name,
      user: { token },
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
  };
  return {
    url: server,
    kubeconfigPath,
    kubectl,
    kubeconfigForToken,
    kubeconfigForServiceAccount: async (namespace, name) => {
      const result = await kubectl(['create', 'token', name, '--namespace', namespace, '--duration=1h']);
      if (result.code !== 0) {
        throw new Error(`kubectl create token ${name} -n ${namespace} failed: ${result.stderr.trim()}`);
      }
      return kubeconfigForToken(result.stdout.trim(), { name: `sa-${namespace}-${name}`, namespace });
    },
  };
}

interface Pki {
  caPath: string;
  caPem: string;
  servingCertPath: string;
  servingKeyPath: string;
  adminCertPem: string;
  adminKeyPem: string;
  saPublicKeyPath: string;
  saPrivateKeyPath: string;
}

/**
 * A throw-away PKI (EC P-256, valid 7 days; issued by @laas/kubekit, as the lab cluster's): a CA,
 * the API server's serving certificate, an admin client certificate in group system:masters, and
 * the ServiceAccount token signing key pair.
 */
async function makePki(dir: string): Promise<Pki> {
  const openssl = systemToolPath('openssl');
  const pki = await makeKitPki({
    dir,
    caSubject: '/CN=laas-testbed-ca',
    days: 7,
    servingSans: [
      'IP:127.0.0.1',
      'IP:10.0.0.1',
      'DNS:localhost',
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      'DNS:kubernetes.default.svc.cluster.local',
    ],
    openssl: (args) => execFileAsync(openssl, args, { cwd: dir }),
  });
  const serving = await pki.issue('apiserver', '/CN=kube-apiserver', 'server');
  const admin = await pki.issue('admin', '/O=system:masters/CN=laas-admin', 'client');
  const sa = pki.serviceAccountKeys();
  return {
    caPath: pki.caPath,
    caPem: pki.caPem,
    servingCertPath: serving.certPath,
    servingKeyPath: serving.keyPath,
    adminCertPem: admin.certPem,
    adminKeyPem: admin.keyPem,
    saPublicKeyPath: sa.publicKeyPath,
    saPrivateKeyPath: sa.privateKeyPath,
  };
}

async function startEtcd(dir: string, timeoutMs: number): Promise<{ process: ServerProcess; url: string }> {
  const binary = toolPath('etcd');
  return retryOnPortClash(async () => {
    const clientPort = await freePort();
    const peerPort = await freePort();
    const url = `http://127.0.0.1:${clientPort}`;
    const peer = `http://127.0.0.1:${peerPort}`;
    const etcd = spawnServer({
      name: 'etcd',
      command: binary,
      args: [
        '--name=testbed',
        `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${url}`,
        `--advertise-client-urls=${url}`,
        `--listen-peer-urls=${peer}`,
        `--initial-advertise-peer-urls=${peer}`,
        `--initial-cluster=testbed=${peer}`,
        '--initial-cluster-state=new',
        // Test data: durability is worth nothing, speed is.
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ],
      logPath: join(dir, `etcd-${clientPort}.log`),
    });
    try {
      await waitUntilReady(
        etcd,
        async () => {
          const response = await httpText(`${url}/health`);
          return response.status === 200 && /"health":\s*"true"/.test(response.body);
        },
        `etcd ${url}/health`,
        timeoutMs,
      );
    } catch (error) {
      await etcd.stop();
      throw error;
    }
    return { process: etcd, url };
  });
}

/**
 * Starts etcd and kube-apiserver (RBAC, client-certificate admin, ServiceAccount tokens) on
 * loopback ports with a temporary folder. No controllers run: nothing reconciles Deployments,
 * creates ServiceAccounts or Pods; tests write status themselves.
 * Ready once /readyz answers `ok` to the admin and the `default` namespace exists.
 */
export async function startKube(options: StartKubeOptions = {}): Promise<KubeServer> {
  const apiserverBinary = toolPath('kube-apiserver');
  systemToolPath('kubectl');
  const timeoutMs = options.timeoutMs ?? 120_000;
  const dir = makeTempDir('kube');
  const started: ServerProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const server of started.reverse()) await server.stop();
    started.length = 0;
    removeTempDir(dir);
  };
  try {
    const pki = await makePki(join(dir, 'pki'));
    const etcd = await startEtcd(dir, timeoutMs);
    started.push(etcd.process);

    const tls: HttpRequestOptions['tls'] = { ca: pki.caPem, cert: pki.adminCertPem, key: pki.adminKeyPem };
    const apiserver = await retryOnPortClash(async () => {
      const port = await freePort();
      const url = `https://127.0.0.1:${port}`;
      const server = spawnServer({
        name: 'kube-apiserver',
        command: apiserverBinary,
        args: [
          '--advertise-address=127.0.0.1',
          '--bind-address=127.0.0.1',
          `--secure-port=${port}`,
          `--etcd-servers=${etcd.url}`,
          `--cert-dir=${join(dir, 'pki')}`,
          `--tls-cert-file=${pki.servingCertPath}`,
          `--tls-private-key-file=${pki.servingKeyPath}`,
          `--client-ca-file=${pki.caPath}`,
          '--authorization-mode=RBAC',
          `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
          '--allow-privileged=true',
          // As envtest: no controller creates the `default` ServiceAccount, so its admission plugin
          // would reject every Pod. The remaining defaults (NamespaceLifecycle, LimitRanger,
          // ResourceQuota, webhooks, PodSecurity...) work without controllers.
          '--disable-admission-plugins=ServiceAccount',
          `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
          `--service-account-key-file=${pki.saPublicKeyPath}`,
          `--service-account-signing-key-file=${pki.saPrivateKeyPath}`,
          '--profiling=false',
          ...(options.extraApiserverArgs ?? []),
        ],
        logPath: join(dir, `kube-apiserver-${port}.log`),
      });
      try {
        await waitUntilReady(
          server,
          async () => {
            const response = await httpText(`${url}/readyz`, { tls });
            return response.status === 200 && response.body.trim() === 'ok';
          },
          `kube-apiserver ${url}/readyz`,
          timeoutMs,
        );
      } catch (error) {
        await server.stop();
        throw error;
      }
      return { process: server, url };
    });
    started.push(apiserver.process);

    const kubeconfigPath = writeKubeconfig(join(dir, 'admin.kubeconfig'), {
      server: apiserver.url,
      caPem: pki.caPem,
      userName: 'laas-admin',
      user: { clientCertificate: pki.adminCertPem, clientKey: pki.adminKeyPem },
    });
    const api = (path: string, request: HttpRequestOptions = {}): Promise<HttpResponse> =>
      httpText(`${apiserver.url}${path}`, { ...request, tls });

    await ensureDefaultNamespace(api);
    const versionResponse = await api('/version');
    const version = (JSON.parse(versionResponse.body) as { gitVersion: string }).gitVersion;

    return { ...kubeClusterFromKubeconfig(kubeconfigPath), version, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The API server's own bootstrap controller creates `default`; create it ourselves if it is slow. */
async function ensureDefaultNamespace(
  api: (path: string, request?: HttpRequestOptions) => Promise<HttpResponse>,
): Promise<void> {
  await waitFor(
    async () => {
      if ((await api('/api/v1/namespaces/default')).status === 200) return true;
      const created = await api('/api/v1/namespaces', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }),
      });
      if (created.status === 201 || created.status === 409) return true;
      throw new Error(`creating namespace default: HTTP ${created.status} ${created.body}`);
    },
    { what: 'the default namespace', timeoutMs: 20_000, intervalMs: 250 },
  );
}
