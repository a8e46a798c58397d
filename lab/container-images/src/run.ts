// Runs one external command (buildah, bash, go, ctr) and fails with everything needed to see why.
import { spawn } from 'node:child_process';

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly output: string,
  ) {
    // The last lines say what went wrong; the whole output can be megabytes of npm ci.
    super(`${command} failed (exit ${code}):\n${output.split('\n').slice(-40).join('\n')}`);
    this.name = 'CommandError';
  }
}

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string;
  /** Receives output as it comes (progress of long builds). */
  onOutput?: (chunk: string) => void;
}

/** Runs `program args`, resolves with stdout; rejects with CommandError on a non-zero exit. */
export function run(program: string, args: readonly string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      // stdin only when there is input: a program that exits without reading it (tar -xOf)
      // would otherwise fail our write with EPIPE.
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let all = '';
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      all += d.toString();
      options.onOutput?.(d.toString());
    });
    child.stderr!.on('data', (d: Buffer) => {
      all += d.toString();
      options.onOutput?.(d.toString());
    });
    child.on('error', (err) => reject(new CommandError(`${program} ${args.join(' ')}`, null, String(err))));
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new CommandError(`${program} ${args.join(' ')}`, code, all));
    });
    if (child.stdin) {
      child.stdin.on('error', () => undefined);
      child.stdin.end(options.input);
    }
  });
}
