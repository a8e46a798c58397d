// The least privilege the operator needs, as the single source of autoscaler/rbac/role.yaml.
// Bind the Role in each namespace the operator watches (and in its own, for the Lease).
// The CRD itself is installed by the chart, so no apiextensions access is needed.
import type { YamlValue } from './yaml.js';
import { GROUP, PLURAL } from './types.js';

export const ROLE_NAME = 'laas-autoscaler';

export interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export const RBAC_RULES: PolicyRule[] = [
  // Informer: list + watch; status written with a merge patch on the subresource only.
  { apiGroups: [GROUP], resources: [PLURAL], verbs: ['get', 'list', 'watch'] },
  { apiGroups: [GROUP], resources: [`${PLURAL}/status`], verbs: ['patch'] },
  // Target: read readiness from the Deployment, read and write only its scale subresource.
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] },
  { apiGroups: ['apps'], resources: ['deployments/scale'], verbs: ['get', 'patch'] },
  // One Event per scale (core/v1 Events; kubectl describe shows them).
  { apiGroups: [''], resources: ['events'], verbs: ['create'] },
  // Leader election. `create` cannot be limited by resourceNames (the name is not known before
  // the object exists), so get/update are limited to the one Lease instead.
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create'] },
  {
    apiGroups: ['coordination.k8s.io'],
    resources: ['leases'],
    resourceNames: [ROLE_NAME],
    verbs: ['get', 'update'],
  },
];

export const ROLE: YamlValue = {
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'Role',
  metadata: { name: ROLE_NAME, labels: { 'app.kubernetes.io/name': 'laas-autoscaler' } },
  rules: RBAC_RULES.map((r) => ({ ...r })),
};
