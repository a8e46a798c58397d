import {
  accessSync,
  constants,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * CPU and memory limits like a pod's, and CPU accounting, with cgroup v1 (the controllers mounted
 * at /sys/fs/cgroup/cpu, /sys/fs/cgroup/cpuacct and /sys/fs/cgroup/memory). A pod limit of `250m`
 * is a CFS quota of 25 000 us of CPU time per 100 000 us period: the process may run a quarter of
 * one core's time, spread however it likes, and is throttled for the rest of each period once it
 * has used it. A cpuacct group limits nothing: its `cpuacct.usage` counts the nanoseconds of CPU
 * its processes (and their children) used, which is how the experiment splits the machine's CPU
 * between k6, nginx, FerretDB, Prometheus and the replicas.
 *
 * Every group lives under `<controller>/laas/<name>`. Where a controller is missing or not
 * writable (no root, cgroup v2 only, a container), `cgroupSupport()` says why and callers run
 * the process unlimited (or unaccounted) with a warning.
 */
export const CGROUP_ROOT = process.env.LAAS_CGROUP_ROOT ?? '/sys/fs/cgroup';
export const CGROUP_PARENT = 'laas';
export const CFS_PERIOD_US = 100_000;

export interface CgroupSupport {
  cpu: boolean;
  memory: boolean;
  /** CPU accounting (cpuacct.usage). */
  cpuacct: boolean;
  /** Why a controller cannot be used (empty when both can). */
  reasons: string[];
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return existsSync(join(dir, 'cgroup.procs'));
  } catch {
    return false;
  }
}

let cachedSupport: CgroupSupport | undefined;

/** Which cgroup v1 controllers this process may create groups in. */
export function cgroupSupport(): CgroupSupport {
  if (cachedSupport) return cachedSupport;
  const reasons: string[] = [];
  const cpuDir = join(CGROUP_ROOT, 'cpu');
  const memoryDir = join(CGROUP_ROOT, 'memory');
  const cpu = writable(cpuDir) && existsSync(join(cpuDir, 'cpu.cfs_quota_us'));
  if (!cpu) reasons.push(`${cpuDir} is not a writable cgroup v1 cpu controller`);
  const memory = writable(memoryDir) && existsSync(join(memoryDir, 'memory.limit_in_bytes'));
  if (!memory) reasons.push(`${memoryDir} is not a writable cgroup v1 memory controller`);
  const cpuacctDir = join(CGROUP_ROOT, 'cpuacct');
  const cpuacct = writable(cpuacctDir) && existsSync(join(cpuacctDir, 'cpuacct.usage'));
  if (!cpuacct) reasons.push(`${cpuacctDir} is not a writable cgroup v1 cpuacct controller`);
  cachedSupport = { cpu, memory, cpuacct, reasons };
  return cachedSupport;
}

/** `250m` -> 250, `0.5` -> 500, `1` -> 1000 (Kubernetes CPU quantities). */
export function parseCpuMillis(quantity: string | number): number {
  if (typeof quantity === 'number') return Math.round(quantity * 1000);
  const text = quantity.trim();
  const millis = /^(\d+)m$/.exec(text);
  const value = millis ? Number(millis[1]) : Math.round(Number(text) * 1000);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`not a CPU quantity: "${quantity}" (use 250m or 0.25)`);
  return value;
}

/** `256Mi` -> bytes; plain numbers are bytes (Kubernetes memory quantities, binary suffixes). */
export function parseMemoryBytes(quantity: string | number): number {
  if (typeof quantity === 'number') return quantity;
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|K|M|G)?$/.exec(quantity.trim());
  if (!match) throw new Error(`not a memory quantity: "${quantity}" (use 256Mi)`);
  const scale: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, K: 1e3, M: 1e6, G: 1e9 };
  return Math.round(Number(match[1]) * (match[2] ? (scale[match[2]] ?? 1) : 1));
}

/** The CFS quota for a CPU limit: 250m -> 25 000 us per 100 000 us period. */
export function cfsQuotaUs(cpuMillis: number, periodUs = CFS_PERIOD_US): number {
  return Math.round((cpuMillis / 1000) * periodUs);
}

