// Kubernetes implementations of the reconciler's writers: status (merge patch of the status
// subresource) and Events (core/v1, so `kubectl describe` shows them).
import type { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { GROUP, KIND, API_VERSION, PLURAL, VERSION } from '../api/types.js';
import type { LatencyAutoscaler, LatencyAutoscalerStatus } from '../api/types.js';
import type { EventRecorder, StatusWriter } from './reconciler.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export class KubeStatusWriter implements StatusWriter {
  constructor(private readonly custom: CustomObjectsApi) {}

  async write(obj: LatencyAutoscaler, status: LatencyAutoscalerStatus): Promise<void> {
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        plural: PLURAL,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
        body: { status },
      },
      MERGE_PATCH,
    );
  }
}

export class KubeEventRecorder implements EventRecorder {
  constructor(
    private readonly core: CoreV1Api,
    private readonly clock: () => number,
    private readonly instance: string,
  ) {}

  async record(
    obj: LatencyAutoscaler,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): Promise<void> {
    const now = new Date(this.clock());
    await this.core.createNamespacedEvent({
      namespace: obj.metadata.namespace,
      body: {
        metadata: { generateName: `${obj.metadata.name}.`, namespace: obj.metadata.namespace },
        involvedObject: {
          apiVersion: API_VERSION,
          kind: KIND,
          name: obj.metadata.name,
          namespace: obj.metadata.namespace,
          ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
          ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
        },
        type,
        reason,
        // The API server rejects Event messages over 1 KiB.
        message: message.slice(0, 1000),
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        source: { component: 'laas-autoscaler' },
        reportingComponent: 'laas.dev/autoscaler',
        reportingInstance: this.instance,
      },
    });
  }
}
