// Runs the external programs the delivery checks need: helm (pinned, tools/bin), shellcheck,
// actionlint, bash. Never throws for a non-zero exit: callers assert on code and output.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toolPath } from '@laas/testbed';

/** The repository root (this file is charts/delivery/src/tools.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const chartDir = join(repoRoot, 'charts', 'laas');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? -1, stdout, stderr }));
    // A program that exits without reading its input (a dry run that plans and stops) closes the
    // pipe first: EPIPE on our end is then no failure, its exit code and output still tell.
    child.stdin.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') reject(e);
    });
    child.stdin.end(options.input ?? '');
  });
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
