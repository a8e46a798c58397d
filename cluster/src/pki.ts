import { makePki as makeKitPki, type Identity } from '@laas/kubekit';
import { CLUSTER_DOMAIN, KUBERNETES_SERVICE_IP, NODE_NAME } from './layout.js';
import type { ClusterLayout } from './layout.js';
import { mustRun } from './run.js';

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
  saPublicKeyPath: string;
  saPrivateKeyPath: string;
}

/**
 * A throw-away PKI for one run (EC P-256, 30 days; issued by @laas/kubekit): the CA, the API server's serving certificate
 * (for the node address, the `kubernetes` Service address and names), and one client
 * certificate per component, whose CN/O are the user and group RBAC's bootstrap policy expects.
 */
export async function makePki(dir: string, layout: ClusterLayout): Promise<ClusterPki> {
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
    openssl: (args) => mustRun('openssl', args),
  });
  const [apiserverServing, admin, controllerManager, scheduler, kubelet, kubeProxy, apiserverKubeletClient] =
    await Promise.all([
      pki.issue('apiserver', '/CN=kube-apiserver', 'server'),
      pki.issue('admin', '/O=system:masters/CN=laas-lab-admin', 'client'),
      pki.issue('controller-manager', '/CN=system:kube-controller-manager', 'client'),
      pki.issue('scheduler', '/CN=system:kube-scheduler', 'client'),
      pki.issue('kubelet', `/O=system:nodes/CN=system:node:${NODE_NAME}`, 'client'),
      pki.issue('kube-proxy', '/CN=system:kube-proxy', 'client'),
      pki.issue('apiserver-kubelet-client', '/O=system:masters/CN=kube-apiserver-kubelet-client', 'client'),
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
    saPublicKeyPath: sa.publicKeyPath,
    saPrivateKeyPath: sa.privateKeyPath,
  };
}
