import { startLocalSystem } from '@laas/local';
import type { LocalSystem, LocalSystemOptions } from '@laas/local';
import { runLocalPlateau } from './k6.js';
import type { ExperimentTarget } from './run.js';

export interface LocalTargetOptions extends LocalSystemOptions {
  /** The service whose replicas are scaled. Default 'images'. */
  service?: string;
}

/**
 * The experiment on the embedded local system: replicas are cgroup-limited processes behind
 * nginx, scaled through the same `LocalScaleTarget` the autoscaler uses; k6 runs on this machine
 * against nginx (so k6, nginx and FerretDB share the cores with the replicas, as noted in the report).
 */
export async function startLocalTarget(
  options: LocalTargetOptions = {},
): Promise<ExperimentTarget & { system: LocalSystem }> {
  const service = options.service ?? 'images';
  const system = await startLocalSystem({ ...options, replicas: options.replicas ?? 1 });
  const scaleTarget = system.scaleTarget(service);
  return {
    name: 'local',
    description: `k6 -> nginx (least_conn, keep-alive) -> ${service} replicas (local processes, one cgroup each) -> FerretDB${system.prometheus ? '; Prometheus scraping every replica' : ''}`,
    url: system.serviceUrls[service]!,
    system,
    setReplicas: (replicas) => scaleTarget.scale(replicas),
    runPlateau: runLocalPlateau,
    stop: () => system.stop(),
  };
}
