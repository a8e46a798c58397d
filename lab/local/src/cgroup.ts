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
 * CPU and memory limits like a pod's, and CPU accounting, behind one interface with two back
 * ends, chosen by what is mounted (`/proc/self/mountinfo`):
 *
 * - **cgroup v1** (controllers mounted apart, e.g. /sys/fs/cgroup/cpu): a group is one folder per
 *   controller, `<controller>/laas/<name>`. A pod limit of `250m` is a CFS quota of 25 000 us per
 *   100 000 us period (`cpu.cfs_quota_us`); `memory.limit_in_bytes`; `cpuacct.usage` counts the
 *   group's CPU nanoseconds; `cpu.stat` nr_periods/nr_throttled/throttled_time its throttling.
 * - **cgroup v2** (one unified hierarchy): a group is one folder, `<base>/laas/<name>`, with
 *   `cpu.max` = "25000 100000" for 250m, `memory.max`, and `cpu.stat` usage_usec,
 *   nr_periods/nr_throttled/throttled_usec. The controllers reach a folder only where its parent
 *   lists them in `cgroup.subtree_control`, and a folder that does that may hold no process ("no
 *   internal processes"): so `<base>` and `<base>/laas` enable `+cpu +memory`, the groups are
 *   leaves, and where `<base>` holds processes (the runner itself, in a delegated unit) they are
 *   first moved to the leaf `<base>/laas-runner`. `<base>` is the hierarchy's root for root, and
 *   for anyone else their own cgroup when systemd delegated it to them (`systemd-run --user
 *   --scope -p Delegate=yes`): there the same limits hold without root.
 *
 * Where nothing is writable (no root and no delegation, a container without cgroup access, not
 * Linux), `cgroupSupport()` says why and callers run the process unlimited (or unaccounted) with
 * a warning; the experiment refuses to report a scaling figure from such a run.
 *
 * LAAS_CGROUP_ROOT replaces the mount point (v1: its controller folders; v2: the hierarchy).
 */
export const CGROUP_ROOT = process.env.LAAS_CGROUP_ROOT ?? '/sys/fs/cgroup';
export const CGROUP_PARENT = 'laas';
/** The v2 leaf the processes of a delegated `<base>` move to, so that `<base>` may enable controllers. */
export const RUNNER_LEAF = 'laas-runner';
export const CFS_PERIOD_US = 100_000;

export type CgroupVersion = 'v1' | 'v2';

export interface CgroupSupport {
  /** The back end in use; 'none' where no cgroup hierarchy is usable at all. */
  version: CgroupVersion | 'none';
  cpu: boolean;
  memory: boolean;
  /** CPU accounting (v1 cpuacct.usage, v2 cpu.stat usage_usec). */
  cpuacct: boolean;
  /** v2: the folder whose `laas/` holds the groups (the root, or the user's delegated cgroup). */
  base?: string;
  /** Why a controller cannot be used (empty when all can). */
  reasons: string[];
}

/** One line of /proc/self/mountinfo, the parts that matter here. */
export interface MountEntry {
  mountPoint: string;
  /** The path inside the file system mounted there (`/` unless a cgroup namespace or bind mount). */
  root: string;
  fsType: string;
  superOptions: string[];
}

/**
 * Parses /proc/self/mountinfo: `36 25 0:30 / /sys/fs/cgroup/cpu rw,relatime shared:9 - cgroup
 * cgroup rw,cpu` -> { mountPoint '/sys/fs/cgroup/cpu', root '/', fsType 'cgroup', superOptions
 * ['rw', 'cpu'] }. Optional fields end at the lone '-'; octal escapes (\040 = space) are decoded.
 */
export function parseMountinfo(text: string): MountEntry[] {
  const unescape = (field: string): string =>
    field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  const entries: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const fields = line.trim().split(' ');
    const dash = fields.indexOf('-');
    if (dash < 6 || fields.length < dash + 4) continue;
    entries.push({
      root: unescape(fields[3]!),
      mountPoint: unescape(fields[4]!),
      fsType: fields[dash + 1]!,
      superOptions: fields[dash + 3]!.split(','),
    });
  }
  return entries;
}

