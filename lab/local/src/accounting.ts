import { readFileSync } from 'node:fs';
import type { Cgroup } from './cgroup.js';

/** A cgroup whose CPU time is counted, and the component it belongs to. */
export interface AccountedGroup {
  /** Unique name, e.g. 'nginx' or 'images-3'. */
  name: string;
  /** What the report adds it to: 'k6', 'nginx', 'ferretdb', 'prometheus', or a service's name for its replicas. */
  component: string;
  group: Cgroup;
}

/** Cumulative counters at one moment; two of them make a `CpuSplit`. */
export interface CpuReading {
  atMs: number;
  /** Busy CPU seconds of the whole machine since boot, all cores (/proc/stat). */
  machineBusySec: number;
  /** CPU seconds each group (by name) has used since it was made. */
  groups: Record<string, { component: string; cpuSec: number; periods?: number; throttledPeriods?: number }>;
}

/** Where the CPU went over one window (a plateau). */
export interface CpuSplit {
  wallSec: number;
  /** Busy CPU seconds of the machine over the window (2 cores for 10 s = 20 at most). */
  machineBusySec: number;
  /** CPU seconds per component (the sum of its groups). */
  byComponent: Record<string, number>;
  /** CPU seconds per group. */
  byGroup: Record<string, number>;
  /** Per CPU-limited group: the share of its 100 ms periods in which it ran out of quota. */
  throttledShare: Record<string, number>;
}

/** USER_HZ: /proc/stat counts in 1/100 s on every Linux architecture that matters here. */
const TICKS_PER_SECOND = 100;

/**
 * Busy seconds of all cores since boot: the `cpu` line of /proc/stat minus idle and iowait.
 * Worked example: "cpu 4705 0 1200 93000 95 0 5 0" -> (4705 + 1200 + 5) / 100 = 59.1 s busy.
 */
export function parseMachineBusySec(procStat: string): number {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('no "cpu" line in /proc/stat');
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND;
}

/** Reads every group's counters and the machine's (a few small files: cheap enough per plateau). */
export function readCpu(groups: readonly AccountedGroup[], now = Date.now()): CpuReading {
  const reading: CpuReading = {
    atMs: now,
    machineBusySec: parseMachineBusySec(readFileSync('/proc/stat', 'utf8')),
    groups: {},
  };
  for (const { name, component, group } of groups) {
    const usage = group.cpuUsageNs();
    if (usage === undefined) continue;
    const throttling = group.throttling();
    reading.groups[name] = {
      component,
      cpuSec: usage / 1e9,
      periods: throttling?.periods,
      throttledPeriods: throttling?.throttledPeriods,
    };
  }
  return reading;
}

/**
 * The CPU each group and component used between two readings. A group first seen in `after`
 * was made during the window and counts from zero; one gone by `after` is left out (its last
 * counters died with it).
 */
export function cpuSplit(before: CpuReading, after: CpuReading): CpuSplit {
  const split: CpuSplit = {
    wallSec: (after.atMs - before.atMs) / 1000,
    machineBusySec: after.machineBusySec - before.machineBusySec,
    byComponent: {},
    byGroup: {},
    throttledShare: {},
  };
  for (const [name, end] of Object.entries(after.groups)) {
    const start = before.groups[name];
    const cpuSec = end.cpuSec - (start?.cpuSec ?? 0);
    split.byGroup[name] = cpuSec;
    split.byComponent[end.component] = (split.byComponent[end.component] ?? 0) + cpuSec;
    if (end.periods !== undefined && end.throttledPeriods !== undefined) {
      const periods = end.periods - (start?.periods ?? 0);
      const throttled = end.throttledPeriods - (start?.throttledPeriods ?? 0);
      split.throttledShare[name] = periods > 0 ? throttled / periods : 0;
    }
  }
  return split;
}
