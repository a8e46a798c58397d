// The file through which Prometheus discovers the ready replicas.
import { writeFileSdGroups } from './prometheus.js';
import type { Replica } from './replica.js';

/** file_sd_configs JSON with one group per replica (labels: service, replica), written atomically. */
export function writeReplicaTargets(path: string, replicas: readonly Replica[]): void {
  writeFileSdGroups(
    path,
    replicas.map((replica) => ({
      targets: [replica.address],
      labels: { service: replica.service, replica: replica.name },
    })),
  );
}