/**
 * Parses /proc/self/cgroup: `4:memory:/a` `1:cpu,cpuacct:/` `0::/user.slice/x.scope` ->
 * { memory: '/a', cpu: '/', cpuacct: '/', '': '/user.slice/x.scope' } (v2's line has no controller:
 * its key is '').
 */
export function parseProcCgroup(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\d+:([^:]*):(.*)$/.exec(line.trim());
    if (!match) continue;
    for (const controller of match[1]!.split(',')) result[controller] = match[2]!;
  }
  return result;
}

/** Where each back end's folders are, as chosen from the mount table. */
export type CgroupLayout =
  | { version: 'v1'; dirs: Record<'cpu' | 'memory' | 'cpuacct', string> }
  | { version: 'v2'; mount: string; self: string }
  | { version: 'none'; reason: string };

const V1_CONTROLLERS = ['cpu', 'memory', 'cpuacct'] as const;

/**
 * Chooses the back end from /proc/self/mountinfo and /proc/self/cgroup. v1 wins where its cpu
 * controller is mounted (a hybrid host also mounts an empty cgroup2 at /sys/fs/cgroup/unified,
 * which holds no controller then); else the cgroup2 mount, with this process's own cgroup (the
 * `0::` line). `rootOverride` (LAAS_CGROUP_ROOT) replaces the mount points.
 */
export function chooseCgroupBackend(
  mountinfo: string,
  procCgroup: string,
  rootOverride?: string,
): CgroupLayout {
  const mounts = parseMountinfo(mountinfo);
  const v1 = (controller: string): MountEntry | undefined =>
    mounts.find((m) => m.fsType === 'cgroup' && m.superOptions.includes(controller));
  if (v1('cpu')) {
    const dirs = Object.fromEntries(
      V1_CONTROLLERS.map((c) => [
        c,
        rootOverride ? `${rootOverride}/${c}` : (v1(c)?.mountPoint ?? `${CGROUP_ROOT}/${c}`),
      ]),
    ) as Record<'cpu' | 'memory' | 'cpuacct', string>;
    return { version: 'v1', dirs };
  }
  const unified = mounts.find((m) => m.fsType === 'cgroup2');
  const self = parseProcCgroup(procCgroup)[''];
  if (unified && self !== undefined) {
    // Inside a cgroup namespace the mount's root is where /proc/self/cgroup's paths start.
    const relative =
      unified.root !== '/' && self.startsWith(unified.root) ? self.slice(unified.root.length) || '/' : self;
    return { version: 'v2', mount: rootOverride ?? unified.mountPoint, self: relative };
  }
  return { version: 'none', reason: 'no cgroup v1 cpu controller and no cgroup2 file system is mounted' };
}

/**
 * The v2 folder whose `laas/` holds the groups. Root uses the hierarchy's root (exempt from the
 * no-internal-processes rule, and outside any unit systemd manages). Anyone else can only use
 * their own cgroup, and only where it was delegated to them; a runner already moved to
 * `<base>/laas-runner` by an earlier start uses that `<base>` again.
 */
export function v2Base(layout: { mount: string; self: string }, uid: number): string {
  if (uid === 0) return layout.mount;
  const self = layout.self.endsWith(`/${RUNNER_LEAF}`)
    ? layout.self.slice(0, -RUNNER_LEAF.length - 1)
    : layout.self;
  return self === '/' ? layout.mount : `${layout.mount}${self}`;
}

/** The counters of v1's or v2's `cpu.stat`, in one shape. */
export interface CpuStat {
  /** v2 only (`usage_usec`; v1 counts in cpuacct.usage). */
  usageUsec?: number;
  periods: number;
  throttledPeriods: number;
  throttledUs: number;
}

