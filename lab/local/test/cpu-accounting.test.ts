import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { jest } from '@jest/globals';
import { cgroupSupport, cpuSplit, parseMachineBusySec, readCpu, startLimitedProcess } from '@laas/local';
import type { AccountedGroup, CpuReading, LimitedProcess } from '@laas/local';
import { waitFor } from '@laas/testbed';

jest.setTimeout(60_000);

/**
 * Spins until this process has used `cpuSec` of CPU (its own count, process.cpuUsage), prints
 * that count and the count at its first line (`bootSec`), then idles. CPU time, not wall time:
 * the result holds on a loaded machine.
 */
const spin = (cpuSec: number): string[] => [
  '-e',
  `const used = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
   const bootSec = used();
   while (used() < ${cpuSec}) {}
   console.log(JSON.stringify({ cpuSec: used(), bootSec }));
   setInterval(() => {}, 1000);`,
];
const IDLE = ['-e', 'setInterval(() => {}, 1000)'];

/** CPU seconds a process has used so far, by the kernel's count (/proc/<pid>/stat utime + stime). */
function processCpuSec(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const [utime = 0, stime = 0] = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .slice(11, 13)
    .map(Number);
  return (utime + stime) / 100;
}

function accounted(proc: LimitedProcess, component: string): AccountedGroup {
  return { name: proc.name, component, group: proc.cgroup! };
}

describe('per-process CPU accounting (v1 cpuacct.usage, v2 cpu.stat usage_usec)', () => {
  test.each([
    { what: 'an unlimited process', cpuMillis: undefined },
    { what: 'a replica-like process under a 500m quota', cpuMillis: 500 },
  ])(
    'counts a 0.4 s busy loop of $what in its own group, and only its own start-up in an idle sibling',
    async ({ cpuMillis }) => {
      expect(cgroupSupport().cpuacct).toBe(true);
      const busy = startLimitedProcess({ name: 'busy', cmd: process.execPath, args: spin(0.4), cpuMillis });
      const idle = startLimitedProcess({ name: 'idle', cmd: process.execPath, args: IDLE });
      try {
        const groups = [accounted(busy, 'busy'), accounted(idle, 'idle')];
        const start: CpuReading = { atMs: Date.now(), machineBusySec: 0, groups: {} };
        const { cpuSec, bootSec } = await waitFor(
          () => {
            const line = busy.logTail(1);
            return line.startsWith('{')
              ? (JSON.parse(line) as { cpuSec: number; bootSec: number })
              : undefined;
          },
          { what: 'the busy loop to report', timeoutMs: 40_000 },
        );
        // Both processes idle from here: the counters no longer move (beyond timer wake-ups).
        await sleep(200);
        const split = cpuSplit(start, readCpu(groups));

        // The group counts the process from the moment its shell joined the group. The process's
        // own clock also counts what came before: the fork from this jest worker and the exec that
        // tears down the worker's copied memory. That grows with the parent's size: spawned from
        // a 3 GB Node process, a 0.4 s loop read 0.32 s in its group, with 0.15 s of CPU already
        // used at its first line; from a 10 MB one, 0.41 s and 0.07 s. So the group counts at
        // least the loop less that first-line count (a group that did not hold the process would
        // count about 0), and at most the loop plus its start-up (0.35 s allowed on a loaded machine).
        expect(split.byComponent.busy).toBeGreaterThanOrEqual(cpuSec - bootSec);
        expect(split.byComponent.busy).toBeLessThan(cpuSec + 0.35);
        // The idle sibling's group holds what its one process used (the kernel's count for it,
        // read after the group's: 0.1 s of start-up here, up to 1.3 s in an emulated guest), not
        // the busy loop: a group that also held the loop would exceed it by the loop's 0.4 s.
        expect(split.byComponent.idle).toBeLessThanOrEqual(processCpuSec(idle.pid) + 0.02);
        expect(split.byGroup[busy.name]).toBe(split.byComponent.busy);
      } finally {
        await Promise.all([busy.stop(2_000), idle.stop(2_000)]);
      }
      for (const dir of busy.cgroup!.dirs) expect(existsSync(dir)).toBe(false);
    },
  );
});

describe('the CPU split between two readings', () => {
  const reading = (atMs: number, machineBusySec: number, groups: CpuReading['groups']): CpuReading => ({
    atMs,
    machineBusySec,
    groups,
  });

  test.each([
    {
      what: 'adds the groups of a component and subtracts the first reading',
      before: reading(0, 100, {
        'images-1': { component: 'images', cpuSec: 1 },
        'images-2': { component: 'images', cpuSec: 2 },
        nginx: { component: 'nginx', cpuSec: 5 },
      }),
      after: reading(10_000, 118, {
        'images-1': { component: 'images', cpuSec: 3.5 },
        'images-2': { component: 'images', cpuSec: 4.5 },
        nginx: { component: 'nginx', cpuSec: 6 },
      }),
      expected: { wallSec: 10, machineBusySec: 18, byComponent: { images: 5, nginx: 1 } },
    },
    {
      what: 'counts a group first seen in the second reading from zero',
      before: reading(0, 0, {}),
      after: reading(2_000, 1, { k6: { component: 'k6', cpuSec: 0.75 } }),
      expected: { wallSec: 2, machineBusySec: 1, byComponent: { k6: 0.75 } },
    },
    {
      what: 'leaves out a group gone by the second reading',
      before: reading(0, 0, { 'images-3': { component: 'images', cpuSec: 9 } }),
      after: reading(1_000, 0.5, {}),
      expected: { wallSec: 1, machineBusySec: 0.5, byComponent: {} },
    },
  ])('$what', ({ before, after, expected }) => {
    expect(cpuSplit(before, after)).toMatchObject(expected);
  });

  test('gives each limited group the share of its periods in which it was throttled', () => {
    const split = cpuSplit(
      reading(0, 0, { 'images-1': { component: 'images', cpuSec: 0, periods: 100, throttledPeriods: 10 } }),
      reading(8_000, 0, {
        'images-1': { component: 'images', cpuSec: 2, periods: 180, throttledPeriods: 70 },
      }),
    );
    expect(split.throttledShare['images-1']).toBeCloseTo(60 / 80);
  });

  test("reads the machine's busy seconds from /proc/stat's cpu line, without idle and iowait", () => {
    expect(parseMachineBusySec('cpu  4705 0 1200 93000 95 0 5 0 0 0\ncpu0 1 2 3 4\n')).toBeCloseTo(59.1);
    expect(() => parseMachineBusySec('intr 1 2 3\n')).toThrow(/no "cpu" line/);
  });
});
