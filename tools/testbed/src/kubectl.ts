import { spawn } from 'node:child_process';
import { systemToolPath } from '@laas/local';

export interface CommandResult {
  stdout: string;
  stderr: string;
  /** Exit code; -1 when killed by a signal. */
  code: number;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  timeoutMs?: number;
}

/** Runs `kubectl --kubeconfig <kubeconfigPath> ...args`; never throws for a non-zero exit. */
export function runKubectl(
  kubeconfigPath: string,
  args: string[],
  options: KubectlOptions = {},
): Promise<CommandResult> {
  const kubectl = systemToolPath('kubectl');
  return new Promise((resolveResult, reject) => {
    const child = spawn(kubectl, ['--kubeconfig', kubeconfigPath, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 30_000,
      env: { ...process.env, KUBECONFIG: kubeconfigPath },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolveResult({ stdout, stderr, code: code ?? -1 }));
    child.stdin.end(options.input ?? '');
  });
}
