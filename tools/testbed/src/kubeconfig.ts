import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Kubeconfig files are written as JSON (YAML is a superset of JSON): kubectl, client-go and
 * @kubernetes/client-node (`KubeConfig.loadFromFile`) all read them, and we can read them back
 * without a YAML parser. Certificates are embedded, so a file is usable on its own.
 */
export interface KubeconfigUser {
  /** PEM client certificate and key (the admin identity). */
  clientCertificate?: string;
  clientKey?: string;
  /** Bearer token (a ServiceAccount token from the TokenRequest API). */
  token?: string;
}

export interface KubeconfigSpec {
  server: string;
  /** PEM of the CA that signed the API server's serving certificate. */
  caPem: string;
  userName: string;
  user: KubeconfigUser;
  /** Default namespace of the context. */
  namespace?: string;
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

export function kubeconfigText(spec: KubeconfigSpec): string {
  const user: Record<string, string> = {};
  if (spec.user.clientCertificate) user['client-certificate-data'] = b64(spec.user.clientCertificate);
  if (spec.user.clientKey) user['client-key-data'] = b64(spec.user.clientKey);
  if (spec.user.token) user.token = spec.user.token;
  const context: Record<string, string> = { cluster: 'laas-testbed', user: spec.userName };
  if (spec.namespace) context.namespace = spec.namespace;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'laas-testbed',
        cluster: { server: spec.server, 'certificate-authority-data': b64(spec.caPem) },
      },
    ],
    users: [{ name: spec.userName, user }],
    contexts: [{ name: spec.userName, context }],
    'current-context': spec.userName,
    preferences: {},
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function writeKubeconfig(path: string, spec: KubeconfigSpec): string {
  writeFileSync(path, kubeconfigText(spec), { mode: 0o600 });
  return path;
}

/** Server URL and CA of a kubeconfig written by `writeKubeconfig`. */
export function readClusterOf(kubeconfigPath: string): { server: string; caPem: string } {
  const config = JSON.parse(readFileSync(kubeconfigPath, 'utf8')) as {
    clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[];
  };
  const cluster = config.clusters?.[0]?.cluster;
  if (!cluster?.server || !cluster['certificate-authority-data']) {
    throw new Error(`${kubeconfigPath} is not a kubeconfig written by the test bed`);
  }
  return {
    server: cluster.server,
    caPem: Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'),
  };
}
