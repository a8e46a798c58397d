import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_DOMAIN, KUBERNETES_SERVICE_IP, NODE_NAME } from './layout.js';
import type { ClusterLayout } from './layout.js';
import { mustRun } from './run.js';

/** The user metrics-server authenticates as (RBAC in addons.ts binds its roles to it). */
export const METRICS_SERVER_USER = 'system:metrics-server';
/** The only name the API server accepts on a request-header (front proxy) client certificate. */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

/** A client identity: PEM certificate and key, and where they are on disk. */
export interface Identity {
  certPath: string;
  keyPath: string;
  certPem: string;
  keyPem: string;
}

export interface ClusterPki {
  caPath: string;
  caKeyPath: string;
  caPem: string;
  apiserverServing: Identity;
  /** Group system:masters: the kubeconfig users get. */
  admin: Identity;
  controllerManager: Identity;
  scheduler: Identity;
  /** system:node:laas-lab in system:nodes (Node authorizer, NodeRestriction). */
  kubelet: Identity;
  kubeProxy: Identity;
  /** The API server's identity towards the kubelet (exec, logs, port-forward). */
  apiserverKubeletClient: Identity;
  /** The kubelet's serving certificate (its node address and name), so clients can verify it. */
  kubeletServing: Identity;
  /** system:metrics-server: metrics-server towards the API server and the kubelet. */
  metricsServer: Identity;
  /** metrics-server's serving certificate (its Service names and the node address). */
  metricsServerServing: Identity;
  /**
   * The aggregation layer: a CA of its own that signs only the API server's proxy client
   * (front-proxy-client), whose requests to an extension API server (metrics-server) carry the
   * user in X-Remote-* headers. Separate from the cluster CA, as kubeadm does: a certificate of
   * the cluster CA must never be able to assert another user through those headers.
   */
  frontProxyCaPath: string;
  frontProxyClient: Identity;
  saPublicKeyPath: string;
  saPrivateKeyPath: string;
}

/**
 * A throw-away PKI for one run (EC P-256, 30 days): the CA, the API server's serving certificate
 * (for the node address, the `kubernetes` Service address and names), and one client
 * certificate per component, whose CN/O are the user and group RBAC's bootstrap policy expects.
 */
