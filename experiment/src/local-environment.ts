import { createAccountingGroup, cpuSplit, readCpu, startLocalSystem } from '@laas/local';
import type { AccountedGroup, LocalSystem, LocalSystemOptions } from '@laas/local';
import { localPlateauRunner } from './k6.js';
import type { PlateauRunner } from './k6.js';
import type { ExperimentEnvironment } from './run.js';

export interface LocalEnvironmentOptions extends LocalSystemOptions {
  /** The service whose replicas are scaled. Default 'images'. */
  service?: string;
}

/** The component this Node process (the search, the readings) is counted under. */
export const RUNNER_COMPONENT = 'runner';

/**
 * The experiment on the embedded local system: replicas are cgroup-limited processes behind
 * nginx, scaled through the same `LocalScaleTarget` the autoscaler uses; k6 runs on this machine
 * against nginx, so k6, nginx, FerretDB and Prometheus share the cores with the replicas. Each of
 * them runs in its own cpuacct group, and every plateau carries the CPU seconds each used
 * (`PlateauResult.cpu`): counters read just before k6 starts and just after it exits.
 */
export async function startLocalEnvironment(
  options: LocalEnvironmentOptions = {},
): Promise<ExperimentEnvironment & { system: LocalSystem }> {
  const service = options.service ?? 'images';
  const system = await startLocalSystem({ ...options, replicas: options.replicas ?? 1 });
  const k6Group = createAccountingGroup('k6');
  const groups = (): AccountedGroup[] => [
    ...system.cpuGroups(),
    ...(k6Group ? [{ name: 'k6', component: 'k6', group: k6Group }] : []),
  ];
  const runK6 = localPlateauRunner(k6Group?.procsFiles);
  const runPlateau: PlateauRunner = async (plateau) => {
    const before = readCpu(groups());
    const runnerBefore = process.cpuUsage();
    const result = await runK6(plateau);
    const runner = process.cpuUsage(runnerBefore);
    const split = cpuSplit(before, readCpu(groups()));
    split.byComponent[RUNNER_COMPONENT] = (runner.user + runner.system) / 1e6;
    return { ...result, cpu: split };
  };
  const scaleTarget = system.scaleTarget(service);
  return {
    name: 'local',
    description: `k6 -> nginx (least_conn, keep-alive) -> ${service} replicas (local processes, one cgroup each) -> FerretDB${system.prometheus ? '; Prometheus scraping every replica' : ''}`,
    url: system.serviceUrls[service]!,
    service,
    system,
    setReplicas: (replicas) => scaleTarget.scale(replicas),
    runPlateau,
    stop: async () => {
      await system.stop();
      k6Group?.remove();
    },
  };
}
