// ScaleTarget for an apps/v1 Deployment: replicas from the scale subresource, readiness from the
// Deployment's status, writes only to deployments/scale (so the RBAC never needs deployment
// update), with a merge patch carrying the resourceVersion that was read: if anything changed
// the scale since, the API server answers 409 and the reconciler decides again on fresh numbers.
import type { AppsV1Api } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { toTargetError } from './kube-errors.js';
import type { ScaleTarget, TargetState } from './types.js';

// client-node 1.4 sends JSON-patch by default; the scale patch below is a merge patch.
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class DeploymentTarget implements ScaleTarget {
  readonly description: string;

  constructor(
    private readonly apps: AppsV1Api,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.description = `deployment/${name}`;
  }

  async get(): Promise<TargetState> {
    try {
      const [scale, deployment] = await Promise.all([
        this.apps.readNamespacedDeploymentScale({ name: this.name, namespace: this.namespace }),
        this.apps.readNamespacedDeployment({ name: this.name, namespace: this.namespace }),
      ]);
      return {
        replicas: scale.spec?.replicas ?? 0,
        readyReplicas: deployment.status?.readyReplicas ?? 0,
        updatedReplicas: deployment.status?.updatedReplicas ?? 0,
        ...(scale.metadata?.resourceVersion ? { version: scale.metadata.resourceVersion } : {}),
      };
    } catch (error) {
      throw toTargetError(error, `reading ${this.description}`);
    }
  }

  async scale(replicas: number, version?: string): Promise<void> {
    const body = { ...(version ? { metadata: { resourceVersion: version } } : {}), spec: { replicas } };
    try {
      await this.apps.patchNamespacedDeploymentScale(
        { name: this.name, namespace: this.namespace, body },
        MERGE_PATCH,
      );
    } catch (error) {
      throw toTargetError(error, `scaling ${this.description} to ${replicas}`);
    }
  }
}
