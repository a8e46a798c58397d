import { fork, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from './wait.js';

/**
 * Every server runs in its own process group (detached), with its output in a log file.
 * Groups and temporary folders still alive are cleaned up:
 *  - by `stop()` (the normal path);
 *  - on exit of this Node process, and on SIGINT and SIGTERM when nothing else handles them
 *    (an interrupted test run);
 *  - by a watchdog process if this one dies without running handlers (SIGKILL, crash):
 *    the watchdog holds an IPC channel to us and kills what is left when it disconnects.
 * Set LAAS_TESTBED_KEEP=1 to keep the folders (logs, data) for a post-mortem.
 */
const liveGroups = new Set<number>();
const liveDirs = new Set<string>();
const keepDirs = process.env.LAAS_TESTBED_KEEP === '1';

let watchdog: ChildProcess | undefined;
let handlersInstalled = false;

const WATCHDOG_SOURCE = `
const groups = new Set();
const dirs = new Set();
process.on('message', (m) => {
  if (m.addGroup) groups.add(m.addGroup);
  if (m.removeGroup) groups.delete(m.removeGroup);
  if (m.addDir) dirs.add(m.addDir);
  if (m.removeDir) dirs.delete(m.removeDir);
});
process.on('disconnect', () => {
  for (const g of groups) { try { process.kill(-g, 'SIGKILL'); } catch {} }
  const fs = require('node:fs');
  for (const d of dirs) { try { fs.rmSync(d, { recursive: true, force: true }); } catch {} }
  process.exit(0);
});
`;

function tellWatchdog(message: Record<string, number | string>): void {
  if (watchdog?.connected) watchdog.send(message, () => undefined);
}

function killGroupsNow(): void {
  for (const group of liveGroups) {
    try {
      process.kill(-group, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveGroups.clear();
  if (!keepDirs) for (const dir of liveDirs) rmSync(dir, { recursive: true, force: true });
  liveDirs.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  // A program that handles the signal itself (`npm run local` drains its replicas on Ctrl-C)
  // stops its servers its own way; the exit hook and the watchdog still catch what it leaves.
  if (process.listenerCount(signal) > 1) return;
  killGroupsNow();
  process.removeListener(signal, onSignal);
  // Let the default action run as if we were not here.
  process.kill(process.pid, signal);
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killGroupsNow);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // fork() with an inline script: node -e, an IPC channel, and no stdio tied to ours.
  watchdog = fork('-e', [WATCHDOG_SOURCE], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    execArgv: [],
  });
  watchdog.on('error', () => undefined);
  watchdog.unref();
  watchdog.channel?.unref();
}

/** A fresh temporary folder, removed by `removeTempDir` or when this process ends. */
export function makeTempDir(prefix: string): string {
  installHandlers();
  const dir = mkdtempSync(join(tmpdir(), `laas-${prefix}-`));
  liveDirs.add(dir);
  tellWatchdog({ addDir: dir });
  return dir;
}

export function removeTempDir(dir: string): void {
  liveDirs.delete(dir);
  tellWatchdog({ removeDir: dir });
  if (!keepDirs) rmSync(dir, { recursive: true, force: true });
}

export interface SpawnOptions {
  /** Short name for messages ("etcd"). */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr go here. */
  logPath: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * `cgroup.procs` files the process joins before its first instruction (see `JOIN_AND_EXEC`),
   * so every CPU second it and its children spend is counted (and limited) from the start.
   */
  joinCgroups?: string[];
  /**
   * Keep this Node process alive while the server runs, as a supervisor like `npm run local`
   * wants. Default false: servers a test or a benchmark starts must not hold its event loop
   * open; they are stopped by `stop()` or by the exit hooks.
   */
  ref?: boolean;
}

/**
 * The shell that joins the cgroups and then becomes the command (`exec`), so the process is in
 * its groups from its first instruction and its pid is the one we spawned.
 */
const JOIN_AND_EXEC =
  'IFS=:; for f in $LAAS_CGROUP_JOIN; do echo $$ > "$f" || exit 70; done; unset LAAS_CGROUP_JOIN IFS; exec "$@"';

/** `command args` wrapped to run inside the cgroups whose `cgroup.procs` files are given (as is when none). */
export function commandInCgroups(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  joinCgroups: string[] = [],
): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (joinCgroups.length === 0) return { command, args, env };
  return {
    command: '/bin/sh',
    args: ['-c', JOIN_AND_EXEC, 'sh', command, ...args],
    env: { ...env, LAAS_CGROUP_JOIN: joinCgroups.join(':') },
  };
}

/** How a server started by one of the start helpers (FerretDB, Prometheus, nginx) is supervised. */
export type Supervision = Pick<SpawnOptions, 'joinCgroups' | 'ref'>;

export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  readonly logPath: string;
  /** Undefined while running; "exited with code 1" / "killed by SIGKILL" after. */
  exitStatus(): string | undefined;
  /** The last lines of the log file. */
  logTail(lines?: number): string;
  /** SIGTERM to the whole process group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnServer(options: SpawnOptions): ServerProcess {
  installHandlers();
  const log = openSync(options.logPath, 'a');
  const { command, args, env } = commandInCgroups(
    options.command,
    options.args,
    options.env ?? process.env,
    options.joinCgroups,
  );
  let child: ChildProcess;
  try {
    child = spawn(command, args, { cwd: options.cwd, env, detached: true, stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  let status: string | undefined;
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      status = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolveExit();
    });
    child.once('error', (error) => {
      status = `failed to start: ${error.message}`;
      resolveExit();
    });
  });
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`${options.name}: could not start ${options.command}`);
  }
  if (!options.ref) child.unref();
  liveGroups.add(pid);
  tellWatchdog({ addGroup: pid });

  const signalGroup = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone
    }
  };

  return {
    name: options.name,
    pid,
    logPath: options.logPath,
    exitStatus: () => status,
    logTail: (lines = 40) => {
      try {
        return readFileSync(options.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '(no log)';
      }
    },
    stop: async (graceMs = 10_000) => {
      if (status === undefined) {
        signalGroup('SIGTERM');
        // Cancel the grace timer once the process is gone, or it keeps the event loop (and jest) alive.
        const grace = new AbortController();
        await Promise.race([
          exited,
          sleep(graceMs, undefined, { signal: grace.signal }).catch(() => undefined),
        ]);
        grace.abort();
        if (status === undefined) signalGroup('SIGKILL');
        await exited;
      }
      // Children of the server (nginx workers) may outlive its main process.
      signalGroup('SIGKILL');
      liveGroups.delete(pid);
      tellWatchdog({ removeGroup: pid });
    },
  };
}

/**
 * Waits until `check` passes, failing early if the process exits.
 * The error names the server and quotes the tail of its log.
 */
export async function waitUntilReady(
  server: ServerProcess,
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  try {
    await waitFor(check, {
      what,
      timeoutMs,
      abortIf: () => {
        const status = server.exitStatus();
        return status === undefined ? undefined : `${server.name} ${status}`;
      },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ServerStartError(
      `${server.name} did not become ready: ${message}\n--- last lines of ${server.logPath} ---\n${server.logTail()}`,
      server.logTail(),
    );
  }
}

export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly logTail: string,
  ) {
    super(message);
    this.name = 'ServerStartError';
  }

  /** True when the server lost the race for its port (worth another try on a new port). */
  get portTaken(): boolean {
    return /address already in use|bind: address|EADDRINUSE/i.test(this.logTail);
  }
}

/**
 * Runs `attempt` up to `tries` times while it fails because its port was taken between
 * `freePort()` and the server's bind.
 */
export async function retryOnPortClash<T>(attempt: () => Promise<T>, tries = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ServerStartError && error.portTaken) || i >= tries) throw error;
    }
  }
}