/**
 * Parses `cpu.stat`. v2: "usage_usec 30123\nuser_usec ...\nnr_periods 30\nnr_throttled 27\n
 * throttled_usec 2612000"; v1: "nr_periods 30\nnr_throttled 27\nthrottled_time 2612000000" (ns).
 * A v2 group without the cpu controller has only the usage lines: its counters read 0.
 */
export function parseCpuStat(text: string): CpuStat {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined && Number.isFinite(Number(value))) fields.set(key, Number(value));
  }
  const throttledNs = fields.get('throttled_time');
  return {
    usageUsec: fields.get('usage_usec'),
    periods: fields.get('nr_periods') ?? 0,
    throttledPeriods: fields.get('nr_throttled') ?? 0,
    throttledUs: fields.get('throttled_usec') ?? (throttledNs !== undefined ? throttledNs / 1000 : 0),
  };
}

/** v2 `cpu.max`: "25000 100000" -> quota 25000 per 100000 us; "max 100000" -> no quota. */
export function parseCpuMax(text: string): { quotaUs?: number; periodUs: number } {
  const match = /^(max|\d+)(?:\s+(\d+))?\s*$/.exec(text.trim());
  if (!match) throw new Error(`not a cpu.max value: "${text.trim()}"`);
  return {
    quotaUs: match[1] === 'max' ? undefined : Number(match[1]),
    periodUs: match[2] !== undefined ? Number(match[2]) : CFS_PERIOD_US,
  };
}

