import { join } from 'node:path';
import { makeTempDir, removeTempDir, spawnServer } from '@laas/testbed';
import type { ServerProcess } from '@laas/testbed';
import { cgroupSupport, createCgroup } from './cgroup.js';
import type { Cgroup, CgroupReadback } from './cgroup.js';

export interface LimitedProcessOptions {
  /** Short name, also the cgroup's name under `laas/` (made unique with the pid of this process). */
  name?: string;
  cmd: string;
  args?: string[];
  /** Environment of the process (merged over this process's environment). */
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** CPU limit in millicores (250 = a pod's `250m`); undefined = unlimited. */
  cpuMillis?: number;
  /** Memory limit in bytes; undefined = unlimited. */
  memoryBytes?: number;
  /** stdout+stderr go here; default a file in a temporary folder removed on stop. */
  logPath?: string;
  /** Called once when cgroups are not usable and the process runs unlimited. Default: a warning on stderr. */
  warn?: (message: string) => void;
}

export interface LimitedProcess {
  name: string;
  pid: number;
  logPath: string;
  /** True when the process runs inside a cgroup with the requested limits. */
  limited: boolean;
  cgroup?: Cgroup;
  /** The limits as cgroupfs reports them now (empty when unlimited). */
  readBack(): CgroupReadback;
  exitStatus(): string | undefined;
  logTail(lines?: number): string;
  /** SIGTERM, SIGKILL after `graceMs`, then removes the cgroup and temporary folder. */
  stop(graceMs?: number): Promise<void>;
}

let sequence = 0;
const warned = new Set<string>();

function defaultWarn(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`warning: ${message}\n`);
}

/**
 * The shell that joins the cgroups and then becomes the command (`exec`), so the process is
 * limited from its first instruction and its pid is the one we spawned.
 */
const JOIN_AND_EXEC =
  'IFS=:; for f in $LAAS_CGROUP_JOIN; do echo $$ > "$f" || exit 70; done; unset LAAS_CGROUP_JOIN IFS; exec "$@"';

/**
 * Starts a process in its own process group, limited to `cpuMillis` of CPU (and `memoryBytes`
 * of memory) like a pod with those limits. Where cgroups are not writable it warns and runs the
 * process unlimited. Every process and cgroup is cleaned up on stop, on exit and on Ctrl-C.
 */
export function startLimitedProcess(options: LimitedProcessOptions): LimitedProcess {
  const name = `${options.name ?? 'proc'}-${process.pid}-${++sequence}`;
  const wantLimits = options.cpuMillis !== undefined || options.memoryBytes !== undefined;
  const cgroup = wantLimits
    ? createCgroup(name, { cpuMillis: options.cpuMillis, memoryBytes: options.memoryBytes })
    : undefined;
  if (wantLimits) {
    const support = cgroupSupport();
    const warn = options.warn ?? defaultWarn;
    if (!cgroup)
      warn(`running ${options.name ?? options.cmd} without CPU/memory limits: ${support.reasons.join('; ')}`);
    else if (options.memoryBytes !== undefined && !support.memory)
      warn(`no memory limit: ${support.reasons.join('; ')}`);
  }

  const tempDir = options.logPath ? undefined : makeTempDir(options.name ?? 'proc');
  const logPath = options.logPath ?? join(tempDir ?? '.', 'process.log');
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  let server: ServerProcess;
  try {
    if (cgroup) {
      env.LAAS_CGROUP_JOIN = cgroup.procsFiles.join(':');
      server = spawnServer({
        name: options.name ?? options.cmd,
        command: '/bin/sh',
        args: ['-c', JOIN_AND_EXEC, 'sh', options.cmd, ...(options.args ?? [])],
        env,
        cwd: options.cwd,
        logPath,
      });
    } else {
      server = spawnServer({
        name: options.name ?? options.cmd,
        command: options.cmd,
        args: options.args ?? [],
        env,
        cwd: options.cwd,
        logPath,
      });
    }
  } catch (error) {
    cgroup?.remove();
    if (tempDir) removeTempDir(tempDir);
    throw error;
  }

  let stopped: Promise<void> | undefined;
  return {
    name: options.name ?? options.cmd,
    pid: server.pid,
    logPath,
    limited: cgroup !== undefined,
    cgroup,
    readBack: () => cgroup?.readBack() ?? { pids: [] },
    exitStatus: () => server.exitStatus(),
    logTail: (lines) => server.logTail(lines),
    stop: (graceMs = 10_000) => {
      stopped ??= (async () => {
        await server.stop(graceMs);
        cgroup?.remove();
        if (tempDir) removeTempDir(tempDir);
      })();
      return stopped;
    },
  };
}
