import { join } from 'node:path';
import { makePki as makeKitPki, type Identity } from '@laas/kubekit';
import { CLUSTER_DOMAIN, KUBERNETES_SERVICE_IP, NODE_NAME } from './layout.js';
import type { ClusterLayout } from './layout.js';
import { mustRun } from './run.js';

/** The user metrics-server authenticates as (RBAC in addons.ts binds its roles to it). */
export const METRICS_SERVER_USER = 'system:metrics-server';
/** The only name the API server accepts on a request-header (front proxy) client certificate. */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

export type { Identity };

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
 * A throw-away PKI for one run (EC P-256, 30 days; issued by @laas/kubekit): the CA, the API server's serving certificate
 * (for the node address, the `kubernetes` Service address and names), and one client
 * certificate per component, whose CN/O are the user and group RBAC's bootstrap policy expects.
 */
export async function makePki(dir: string, layout: ClusterLayout): Promise<ClusterPki> {
  const openssl = (args: string[]): Promise<string> => mustRun('openssl', args);
  const pki = await makeKitPki({
    dir,
    caSubject: '/CN=laas-lab-ca',
    days: 30,
    servingSans: [
      `IP:${layout.nodeIp}`,
      `IP:${KUBERNETES_SERVICE_IP}`,
      'IP:127.0.0.1',
      'DNS:localhost',
      'DNS:kubernetes',
      'DNS:kubernetes.default',
      'DNS:kubernetes.default.svc',
      `DNS:kubernetes.default.svc.${CLUSTER_DOMAIN}`,
    ],
    openssl,
  });
  // The front proxy's CA, in a folder of its own (its ca.crt beside the cluster's would clash).
  const frontProxy = await makeKitPki({
    dir: join(dir, 'front-proxy'),
    caSubject: '/CN=laas-lab-front-proxy-ca',
    days: 30,
    servingSans: [],
    openssl,
  });
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
    pki.issue('apiserver', '/CN=kube-apiserver', 'server'),
    pki.issue('admin', '/O=system:masters/CN=laas-lab-admin', 'client'),
    pki.issue('controller-manager', '/CN=system:kube-controller-manager', 'client'),
    pki.issue('scheduler', '/CN=system:kube-scheduler', 'client'),
    pki.issue('kubelet', `/O=system:nodes/CN=system:node:${NODE_NAME}`, 'client'),
    pki.issue('kube-proxy', '/CN=system:kube-proxy', 'client'),
    pki.issue('apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', 'client'),
    pki.issue('kubelet-serving', `/CN=${NODE_NAME}`, 'server', [`IP:${layout.nodeIp}`, `DNS:${NODE_NAME}`]),
    pki.issue('metrics-server', `/CN=${METRICS_SERVER_USER}`, 'client'),
    pki.issue('metrics-server-serving', '/CN=metrics-server.kube-system.svc', 'server', [
      `IP:${layout.nodeIp}`,
      'DNS:metrics-server.kube-system.svc',
      `DNS:metrics-server.kube-system.svc.${CLUSTER_DOMAIN}`,
    ]),
    frontProxy.issue('front-proxy-client', `/CN=${FRONT_PROXY_CLIENT}`, 'client'),
  ]);
  const sa = pki.serviceAccountKeys();
  return {
    caPath: pki.caPath,
    caKeyPath: pki.caKeyPath,
    caPem: pki.caPem,
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
    frontProxyCaPath: frontProxy.caPath,
    frontProxyClient,
    saPublicKeyPath: sa.publicKeyPath,
    saPrivateKeyPath: sa.privateKeyPath,
  };
}
