// Runs the external programs the delivery checks need: helm (pinned, tools/bin), shellcheck,
// actionlint, bash. Never throws for a non-zero exit: callers assert on code and output.
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repoRoot, run as runProgram } from '@laas/kubekit';
import type { RunOptions, RunResult } from '@laas/kubekit';
import { toolPath } from '@laas/testbed';

export { repoRoot };
export type { RunResult };
export const chartDir = join(repoRoot, 'charts', 'laas');

/** A program run from the repository root, with time for a chart render (2 minutes). */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return runProgram(command, args, { cwd: repoRoot, timeoutMs: 120_000, ...options });
}

/**
 * The pinned helm of tools/bin (`npm run tools`). HELM may point elsewhere for a local run
 * before the tools are built; CI always uses the pinned one.
 */
export function helmPath(): string {
  return process.env['HELM'] ?? toolPath('helm');
}

export function actionlintPath(): string {
  return toolPath('actionlint');
}

/** A program on PATH (or /usr/bin), or a clear error naming the fix. */
export function programPath(name: string, hint: string): string {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), '/usr/bin', '/usr/local/bin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} is not installed: ${hint}`);
}

export function helm(
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return run(helmPath(), args, options);
}
