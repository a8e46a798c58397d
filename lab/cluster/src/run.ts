import { spawn } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
  /** Exit code; -1 when killed (e.g. by the timeout). */
  code: number;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Runs a command to completion; never throws for a non-zero exit (see `mustRun`). */
export function run(command: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(command, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
      killSignal: 'SIGKILL',
      env: options.env ?? process.env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolveResult({ stdout, stderr, code: code ?? -1 }));
    if (child.stdin) {
      // A command that exits without reading its input must not crash us with EPIPE.
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    super(
      `${command} failed (exit ${result.code}): ${(result.stderr || result.stdout).trim().slice(0, 2000)}`,
    );
    this.name = 'CommandError';
  }
}

/** Runs a command and throws a CommandError unless it exits 0. */
export async function mustRun(command: string, args: string[], options: RunOptions = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new CommandError([command, ...args].join(' '), result);
  return result.stdout;
}

/** `nsenter --net=<netnsPath> -- command args`: only the network namespace changes (not mounts, unlike `ip netns exec`). */
export function inNetns(netnsPath: string, command: string, args: string[]): [string, string[]] {
  return ['nsenter', [`--net=${netnsPath}`, '--', command, ...args]];
}