export async function makePki(dir: string, layout: ClusterLayout): Promise<ClusterPki> {
  mkdirSync(dir, { recursive: true });
  const p = (name: string): string => join(dir, name);
  const sans = [
    `IP:${layout.nodeIp}`,
    `IP:${KUBERNETES_SERVICE_IP}`,
    'IP:127.0.0.1',
    'DNS:localhost',
    'DNS:kubernetes',
    'DNS:kubernetes.default',
    'DNS:kubernetes.default.svc',
    `DNS:kubernetes.default.svc.${CLUSTER_DOMAIN}`,
  ];
  writeFileSync(
    p('openssl.cnf'),
    [
      '[req]',
      'distinguished_name = dn',
      'prompt = no',
      '[dn]',
      'CN = laas-lab',
      '[ca_ext]',
      'basicConstraints = critical,CA:TRUE',
      'keyUsage = critical,keyCertSign,cRLSign,digitalSignature',
      'subjectKeyIdentifier = hash',
      '[server_ext]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = ${sans.join(',')}`,
      '[kubelet_ext]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = IP:${layout.nodeIp},DNS:${NODE_NAME}`,
      '[metrics_server_ext]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = serverAuth',
      `subjectAltName = IP:${layout.nodeIp},DNS:metrics-server.kube-system.svc,DNS:metrics-server.kube-system.svc.${CLUSTER_DOMAIN}`,
      '[client_ext]',
      'basicConstraints = critical,CA:FALSE',
      'keyUsage = critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage = clientAuth',
      '',
    ].join('\n'),
  );
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const openssl = (args: string[]): Promise<string> => mustRun('openssl', args);
  const makeCa = (name: string, subject: string): Promise<string> =>
    openssl(
      [
        'req',
        '-x509',
        '-new',
        ...ec,
        '-keyout',
        p(`${name}.key`),
        '-out',
        p(`${name}.crt`),
        '-days',
        '30',
      ].concat(['-config', p('openssl.cnf'), '-extensions', 'ca_ext', '-subj', subject]),
    );
  await Promise.all([
    makeCa('ca', '/CN=laas-lab-ca'),
    makeCa('front-proxy-ca', '/CN=laas-lab-front-proxy-ca'),
  ]);

  const issue = async (
    name: string,
    subject: string,
    extensions: 'server_ext' | 'client_ext' | 'kubelet_ext' | 'metrics_server_ext',
    ca = 'ca',
  ): Promise<Identity> => {
    await openssl([
      'req',
      '-new',
      ...ec,
      '-keyout',
      p(`${name}.key`),
      '-out',
      p(`${name}.csr`),
      '-config',
      p('openssl.cnf'),
      '-subj',
      subject,
    ]);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        p(`${name}.csr`),
        '-CA',
        p(`${ca}.crt`),
        '-CAkey',
        p(`${ca}.key`),
        // Random serials: the certificates are issued in parallel, and a shared ca.srl would race.
        '-set_serial',
        `0x${randomBytes(16).toString('hex')}`,
      ].concat([
        '-out',
        p(`${name}.crt`),
        '-days',
        '30',
        '-extfile',
        p('openssl.cnf'),
        '-extensions',
        extensions,
      ]),
    );
    return {
      certPath: p(`${name}.crt`),
      keyPath: p(`${name}.key`),
      certPem: readFileSync(p(`${name}.crt`), 'utf8'),
      keyPem: readFileSync(p(`${name}.key`), 'utf8'),
    };
  };
  const [
    apiserverServing,
    admin,
    controllerManager,
    scheduler,
    kubelet,
    kubeProxy,
    apiserverKubeletClient,
    kubeletServing,
    metricsServer,
    metricsServerServing,
    frontProxyClient,
  ] = await Promise.all([
    issue('apiserver', '/CN=kube-apiserver', 'server_ext'),
    issue('admin', '/O=system:masters/CN=laas-lab-admin', 'client_ext'),
    issue('controller-manager', '/CN=system:kube-controller-manager', 'client_ext'),
    issue('scheduler', '/CN=system:kube-scheduler', 'client_ext'),
    issue('kubelet', `/O=system:nodes/CN=system:node:${NODE_NAME}`, 'client_ext'),
    issue('kube-proxy', '/CN=system:kube-proxy', 'client_ext'),
    issue('apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', 'client_ext'),
    issue('kubelet-serving', `/CN=${NODE_NAME}`, 'kubelet_ext'),
    issue('metrics-server', `/CN=${METRICS_SERVER_USER}`, 'client_ext'),
    issue('metrics-server-serving', '/CN=metrics-server.kube-system.svc', 'metrics_server_ext'),
    issue('front-proxy-client', `/CN=${FRONT_PROXY_CLIENT}`, 'client_ext', 'front-proxy-ca'),
  ]);

  const sa = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  writeFileSync(p('sa.pub'), sa.publicKey);
  writeFileSync(p('sa.key'), sa.privateKey, { mode: 0o600 });

  return {
    caPath: p('ca.crt'),
    caKeyPath: p('ca.key'),
    caPem: readFileSync(p('ca.crt'), 'utf8'),
    apiserverServing,
    admin,
    controllerManager,
    scheduler,
    kubelet,
    kubeProxy,
    apiserverKubeletClient,
    kubeletServing,
    metricsServer,
    metricsServerServing,
    frontProxyCaPath: p('front-proxy-ca.crt'),
    frontProxyClient,
    saPublicKeyPath: p('sa.pub'),
    saPrivateKeyPath: p('sa.key'),
  };
}