export interface CgroupLimits {
  /** CPU limit in millicores; undefined = unlimited. */
  cpuMillis?: number;
  /** Memory limit in bytes; undefined = unlimited. */
  memoryBytes?: number;
  /** Count the group's CPU time (cpuacct). Default true (a no-op where cpuacct is not writable). */
  account?: boolean;
}

/** The CFS throttling counters of a CPU-limited group (cpu.stat), cumulative since it was made. */
export interface CpuThrottling {
  /** Enforcement periods (100 ms each) in which the group had runnable work. */
  periods: number;
  /** Of those, the periods in which it used up its quota and was stopped. */
  throttledPeriods: number;
  throttledNs: number;
}

/** What a group was given, read back from cgroupfs (for tests and for the report). */
export interface CgroupReadback {
  cpuQuotaUs?: number;
  cpuPeriodUs?: number;
  memoryLimitBytes?: number;
  pids: number[];
}

export interface Cgroup {
  name: string;
  /** The `cgroup.procs` files a process joins (one per controller used). */
  procsFiles: string[];
  cpuDir?: string;
  memoryDir?: string;
  cpuacctDir?: string;
  readBack(): CgroupReadback;
  /** CPU time used by the group's processes so far, in ns (undefined without cpuacct). */
  cpuUsageNs(): number | undefined;
  /** The CFS counters (undefined without a CPU limit). */
  throttling(): CpuThrottling | undefined;
  /** Removes the group's folders (they must be empty of processes; retried briefly). */
  remove(): void;
}

const liveGroups = new Set<Cgroup>();
let exitHookInstalled = false;

function readNumber(path: string): number | undefined {
  try {
    return Number(readFileSync(path, 'utf8').trim());
  } catch {
    return undefined;
  }
}

function readPids(dir: string | undefined): number[] {
  if (!dir) return [];
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** rmdir a cgroup folder, waiting (synchronously, up to `waitMs`) for killed processes to leave it. */
function removeGroupDir(dir: string, waitMs = 2_000): void {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      rmdirSync(dir);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() > deadline) return;
      // Processes killed a moment ago take a few ms to leave: spin briefly (this also runs in an exit hook).
      const until = Date.now() + 20;
      while (Date.now() < until) {
        /* wait */
      }
    }
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // The test bed's process helpers SIGKILL our process groups on exit; this hook runs after
  // theirs (registered later) and removes the then-empty groups.
  process.on('exit', () => {
    for (const group of liveGroups) group.remove();
  });
}

/**
 * Removes empty groups left under `laas/` by an earlier run that was killed with SIGKILL
 * (no exit hook ran). Groups that still hold processes, or whose creator is alive, are left alone.
 */