/** The v2 `cpu.max` line for a CPU limit: 250m -> "25000 100000". */
export function cpuMaxLine(cpuMillis: number, periodUs = CFS_PERIOD_US): string {
  return `${cfsQuotaUs(cpuMillis, periodUs)} ${periodUs}`;
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    accessSync(join(dir, 'cgroup.procs'), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function probeV1(dirs: Record<'cpu' | 'memory' | 'cpuacct', string>): CgroupSupport {
  const reasons: string[] = [];
  const check = (controller: string, dir: string, file: string): boolean => {
    const ok = writable(dir) && existsSync(join(dir, file));
    if (!ok) reasons.push(`${dir} is not a writable cgroup v1 ${controller} controller`);
    return ok;
  };
  return {
    version: 'v1',
    cpu: check('cpu', dirs.cpu, 'cpu.cfs_quota_us'),
    memory: check('memory', dirs.memory, 'memory.limit_in_bytes'),
    cpuacct: check('cpuacct', dirs.cpuacct, 'cpuacct.usage'),
    reasons,
  };
}

function probeV2(layout: { mount: string; self: string }, uid: number): CgroupSupport {
  const base = v2Base(layout, uid);
  const reasons: string[] = [];
  const canWrite =
    writable(base) &&
    (() => {
      try {
        accessSync(join(base, 'cgroup.subtree_control'), constants.W_OK);
        return true;
      } catch {
        return false;
      }
    })();
  if (!canWrite) {
    reasons.push(
      uid === 0
        ? `${base} (cgroup v2) is not writable`
        : `${base}, this user's cgroup (v2), is not delegated to uid ${uid}: run under \`systemd-run --user --scope -p Delegate=yes\`, or as root`,
    );
    return { version: 'v2', cpu: false, memory: false, cpuacct: false, base, reasons };
  }
  const controllers = (readText(join(base, 'cgroup.controllers')) ?? '').trim().split(/\s+/);
  const cpu = controllers.includes('cpu');
  const memory = controllers.includes('memory');
  if (!cpu)
    reasons.push(
      `the cpu controller is not available in ${base} (cgroup.controllers: "${controllers.join(' ')}")`,
    );
  if (!memory)
    reasons.push(
      `the memory controller is not available in ${base} (cgroup.controllers: "${controllers.join(' ')}")`,
    );
  // cpu.stat's usage_usec is in every v2 group, with or without the cpu controller.
  return { version: 'v2', cpu, memory, cpuacct: true, base, reasons };
}

let cachedSupport: CgroupSupport | undefined;

/** Which back end is mounted and what this process may do with it. */
export function cgroupSupport(): CgroupSupport {
  if (cachedSupport) return cachedSupport;
  const layout = chooseCgroupBackend(
    readText('/proc/self/mountinfo') ?? '',
    readText('/proc/self/cgroup') ?? '',
    process.env.LAAS_CGROUP_ROOT,
  );
  const uid = process.getuid?.() ?? -1;
  cachedSupport =
    layout.version === 'v1'
      ? probeV1(layout.dirs)
      : layout.version === 'v2'
        ? probeV2(layout, uid)
        : { version: 'none', cpu: false, memory: false, cpuacct: false, reasons: [layout.reason] };
  return cachedSupport;
}

/** Forgets the probed support (tests that change the environment). */
export function resetCgroupSupport(): void {
  cachedSupport = undefined;
  v2Prepared = undefined;
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
  version: CgroupVersion;
  /** The `cgroup.procs` files a process joins (v1: one per controller used; v2: one). */
  procsFiles: string[];
  /** The group's folders (v1: one per controller used; v2: one); all gone after `remove()`. */
  dirs: string[];
  /** What /proc/<pid>/cgroup shows for a member, per controller ('' is v2's line). */
  kernelPaths: Record<string, string>;
  /** Whether the group holds a CPU limit, a memory limit, and counts CPU time. */
  cpuLimited: boolean;
  memoryLimited: boolean;
  accounted: boolean;
  readBack(): CgroupReadback;
  /** CPU time used by the group's processes so far, in ns (undefined without accounting). */
  cpuUsageNs(): number | undefined;
  /** The CFS counters (undefined without a CPU limit). */
  throttling(): CpuThrottling | undefined;
  /** Removes the group's folders (they must be empty of processes; retried briefly). */
  remove(): void;
}

const liveGroups = new Set<Cgroup>();
let exitHookInstalled = false;

function readNumber(path: string): number | undefined {
  const text = readText(path);
  return text === undefined ? undefined : Number(text.trim());
}

function readPids(dir: string | undefined): number[] {
  if (!dir) return [];
  return (readText(join(dir, 'cgroup.procs')) ?? '').split('\n').filter(Boolean).map(Number);
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

/** The folders whose children are our groups: `<controller>/laas` (v1) or `<base>/laas` (v2). */
function parentDirs(): string[] {
  const support = cgroupSupport();
  if (support.version === 'v2') return support.base ? [join(support.base, CGROUP_PARENT)] : [];
  const layout = chooseCgroupBackend(
    readText('/proc/self/mountinfo') ?? '',
    readText('/proc/self/cgroup') ?? '',
    process.env.LAAS_CGROUP_ROOT,
  );
  if (layout.version !== 'v1') return [];
  return [...new Set(Object.values(layout.dirs))].map((dir) => join(dir, CGROUP_PARENT));
}

/**
 * Removes empty groups left under `laas/` by an earlier run that was killed with SIGKILL
 * (no exit hook ran). Groups that still hold processes, or whose creator is alive, are left alone.
 */
export function sweepStaleCgroups(): number {
  let removed = 0;
  for (const parent of parentDirs()) {
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
  const text = readText(join(cpuDir, 'cpu.stat'));
  if (text === undefined) return undefined;
  const stat = parseCpuStat(text);
  return {
    periods: stat.periods,
    throttledPeriods: stat.throttledPeriods,
    throttledNs: stat.throttledUs * 1000,
  };
}

/** Adds controllers to a v2 folder's `cgroup.subtree_control` (a no-op for those already there). */
function enableControllers(dir: string, controllers: string[]): void {
  const enabled = (readText(join(dir, 'cgroup.subtree_control')) ?? '').trim().split(/\s+/);
  const missing = controllers.filter((c) => !enabled.includes(c));
  if (missing.length > 0)
    writeFileSync(join(dir, 'cgroup.subtree_control'), missing.map((c) => `+${c}`).join(' '));
}

let v2Prepared: string | undefined;

/**
 * Makes `<base>/laas` a v2 parent whose children get the cpu and memory controllers. Where
 * `<base>` holds processes and is not the root (a delegated unit: this runner, npm, the shell),
 * enabling controllers there fails with EBUSY: those processes move to the leaf
 * `<base>/laas-runner` first, which is where v2 wants them.
 */
function prepareV2(base: string, controllers: string[]): string {
  const parent = join(base, CGROUP_PARENT);
  if (v2Prepared === parent) return parent;
  try {
    enableControllers(base, controllers);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EBUSY') throw error;
    const leaf = join(base, RUNNER_LEAF);
    mkdirSync(leaf, { recursive: true });
    // Each write moves one process (all its threads); repeat while a fork adds one.
    for (let round = 0; round < 10; round++) {
      const pids = readPids(base);
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          writeFileSync(join(leaf, 'cgroup.procs'), String(pid));
        } catch {
          // exited meanwhile, or a kernel thread of the root: it stays
        }
      }
    }
    enableControllers(base, controllers);
  }
  mkdirSync(parent, { recursive: true });
  enableControllers(parent, controllers);
  v2Prepared = parent;
  return parent;
}

function createV1Group(name: string, limits: CgroupLimits, support: CgroupSupport): Cgroup | undefined {
  const layout = chooseCgroupBackend(
    readText('/proc/self/mountinfo') ?? '',
    readText('/proc/self/cgroup') ?? '',
    process.env.LAAS_CGROUP_ROOT,
  );
  if (layout.version !== 'v1') return undefined;
  const wantCpu = limits.cpuMillis !== undefined && support.cpu;
  const wantMemory = limits.memoryBytes !== undefined && support.memory;
  const wantAccounting = (limits.account ?? true) && support.cpuacct;
  if (!wantCpu && !wantMemory && !wantAccounting) return undefined;

  const groupDir = (controller: 'cpu' | 'memory' | 'cpuacct'): string => {
    const dir = join(layout.dirs[controller], CGROUP_PARENT, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  const kernelPath = `/${CGROUP_PARENT}/${name}`;
  const kernelPaths: Record<string, string> = {};
  let cpuDir: string | undefined;
  let memoryDir: string | undefined;
  let cpuacctDir: string | undefined;
  if (wantCpu && limits.cpuMillis !== undefined) {
    cpuDir = groupDir('cpu');
    writeFileSync(join(cpuDir, 'cpu.cfs_period_us'), String(CFS_PERIOD_US));
    writeFileSync(join(cpuDir, 'cpu.cfs_quota_us'), String(cfsQuotaUs(limits.cpuMillis)));
    kernelPaths.cpu = kernelPath;
  }
  if (wantMemory && limits.memoryBytes !== undefined) {
    memoryDir = groupDir('memory');
    writeFileSync(join(memoryDir, 'memory.limit_in_bytes'), String(limits.memoryBytes));
    kernelPaths.memory = kernelPath;
  }
  if (wantAccounting) {
    cpuacctDir = groupDir('cpuacct');
    kernelPaths.cpuacct = kernelPath;
  }
  // cpu and cpuacct mounted together (cpu,cpuacct) share one folder.
  const dirs = [...new Set([cpuDir, memoryDir, cpuacctDir].filter((d): d is string => d !== undefined))];
  return {
    name,
    version: 'v1',
    procsFiles: dirs.map((dir) => join(dir, 'cgroup.procs')),
    dirs,
    kernelPaths,
    cpuLimited: cpuDir !== undefined,
    memoryLimited: memoryDir !== undefined,
    accounted: cpuacctDir !== undefined,
    cpuUsageNs: () => (cpuacctDir ? readNumber(join(cpuacctDir, 'cpuacct.usage')) : undefined),
    throttling: () => (cpuDir ? readThrottling(cpuDir) : undefined),
    readBack: () => ({
      cpuQuotaUs: cpuDir ? readNumber(join(cpuDir, 'cpu.cfs_quota_us')) : undefined,
      cpuPeriodUs: cpuDir ? readNumber(join(cpuDir, 'cpu.cfs_period_us')) : undefined,
      memoryLimitBytes: memoryDir ? readNumber(join(memoryDir, 'memory.limit_in_bytes')) : undefined,
      pids: [...new Set(dirs.flatMap(readPids))],
    }),
    remove: () => undefined,
  };
}

function createV2Group(name: string, limits: CgroupLimits, support: CgroupSupport): Cgroup | undefined {
  if (!support.base || !support.cpuacct) return undefined;
  const wantCpu = limits.cpuMillis !== undefined && support.cpu;
  const wantMemory = limits.memoryBytes !== undefined && support.memory;
  const controllers = [...(support.cpu ? ['cpu'] : []), ...(support.memory ? ['memory'] : [])];
  const parent = prepareV2(support.base, controllers);
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  if (wantCpu && limits.cpuMillis !== undefined)
    writeFileSync(join(dir, 'cpu.max'), cpuMaxLine(limits.cpuMillis));
  if (wantMemory && limits.memoryBytes !== undefined)
    writeFileSync(join(dir, 'memory.max'), String(limits.memoryBytes));
  // The path /proc/<pid>/cgroup shows: relative to the hierarchy's mount (or to the namespace's root).
  const mount = chooseCgroupBackend(
    readText('/proc/self/mountinfo') ?? '',
    '0::/\n',
    process.env.LAAS_CGROUP_ROOT,
  );
  const mountPoint = mount.version === 'v2' ? mount.mount : CGROUP_ROOT;
  const kernelPath = dir.startsWith(mountPoint) ? dir.slice(mountPoint.length) || '/' : dir;
  const cpuStat = (): CpuStat | undefined => {
    const text = readText(join(dir, 'cpu.stat'));
    return text === undefined ? undefined : parseCpuStat(text);
  };
  return {
    name,
    version: 'v2',
    procsFiles: [join(dir, 'cgroup.procs')],
    dirs: [dir],
    kernelPaths: { '': kernelPath },
    cpuLimited: wantCpu,
    memoryLimited: wantMemory,
    accounted: true,
    cpuUsageNs: () => {
      const usec = cpuStat()?.usageUsec;
      return usec === undefined ? undefined : usec * 1000;
    },
    throttling: () => (wantCpu ? readThrottling(dir) : undefined),
    readBack: () => {
      const max = wantCpu ? readText(join(dir, 'cpu.max')) : undefined;
      const cpu = max !== undefined ? parseCpuMax(max) : undefined;
      const memory = wantMemory ? readText(join(dir, 'memory.max'))?.trim() : undefined;
      return {
        cpuQuotaUs: cpu?.quotaUs,
        cpuPeriodUs: cpu?.periodUs,
        memoryLimitBytes: memory === undefined || memory === 'max' ? undefined : Number(memory),
        pids: readPids(dir),
      };
    },
    remove: () => undefined,
  };
}

/**
 * Creates the group `laas/<name>` with the limits, counting its CPU time, in whichever back end
 * is mounted; undefined when nothing can be used. Throws if a folder is writable but a write fails.
 */
export function createCgroup(name: string, limits: CgroupLimits): Cgroup | undefined {
  const support = cgroupSupport();
  const made =
    support.version === 'v1'
      ? createV1Group(name, limits, support)
      : support.version === 'v2'
        ? createV2Group(name, limits, support)
        : undefined;
  if (!made) return undefined;
  installExitHook();
  const group: Cgroup = {
    ...made,
    remove: () => {
      for (const dir of made.dirs) removeGroupDir(dir);
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

/** A group that only counts CPU time (no limit), or undefined where nothing can count it. */
export function createAccountingGroup(name: string): Cgroup | undefined {
  return createCgroup(uniqueGroupName(name), { account: true });
}

/** The cgroup paths (controller -> path; v2's under '') a process is in, from /proc/<pid>/cgroup. */
export function cgroupsOfPid(pid: number): Record<string, string> {
  return parseProcCgroup(readText(`/proc/${pid}/cgroup`) ?? '');
}
