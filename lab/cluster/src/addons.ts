import { CLUSTER_DOMAIN, DNS_SERVICE_IP } from './layout.js';
import { COREDNS_IMAGE } from './configs.js';

/** A Kubernetes object as plain JSON. */
export type Manifest = Record<string, unknown>;

/** The objects as one `kind: List`, which `kubectl apply -f -` takes. */
export function manifestList(items: Manifest[]): string {
  return `${JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 2)}\n`;
}

const clusterRole = (name: string, rules: Manifest[]): Manifest => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name },
  rules,
});
const bindServiceAccount = (name: string, namespace: string): Manifest[] => [
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [{ kind: 'ServiceAccount', name, namespace }],
  },
];

/**
 * CoreDNS answers for cluster.local (and reverse zones) from the API; every other name gets
 * NXDOMAIN at once: the node has no way off the machine, so there is nowhere to forward to.
 */
export const COREFILE = `${CLUSTER_DOMAIN}:53 in-addr.arpa:53 ip6.arpa:53 {
    errors
    health :8080
    ready :8181
    kubernetes ${CLUSTER_DOMAIN} in-addr.arpa ip6.arpa {
        pods insecure
        fallthrough in-addr.arpa ip6.arpa
        ttl 30
    }
    cache 30
    loadbalance
    reload
}
.:53 {
    errors
    template ANY ANY {
        rcode NXDOMAIN
    }
}
`;

/** CoreDNS as kubeadm deploys it: a Deployment behind the `kube-dns` Service at 198.19.0.10. */
export function corednsManifests(): Manifest[] {
  const labels = { 'k8s-app': 'kube-dns' };
  return [
    clusterRole('system:coredns', [
      {
        apiGroups: [''],
        resources: ['endpoints', 'services', 'pods', 'namespaces'],
        verbs: ['list', 'watch'],
      },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
    ]),
    ...bindServiceAccount('system:coredns', 'kube-system').map((m) =>
      m.kind === 'ServiceAccount'
        ? { ...m, metadata: { name: 'coredns', namespace: 'kube-system' } }
        : {
            ...m,
            subjects: [{ kind: 'ServiceAccount', name: 'coredns', namespace: 'kube-system' }],
          },
    ),
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'coredns', namespace: 'kube-system' },
      data: { Corefile: COREFILE },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'coredns', namespace: 'kube-system', labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'coredns',
            priorityClassName: 'system-cluster-critical',
            dnsPolicy: 'Default',
            containers: [
              {
                name: 'coredns',
                image: COREDNS_IMAGE,
                imagePullPolicy: 'Never',
                args: ['-conf', '/etc/coredns/Corefile'],
                ports: [
                  { name: 'dns', containerPort: 53, protocol: 'UDP' },
                  { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
                ],
                resources: { requests: { cpu: '50m', memory: '40Mi' }, limits: { memory: '170Mi' } },
                readinessProbe: { httpGet: { path: '/ready', port: 8181 }, periodSeconds: 2 },
                livenessProbe: {
                  httpGet: { path: '/health', port: 8080 },
                  initialDelaySeconds: 10,
                  periodSeconds: 10,
                },
                volumeMounts: [{ name: 'config', mountPath: '/etc/coredns', readOnly: true }],
              },
            ],
            volumes: [{ name: 'config', configMap: { name: 'coredns' } }],
          },
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'kube-dns',
        namespace: 'kube-system',
        labels: { ...labels, 'kubernetes.io/name': 'CoreDNS' },
      },
      spec: {
        clusterIP: DNS_SERVICE_IP,
        selector: labels,
        ports: [
          { name: 'dns', port: 53, protocol: 'UDP' },
          { name: 'dns-tcp', port: 53, protocol: 'TCP' },
        ],
      },
    },
  ];
}

export const STORAGE_CLASS = 'laas-local';

/**
 * Storage without a provisioner: a default StorageClass whose claims bind to PersistentVolumes
 * the launcher creates up front, one folder each under the state folder (hostPath: there is one
 * node). WaitForFirstConsumer, as for local volumes, so binding waits for the pod's scheduling.
 */
export function storageManifests(volumeDirs: string[], capacity = '10Gi'): Manifest[] {
  return [
    {
      apiVersion: 'storage.k8s.io/v1',
      kind: 'StorageClass',
      metadata: {
        name: STORAGE_CLASS,
        annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' },
      },
      provisioner: 'kubernetes.io/no-provisioner',
      volumeBindingMode: 'WaitForFirstConsumer',
      reclaimPolicy: 'Retain',
    },
    ...volumeDirs.map((path, index) => ({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `laas-lab-pv-${index}`, labels: { 'laas.dev/lab-volume': 'true' } },
      spec: {
        capacity: { storage: capacity },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        storageClassName: STORAGE_CLASS,
        hostPath: { path, type: 'DirectoryOrCreate' },
      },
    })),
  ];
}

/** Where metrics-server listens on the node (a node daemon, not a pod; see cluster.ts). */
export const METRICS_SERVER_PORT = 4443;

/**
 * metrics-server's API registration and permissions, as its upstream manifest has them, for a
 * metrics-server that runs as a node daemon with the client certificate of user
 * system:metrics-server instead of a ServiceAccount:
 *  - APIService v1beta1.metrics.k8s.io -> Service kube-system/metrics-server:443, whose endpoint
 *    is the node address and METRICS_SERVER_PORT (a Service without selector, Endpoints written
 *    here); its serving certificate is signed by the cluster CA, passed as caBundle (no
 *    insecureSkipTLSVerify);
 *  - its reads: nodes, pods, and nodes/metrics (the kubelet's /metrics/resource, authorised by
 *    the kubelet's webhook); the authentication config map in kube-system and token/access
 *    reviews (system:auth-delegator), which every aggregated API server needs;
 *  - system:aggregated-metrics-reader: `kubectl top` for view/edit/admin.
 */
export function metricsServerManifests(nodeIp: string, caPem: string, user: string): Manifest[] {
  const name = 'metrics-server';
  const namespace = 'kube-system';
  const labels = { 'k8s-app': name };
  const userSubject = [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }];
  return [
    {
      ...clusterRole('system:aggregated-metrics-reader', [
        { apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
      ]),
      metadata: {
        name: 'system:aggregated-metrics-reader',
        labels: {
          'rbac.authorization.k8s.io/aggregate-to-admin': 'true',
          'rbac.authorization.k8s.io/aggregate-to-edit': 'true',
          'rbac.authorization.k8s.io/aggregate-to-view': 'true',
        },
      },
    },
    clusterRole('system:metrics-server', [
      { apiGroups: [''], resources: ['nodes/metrics'], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] },
    ]),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'system:metrics-server' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:metrics-server' },
      subjects: userSubject,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'metrics-server:system:auth-delegator' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: userSubject,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'metrics-server-auth-reader', namespace },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'Role',
        name: 'extension-apiserver-authentication-reader',
      },
      subjects: userSubject,
    },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels },
      spec: { ports: [{ name: 'https', port: 443, targetPort: METRICS_SERVER_PORT, protocol: 'TCP' }] },
    },
    {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name, namespace, labels },
      subsets: [
        {
          addresses: [{ ip: nodeIp }],
          ports: [{ name: 'https', port: METRICS_SERVER_PORT, protocol: 'TCP' }],
        },
      ],
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io', labels },
      spec: {
        group: 'metrics.k8s.io',
        version: 'v1beta1',
        groupPriorityMinimum: 100,
        versionPriority: 100,
        service: { name, namespace, port: 443 },
        caBundle: Buffer.from(caPem, 'utf8').toString('base64'),
      },
    },
  ];
}
