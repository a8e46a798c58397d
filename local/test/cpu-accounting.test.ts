import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { jest } from '@jest/globals';
import { cgroupSupport, cpuSplit, parseMachineBusySec, readCpu, startLimitedProcess } from '@laas/local';
import type { AccountedGroup, CpuReading, LimitedProcess } from '@laas/local';
import { waitFor } from '@laas/testbed';

jest.setTimeout(60_000);

/**
 * Spins until this process has used `cpuSec` of CPU (its own count, process.cpuUsage), prints
 * that count, then idles. CPU time, not wall time: the result holds on a loaded machine.
 */
const spin = (cpuSec: number): string[] => [
  '-e',
  `const used = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
   while (used() < ${cpuSec}) {}
   console.log(JSON.stringify({ cpuSec: used() }));
   setInterval(() => {}, 1000);`,
];
const IDLE = ['-e', 'setInterval(() => {}, 1000)'];

function accounted(proc: LimitedProcess, component: string): AccountedGroup {
  return { name: proc.name, component, group: proc.cgroup! };
}

describe('per-process CPU accounting (cpuacct)', () => {
  test.each([
    { what: 'an unlimited process', cpuMillis: undefined },
    { what: 'a replica-like process under a 500m quota', cpuMillis: 500 },
  ])(
    'counts a 0.4 s busy loop of $what in its own group, and ~0 in an idle sibling',
    async ({ cpuMillis }) => {
      expect(cgroupSupport().cpuacct).toBe(true);
      const busy = startLimitedProcess({ name: 'busy', cmd: process.execPath, args: spin(0.4), cpuMillis });
      const idle = startLimitedProcess({ name: 'idle', cmd: process.execPath, args: IDLE });
      try {
        const groups = [accounted(busy, 'busy'), accounted(idle, 'idle')];
        const start: CpuReading = { atMs: Date.now(), machineBusySec: 0, groups: {} };
        const { cpuSec } = await waitFor(
          () => {
            const line = busy.logTail(1);
            return line.startsWith('{') ? (JSON.parse(line) as { cpuSec: number }) : undefined;
          },
          { what: 'the busy loop to report', timeoutMs: 40_000 },
        );
        // Both processes idle from here: the counters no longer move (beyond timer wake-ups). They
        // are read a moment later, in case the last slice reaches the group's counter late; that
        // did not close the gap described below.
        await sleep(200);
        const split = cpuSplit(start, readCpu(groups));

        // The group holds the process, so it counts what the process counted itself, plus its
        // start-up before the loop (the shell that joined the group, Node booting): about
        // 0.05-0.15 s here, 0.35 s allowed on a loaded machine. Less by up to 5 % is allowed: the
        // group was seen to count 0.3880 s against the process's own 0.4001 s (500m quota, whole
        // suite running, even read 200 ms later), and why the two clocks differ by ~3 % there was
        // not found. A group that did not hold the process would count about 0.
        expect(split.byComponent.busy).toBeGreaterThanOrEqual(cpuSec * 0.95);
        expect(split.byComponent.busy).toBeLessThan(cpuSec + 0.35);
        expect(split.byComponent.idle).toBeLessThan(0.35);
        expect(split.byGroup[busy.name]).toBe(split.byComponent.busy);
      } finally {
        await Promise.all([busy.stop(2_000), idle.stop(2_000)]);
      }
      expect(existsSync(busy.cgroup!.cpuacctDir!)).toBe(false);
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
