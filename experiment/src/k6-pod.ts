import type { V1Container, V1PodSecurityContext, V1Volume } from '@kubernetes/client-node';

/**
 * The shape every k6 pod of the experiment shares, the plateau Jobs (kube-environment.ts) and the
 * closed loop's trace Job (closed-loop/cluster-objects.ts) alike: the chart's k6 Job runs the
 * same way (non-root, read-only root, no capabilities), so the namespace's Pod Security and
 * NetworkPolicies treat all three alike. k6 writes only under /tmp (HOME), an emptyDir.
 */
export const K6_POD_SECURITY: V1PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 12345,
  runAsGroup: 12345,
  fsGroup: 12345,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** A k6 process at a few hundred RPS stays under one core; 250m is what the scheduler reserves. */
export const K6_RESOURCES: V1Container['resources'] = {
  requests: { cpu: '250m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
  limits: { cpu: '1', memory: '512Mi', 'ephemeral-storage': '256Mi' },
};

export const K6_CONTAINER_SECURITY: V1Container['securityContext'] = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The scripts (from a ConfigMap) at /scripts, and a writable /tmp. */
export const K6_VOLUME_MOUNTS: V1Container['volumeMounts'] = [
  { name: 'scripts', mountPath: '/scripts', readOnly: true },
  { name: 'tmp', mountPath: '/tmp' },
];

export function k6Volumes(scriptsConfigMap: string): V1Volume[] {
  return [
    { name: 'scripts', configMap: { name: scriptsConfigMap } },
    { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
  ];
}