export function sweepStaleCgroups(): number {
  let removed = 0;
  for (const controller of ['cpu', 'memory', 'cpuacct']) {
    const parent = join(CGROUP_ROOT, controller, CGROUP_PARENT);
    let entries: string[];
    try {
      entries = readdirSync(parent, { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => entry.name);
    } catch {
      continue;
    }
    for (const name of entries) {
      const dir = join(parent, name);
      // Names end in -<pid of the creator>-<n>: a live creator may be about to move a process in.
      const creator = /-(\d+)-\d+$/.exec(name)?.[1];
      if (creator !== undefined && existsSync(`/proc/${creator}`)) continue;
      if (readPids(dir).length === 0) {
        removeGroupDir(dir, 0);
        if (!existsSync(dir)) removed++;
      }
    }
  }
  return removed;
}

function readThrottling(cpuDir: string): CpuThrottling | undefined {
  try {
    const fields = new Map(
      readFileSync(join(cpuDir, 'cpu.stat'), 'utf8')
        .split('\n')
        .map((line) => line.split(' ') as [string, string])
        .map(([key, value]) => [key, Number(value)]),
    );
    return {
      periods: fields.get('nr_periods') ?? 0,
      throttledPeriods: fields.get('nr_throttled') ?? 0,
      throttledNs: fields.get('throttled_time') ?? 0,
    };
  } catch {
    return undefined;
  }
}

/**
 * Creates `laas/<name>` in the cpu (and memory) controller with the limits and in cpuacct, or
 * returns undefined when no controller can be used. Throws if a controller is writable but a
 * write fails.
 */
export function createCgroup(name: string, limits: CgroupLimits): Cgroup | undefined {
  const support = cgroupSupport();
  const wantCpu = limits.cpuMillis !== undefined && support.cpu;
  const wantMemory = limits.memoryBytes !== undefined && support.memory;
  const wantAccounting = (limits.account ?? true) && support.cpuacct;
  if (!wantCpu && !wantMemory && !wantAccounting) return undefined;
  installExitHook();

  const procsFiles: string[] = [];
  let cpuDir: string | undefined;
  let memoryDir: string | undefined;
  let cpuacctDir: string | undefined;
  if (wantCpu && limits.cpuMillis !== undefined) {
    cpuDir = join(CGROUP_ROOT, 'cpu', CGROUP_PARENT, name);
    mkdirSync(cpuDir, { recursive: true });
    writeFileSync(join(cpuDir, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
    writeFileSync(join(cpuDir, 'cpu.cfs_quota_us'), String(cfsQuotaUs(limits.cpuMillis)));
    procsFiles.push(join(cpuDir, 'cgroup.procs'));
  }
  if (wantMemory && limits.memoryBytes !== undefined) {
    memoryDir = join(CGROUP_ROOT, 'memory', CGROUP_PARENT, name);
    mkdirSync(memoryDir, { recursive: true });
    writeFileSync(join(memoryDir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    procsFiles.push(join(memoryDir, 'cgroup.procs'));
  }
  if (wantAccounting) {
    cpuacctDir = join(CGROUP_ROOT, 'cpuacct', CGROUP_PARENT, name);
    mkdirSync(cpuacctDir, { recursive: true });
    procsFiles.push(join(cpuacctDir, 'cgroup.procs'));
  }
  const group: Cgroup = {
    name,
    procsFiles,
    cpuDir,
    memoryDir,
    cpuacctDir,
    cpuUsageNs: () => (cpuacctDir ? readNumber(join(cpuacctDir, 'cpuacct.usage')) : undefined),
    throttling: () => (cpuDir ? readThrottling(cpuDir) : undefined),
    readBack: () => ({
      cpuQuotaUs: cpuDir ? readNumber(join(cpuDir, 'cpu.cfs_quota_us')) : undefined,
      cpuPeriodUs: cpuDir ? readNumber(join(cpuDir, 'cpu.cfs_period_us')) : undefined,
      memoryLimitBytes: memoryDir ? readNumber(join(memoryDir, 'memory.limit_in_bytes')) : undefined,
      pids: [...new Set([...readPids(cpuDir), ...readPids(memoryDir), ...readPids(cpuacctDir)])],
    }),
    remove: () => {
      if (cpuDir) removeGroupDir(cpuDir);
      if (memoryDir) removeGroupDir(memoryDir);
      if (cpuacctDir) removeGroupDir(cpuacctDir);
      liveGroups.delete(group);
    },
  };
  liveGroups.add(group);
  return group;
}

let groupSequence = 0;

/**
 * A group name unique on this machine: `<name>-<pid of this process>-<n>`. The pid lets
 * `sweepStaleCgroups` tell a live creator's groups from a killed one's.
 */
export function uniqueGroupName(name: string): string {
  return `${name}-${process.pid}-${++groupSequence}`;
}

/** A group that only counts CPU time (no limit), or undefined where cpuacct is not writable. */
export function createAccountingGroup(name: string): Cgroup | undefined {
  return createCgroup(uniqueGroupName(name), { account: true });
}

/** The cgroup v1 paths (controller -> path) a process is in, from /proc/<pid>/cgroup. */
export function cgroupsOfPid(pid: number): Record<string, string> {
  const result: Record<string, string> = {};
  try {
    for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n')) {
      const [, controllers, path] = line.split(':');
      if (!controllers || path === undefined) continue;
      for (const controller of controllers.split(',')) result[controller] = path;
    }
  } catch {
    // the process is gone
  }
  return result;
}
