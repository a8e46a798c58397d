import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CGROUP_MOUNT } from './host/cgroups.js';
import type { ClusterLayout } from './layout.js';
import { repoRoot } from './tools.js';
import { readSupervisorStatus, unitFile, writeAtomically } from './supervisor/units.js';
import type { UnitSpec } from './supervisor/units.js';

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
}

/**
 * Starts the node's supervisor (supervisor/main.ts), detached from the launcher (the CLI's `up`
 * exits and leaves the cluster running):
 *   - in the cluster's cgroup `/laas-lab-<n>/system` of the freezer and pids hierarchies, joined
 *     by a tiny shell before it execs, so the supervisor, every daemon it starts and every child
 *     they ever fork (containerd's shims, runc) are found and killed by `down`, even after a crash;
 *   - in the node's network namespace (nsenter --net only; mounts stay shared with the host, so
 *     containerd sees the kubelet's volume mounts). Its daemons inherit both.
 * Resolves once the supervisor has written its first status.
 */
export async function startSupervisor(
  layout: ClusterLayout,
  logsDir: string,
  unitsDir: string,
  timeoutMs = 30_000,
): Promise<Daemon> {
  mkdirSync(unitsDir, { recursive: true });
  const logPath = join(logsDir, 'supervisor.log');
  const procsFiles = ['freezer', 'pids']
    .map((h) => join(CGROUP_MOUNT, h, layout.daemonCgroup, 'cgroup.procs'))
    .filter((file) => existsSync(file));
  // $0 is the netns path, $@ the command: no quoting of arguments through the shell.
  const script = `${procsFiles.map((f) => `echo $$ > '${f}'`).join(' && ')} && exec nsenter "--net=$0" -- "$@"`;
  // The compiled file, also when this module runs from its TypeScript source (jest).
  const main = join(repoRoot, 'lab', 'cluster', 'dist', 'supervisor', 'main.js');
  const log = openSync(logPath, 'a');
  let pid: number;
  try {
    const child = spawn('sh', ['-c', script, layout.netnsPath, process.execPath, main, unitsDir], {
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error('supervisor: could not start');
    child.on('error', () => undefined);
    child.unref();
    pid = child.pid;
  } finally {
    closeSync(log);
  }
  const daemon = { name: 'supervisor', pid, logPath };
  await waitFor(
    daemon,
    'its first status',
    timeoutMs,
    () => readSupervisorStatus(unitsDir)?.supervisorPid === pid,
  );
  return daemon;
}

/**
 * Hands a daemon to the supervisor, which starts it now and again whenever it exits (see
 * supervisor/policy.ts); stdout and stderr go to logs/<name>.log. Resolves with its first pid.
 */
export async function startDaemon(
  unitsDir: string,
  logsDir: string,
  spec: DaemonSpec,
  timeoutMs = 30_000,
): Promise<Daemon> {
  const logPath = join(logsDir, `${spec.name}.log`);
  const unit: UnitSpec = { name: spec.name, command: spec.command, args: spec.args, logPath };
  writeAtomically(unitFile(unitsDir, spec.name), `${JSON.stringify(unit, null, 2)}\n`);
  let pid = -1;
  const supervisor = readSupervisorStatus(unitsDir)?.supervisorPid ?? -1;
  await waitFor({ name: 'supervisor', pid: supervisor, logPath }, `to start ${spec.name}`, timeoutMs, () => {
    pid = readSupervisorStatus(unitsDir)?.units[spec.name]?.pid ?? -1;
    return pid > 0;
  });
  return { name: spec.name, pid, logPath };
}

async function waitFor(daemon: Daemon, what: string, timeoutMs: number, done: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (!isRunning(daemon.pid))
      throw new Error(`${daemon.name} exited while waiting for ${what}: see ${daemon.logPath}`);
    if (Date.now() > deadline)
      throw new Error(`${daemon.name}: waited ${timeoutMs} ms for ${what}: see ${daemon.logPath}`);
    await sleep(50);
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
