import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const CGROUP_MOUNT = '/sys/fs/cgroup';

/**
 * The hierarchies mounted under /sys/fs/cgroup (cgroup v1 here: cpu, cpuacct, cpuset, memory,
 * devices, freezer, blkio, pids, systemd, and the empty v2 `unified`). Co-mounted controllers
 * (cpu,cpuacct) appear once, under their real folder; symlinks are skipped.
 */
export function cgroupHierarchies(): string[] {
  if (!existsSync(CGROUP_MOUNT)) return [];
  return readdirSync(CGROUP_MOUNT)
    .map((name) => join(CGROUP_MOUNT, name))
    .filter((path) => {
      try {
        return statSync(path).isDirectory() && existsSync(join(path, 'cgroup.procs'));
      } catch {
        return false;
      }
    })
    .filter((path, index, all) => all.indexOf(path) === index);
}

/**
 * Creates `path` (e.g. /laas-lab-0/system) in every hierarchy. The kubelet requires its
 * cgroupRoot to exist in all of them, `unified` included. A new cpuset cgroup starts with empty
 * cpus/mems and refuses tasks until they are copied down from its parent.
 */
export function createCgroup(path: string): void {
  for (const hierarchy of cgroupHierarchies()) {
    const parts = path.split('/').filter(Boolean);
    let current = hierarchy;
    for (const part of parts) {
      const parent = current;
      current = join(current, part);
      if (!existsSync(current)) mkdirSync(current);
      if (hierarchy.endsWith('/cpuset')) {
        for (const file of ['cpuset.cpus', 'cpuset.mems']) {
          const own = readFileSync(join(current, file), 'utf8').trim();
          if (own === '') writeFileSync(join(current, file), readFileSync(join(parent, file), 'utf8'));
        }
      }
    }
  }
}

/** Pids in `path` and every cgroup below it, in one hierarchy. */
export function pidsUnder(hierarchy: string, path: string): number[] {
  const root = join(hierarchy, path);
  const pids: number[] = [];
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir);
      for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) {
        if (line.trim()) pids.push(Number(line));
      }
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = join(dir, entry);
      try {
        if (statSync(child).isDirectory()) walk(child);
      } catch {
        // removed meanwhile
      }
    }
  };
  walk(root);
  return pids;
}

/** Cgroup folders below and including `path` in one hierarchy, deepest first. */
function cgroupDirsDeepestFirst(hierarchy: string, path: string): string[] {
  const dirs: string[] = [];
  const walk = (dir: string): void => {
    dirs.push(dir);
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      return;
    }
    for (const entry of entries) {
      const child = join(dir, entry);
      try {
        if (statSync(child).isDirectory()) walk(child);
      } catch {
        // removed meanwhile
      }
    }
  };
  const root = join(hierarchy, path);
  if (existsSync(root)) walk(root);
  return dirs.sort((a, b) => b.length - a.length);
}

function freezerState(dir: string, state: 'FROZEN' | 'THAWED'): void {
  try {
    writeFileSync(join(dir, 'freezer.state'), state);
  } catch {
    // no freezer here, or already gone
  }
}

/**
 * Kills every process in the cgroup `path` and below: freezes the subtree (so nothing forks
 * meanwhile), sends SIGKILL to each pid, thaws it so the kills take effect, and repeats until
 * the subtree is empty. Works for a run whose launcher died: membership is the kernel's record.
 * Returns how many processes it killed.
 */
export async function killCgroupTree(path: string, timeoutMs = 20_000): Promise<number> {
  const tracking = [join(CGROUP_MOUNT, 'freezer'), join(CGROUP_MOUNT, 'pids')].filter((h) =>
    existsSync(join(h, path)),
  );
  let killed = 0;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = new Set(tracking.flatMap((h) => pidsUnder(h, path)));
    if (pids.size === 0) return killed;
    if (Date.now() > deadline) {
      throw new Error(
        `processes in cgroup ${path} survived SIGKILL for ${timeoutMs} ms: ${[...pids].join(' ')}`,
      );
    }
    const freezer = join(CGROUP_MOUNT, 'freezer', path);
    freezerState(freezer, 'FROZEN');
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        // already gone
      }
    }
    freezerState(freezer, 'THAWED');
    await sleep(100);
  }
}

/**
 * Waits (bounded) until no process, zombies included, is listed in `path` or below: killed
 * processes stay zombies until their parent reaps them (Node does so between event-loop turns,
 * init once the parent is gone too). Returns the pids still listed at the deadline.
 */
export async function waitUntilReaped(path: string, timeoutMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed: number[] = [];
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try {
        const cgroup = readFileSync(`/proc/${name}/cgroup`, 'utf8');
        if (cgroup.includes(`:${path}/`) || cgroup.includes(`:${path}\n`)) listed.push(Number(name));
      } catch {
        // gone
      }
    }
    if (listed.length === 0 || Date.now() > deadline) return listed;
    await sleep(100);
  }
}

/** Removes `path` and every cgroup below it, in every hierarchy (they must be empty: kill first). */
export async function removeCgroupTree(path: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const hierarchy of cgroupHierarchies()) {
    for (const dir of cgroupDirsDeepestFirst(hierarchy, path)) {
      // A cgroup whose last task just died can stay busy for a moment.
      for (;;) {
        try {
          rmdirSync(dir);
          break;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (Date.now() > deadline) throw new Error(`cannot remove cgroup ${dir}: ${String(error)}`);
          await sleep(100);
        }
      }
    }
  }
}

/** True when some hierarchy still has `path`. */
export function cgroupExists(path: string): boolean {
  return cgroupHierarchies().some((h) => existsSync(join(h, path)));
}

/**
 * Why the lab cluster cannot run on this machine's cgroups, or undefined when it can. Its kubelet
 * uses the cgroupfs driver with one folder per v1 hierarchy (`createCgroup` above). On a machine
 * that mounts cgroup2 alone, the folders under /sys/fs/cgroup are systemd's slices, not
 * hierarchies, so the cluster refuses to start there rather than scatter cgroups among them.
 * `mountinfo` is /proc/self/mountinfo's text: a v1 hierarchy is a line of type `cgroup` whose
 * options name the cpu controller (`… - cgroup cgroup rw,cpu`).
 */
export function labCgroupProblem(mountinfo: string): string | undefined {
  const v1Cpu = mountinfo.split('\n').some((line) => {
    const [, after] = line.split(' - ');
    const [fsType, , options = ''] = (after ?? '').trim().split(' ');
    return fsType === 'cgroup' && options.split(',').includes('cpu');
  });
  if (v1Cpu) return undefined;
  const v2 = /\s-\scgroup2\s/.test(mountinfo);
  return (
    `the lab cluster needs cgroup v1 (its kubelet uses the cgroupfs driver per v1 hierarchy), and this machine mounts ` +
    `${v2 ? 'cgroup v2 alone' : 'no cgroup file system'}. Run the chart on minikube instead (npm run experiment -- --target minikube; ` +
    `minikube/README.md), or boot with systemd.unified_cgroup_hierarchy=0 for v1.`
  );
}
