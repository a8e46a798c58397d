// The programs the image builder runs (buildah, tar, go, ctr) take as long as a build takes: no
// timeout here, and a failure throws a CommandError with the program's last output lines.
import { mustRun } from '@laas/kubekit';
import type { RunOptions } from '@laas/kubekit';

export { CommandError } from '@laas/kubekit';
export type { RunOptions } from '@laas/kubekit';

/** Runs `program args`, resolves with stdout; rejects with a CommandError on a non-zero exit. */
export function run(program: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return mustRun(program, args, { timeoutMs: 0, ...options });
}
