import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CGROUP_MOUNT } from './host/cgroups.js';
import type { ClusterLayout } from './layout.js';

export interface Daemon {
  name: string;
  pid: number;
  logPath: string;
}

export interface DaemonSpec {
  /** Component name, used in messages and as the log file name ("kubelet" -> logs/kubelet.log). */
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * Starts a long-running component of the node, detached from the launcher (the CLI's `up` exits
 * and leaves the cluster running):
 *   - in the cluster's cgroup `/laas-lab-<n>/system` of the freezer and pids hierarchies, joined
 *     by a tiny shell before it execs, so the component and every child it ever forks
 *     (containerd's shims, runc) are found and killed by `down`, even after a crash;
 *   - in the node's network namespace (nsenter --net only; mounts stay shared with the host, so
 *     containerd sees the kubelet's volume mounts).
 * stdout and stderr go to logs/<name>.log.
 */
export function startDaemon(layout: ClusterLayout, logsDir: string, spec: DaemonSpec): Daemon {
  const logPath = join(logsDir, `${spec.name}.log`);
  const procsFiles = ['freezer', 'pids']
    .map((h) => join(CGROUP_MOUNT, h, layout.daemonCgroup, 'cgroup.procs'))
    .filter((file) => existsSync(file));
  // $0 is the netns path, $@ the command: no quoting of arguments through the shell.
  const script = `${procsFiles.map((f) => `echo $$ > '${f}'`).join(' && ')} && exec nsenter "--net=$0" -- "$@"`;
  const log = openSync(logPath, 'a');
  try {
    const child = spawn('sh', ['-c', script, layout.netnsPath, spec.command, ...spec.args], {
      detached: true,
      stdio: ['ignore', log, log],
      env: spec.env ?? process.env,
    });
    if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
    child.on('error', () => undefined);
    child.unref();
    return { name: spec.name, pid: child.pid, logPath };
  } finally {
    closeSync(log);
  }
}

/** True while the process exists and is not a zombie. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The last `lines` lines of a log file, for error messages. */
export function logTail(logPath: string, lines = 25): string {
  try {
    return readFileSync(logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
