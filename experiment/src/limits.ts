import type { CgroupSupport } from '@laas/local';

/** Whether a run may report a scaling figure, decided before anything starts. */
export type LimitDecision =
  { run: true; unlimited: boolean; warning?: string } | { run: false; code: 'NoCpuLimit'; message: string };

export interface LimitInputs {
  target: 'local' | 'cluster' | 'minikube';
  /** What the cgroup probe found on this machine (only the local target depends on it). */
  support: Pick<CgroupSupport, 'version' | 'cpu'> & { reasons: readonly string[] };
  /** `--allow-unlimited`: measure anyway, the report marking its results as unlimited. */
  allowUnlimited: boolean;
}

/**
 * A scaling figure needs each replica held to its quota: "5 replicas of 100m" run as five
 * unlimited processes on a 2-core machine measure the machine (about 2 cores' worth at every
 * count above 2), not the replicas. So the local target refuses to run where no CPU limit can
 * be set, and says why and what to run instead; `--allow-unlimited` runs it anyway with the
 * report marked. The cluster and minikube targets leave the limit to the kubelet.
 */
export function decideLimits({ target, support, allowUnlimited }: LimitInputs): LimitDecision {
  if (target !== 'local' || support.cpu) return { run: true, unlimited: false };
  const why = support.reasons.join('; ') || `no cgroup controller (${support.version})`;
  if (allowUnlimited)
    return {
      run: true,
      unlimited: true,
      warning: `--allow-unlimited: replicas run without a CPU limit (${why}); the report marks every figure as unlimited`,
    };
  return {
    run: false,
    code: 'NoCpuLimit',
    message: [
      `refusing to report a scaling figure: the replicas cannot be CPU-limited here (${why}),`,
      'so N replicas would be N unlimited processes and the figures would measure this machine, not the replicas.',
      'Run instead one of:',
      '  sudo npm start                                       (root: cgroup v1 or v2)',
      '  systemd-run --user --scope -p Delegate=yes npm start (cgroup v2 with a user systemd that delegates cpu and memory)',
      '  npm run experiment -- --target cluster               (any Kubernetes context; the kubelet sets the limits)',
      '  npm run experiment -- --target minikube',
      'or add --allow-unlimited to measure anyway, with the report marked "unlimited".',
    ].join('\n'),
  };
}
