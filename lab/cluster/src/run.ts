export { CommandError, mustRun, run } from '@laas/kubekit';
export type { RunOptions, RunResult } from '@laas/kubekit';

/** `nsenter --net=<netnsPath> -- command args`: only the network namespace changes (not mounts, unlike `ip netns exec`). */
export function inNetns(netnsPath: string, command: string, args: string[]): [string, string[]] {
  return ['nsenter', [`--net=${netnsPath}`, '--', command, ...args]];
}
