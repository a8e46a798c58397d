import { join } from 'node:path';
import { cgroupSupport, createCgroup, uniqueGroupName } from './cgroup.js';
import type { Cgroup, CgroupReadback } from './cgroup.js';
import { makeTempDir, removeTempDir, spawnServer } from './processes.js';
import type { ServerProcess } from './processes.js';

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
  /** Keep this Node process alive while the process runs (see `SpawnOptions.ref`). Default false. */
  ref?: boolean;
}

export interface LimitedProcess {
  name: string;
  pid: number;
  logPath: string;
  /** True when the process runs inside a cgroup with the requested CPU limit. */
  limited: boolean;
  cgroup?: Cgroup;
  /** The limits as cgroupfs reports them now (empty when unlimited). */
  readBack(): CgroupReadback;
  exitStatus(): string | undefined;
  logTail(lines?: number): string;
  /** SIGTERM, SIGKILL after `graceMs`, then removes the cgroup and temporary folder. */
  stop(graceMs?: number): Promise<void>;
}

const warned = new Set<string>();

function defaultWarn(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`warning: ${message}\n`);
}

/**
 * Starts a process in its own process group and its own cgroup: limited to `cpuMillis` of CPU
 * (and `memoryBytes` of memory) like a pod with those limits, and its CPU time accounted
 * (`cgroup.cpuUsageNs()`), also when it has no limit. Where cgroups are not writable it warns
 * and runs the process unlimited. Every process and cgroup is cleaned up on stop, on exit and
 * on Ctrl-C.
 */
export function startLimitedProcess(options: LimitedProcessOptions): LimitedProcess {
  const name = uniqueGroupName(options.name ?? 'proc');
  const cgroup = createCgroup(name, { cpuMillis: options.cpuMillis, memoryBytes: options.memoryBytes });
  const support = cgroupSupport();
  const warn = options.warn ?? defaultWarn;
  if (options.cpuMillis !== undefined && !cgroup?.cpuLimited)
    warn(`running ${options.name ?? options.cmd} without a CPU limit: ${support.reasons.join('; ')}`);
  if (options.memoryBytes !== undefined && !cgroup?.memoryLimited)
    warn(`no memory limit: ${support.reasons.join('; ')}`);

  const tempDir = options.logPath ? undefined : makeTempDir(options.name ?? 'proc');
  const logPath = options.logPath ?? join(tempDir ?? '.', 'process.log');
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  let server: ServerProcess;
  try {
    server = spawnServer({
      name: options.name ?? options.cmd,
      command: options.cmd,
      args: options.args ?? [],
      env,
      cwd: options.cwd,
      logPath,
      joinCgroups: cgroup?.procsFiles,
      ref: options.ref,
    });
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
    limited: cgroup?.cpuLimited === true,
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
