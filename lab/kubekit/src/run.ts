// Runs external programs (kubectl, helm, buildah, iptables, openssl...) for every part of the lab
// and its checks, one way: output captured, a timeout, and a CommandError that shows why it failed.
import { spawn } from 'node:child_process';

export interface RunResult {
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came: a failure's story, in order. */
  output: string;
  /** Exit code; -1 when killed (by the timeout, for example). */
  code: number;
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Written to the program's stdin; without it stdin is empty. */
  input?: string;
  /** Killed with SIGKILL after this long (default 60 s); 0 waits for ever (image builds). */
  timeoutMs?: number;
  /** Receives output as it comes (progress of long builds). */
  onOutput?: (chunk: string) => void;
}

/** Runs a program to completion; never throws for a non-zero exit (see `mustRun`). */
export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolveResult, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    let output = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      output += chunk;
      options.onOutput?.(chunk);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      output += chunk;
      options.onOutput?.(chunk);
    });
    child.on('error', reject);
    child.on('close', (code) => resolveResult({ stdout, stderr, output, code: code ?? -1 }));
    if (child.stdin) {
      // A program that exits without reading its input (tar -xOf, a dry run) closes the pipe
      // first: EPIPE is then no failure, its exit code and output still tell.
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
    // The last lines say what went wrong; the whole output can be megabytes of npm ci.
    super(
      `${command} failed (exit ${result.code}):\n${result.output.trim().split('\n').slice(-40).join('\n')}`,
    );
    this.name = 'CommandError';
  }
}

/** Runs a program and resolves with its stdout; throws a CommandError unless it exits 0. */
export async function mustRun(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new CommandError([command, ...args].join(' '), result);
  return result.stdout;
}
