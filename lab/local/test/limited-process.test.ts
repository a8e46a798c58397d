import { existsSync } from 'node:fs';
import { cgroupsOfPid, cgroupSupport, parseCpuMillis, startLimitedProcess } from '@laas/local';
import { waitFor } from '@laas/testbed';

// A process that only waits: its cgroup is what is checked, not its work.
const IDLE = ['-e', 'setInterval(() => {}, 1000)'];

describe('a process started with a CPU limit', () => {
  test.each([
    { cpu: '250m', quotaUs: 25_000 },
    { cpu: '500m', quotaUs: 50_000 },
    { cpu: '1', quotaUs: 100_000 },
  ])(
    'at $cpu runs in its own cgroup with cfs_quota_us $quotaUs per 100000 us, removed when it stops',
    async ({ cpu, quotaUs }) => {
      expect(cgroupSupport().cpu).toBe(true);
      const proc = startLimitedProcess({
        name: 'quota-test',
        cmd: process.execPath,
        args: IDLE,
        cpuMillis: parseCpuMillis(cpu),
        memoryBytes: 64 * 2 ** 20,
      });
      try {
        expect(proc.limited).toBe(true);
        await waitFor(() => proc.readBack().pids.includes(proc.pid), {
          what: 'the process to join its cgroup',
        });
        const readBack = proc.readBack();
        expect(readBack.cpuQuotaUs).toBe(quotaUs);
        expect(readBack.cpuPeriodUs).toBe(100_000);
        expect(readBack.memoryLimitBytes).toBe(64 * 2 ** 20);
        // The kernel's own view of the process agrees.
        // The kernel's own view of the process agrees: it is in the group's folder(s).
        expect(cgroupsOfPid(proc.pid)).toMatchObject(proc.cgroup!.kernelPaths);
        for (const path of Object.values(proc.cgroup!.kernelPaths))
          expect(path.endsWith(`/laas/${proc.cgroup!.name}`)).toBe(true);
      } finally {
        await proc.stop(2_000);
      }
      expect(proc.exitStatus()).toBeDefined();
      for (const dir of proc.cgroup!.dirs) expect(existsSync(dir)).toBe(false);
    },
  );

  test.each([
    { cpu: '250m', share: 0.25, loopSec: 1.5 },
    { cpu: '100m', share: 0.1, loopSec: 3 },
  ])(
    "that spins for $loopSec s at $cpu gets about $share of a core (its own count and its group's), throttled beyond",
    async ({ cpu, share, loopSec }) => {
      // The loop reports its own CPU time over its wall time, from its first line: start-up is left
      // out, which matters where it is slow (node under emulation spends 1.3 s of CPU starting).
      const spin = [
        '-e',
        `const used = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
       const s = Date.now(), c = used(); while (Date.now() - s < ${loopSec * 1000}) {}
       console.log(JSON.stringify({ loopCpuSec: used() - c, loopWallSec: (Date.now() - s) / 1000 }));`,
      ];
      const started = Date.now();
      const proc = startLimitedProcess({
        name: 'spin',
        cmd: process.execPath,
        args: spin,
        cpuMillis: parseCpuMillis(cpu),
      });
      try {
        await waitFor(() => proc.exitStatus(), { what: 'the busy loop to end', timeoutMs: 120_000 });
        const lifetimeSec = (Date.now() - started) / 1000;
        const { loopCpuSec, loopWallSec } = JSON.parse(proc.logTail(1)) as {
          loopCpuSec: number;
          loopWallSec: number;
        };
        const groupSec = proc.cgroup!.cpuUsageNs()! / 1e9;
        const throttling = proc.cgroup!.throttling()!;
        // 100m = 10 ms per 100 ms period: over its whole life the group used at most its share of
        // the wall time, plus one period's quota for the period it started in (100m: 0.01 s).
        expect(groupSec).toBeLessThanOrEqual(share * lifetimeSec + share / 10);
        // During the loop it got about its share (100m: 3 s -> 0.3 s), within 60..120 % of it
        // (below 100 % only where the machine could not spare that much of a core).
        expect(loopCpuSec / loopWallSec).toBeGreaterThan(0.6 * share);
        expect(loopCpuSec / loopWallSec).toBeLessThan(1.2 * share);
        // Nearly every 100 ms period of the loop ran out of quota.
        expect(throttling.throttledPeriods).toBeGreaterThanOrEqual(0.8 * loopWallSec * 10);
        process.stdout.write(
          `${cpu} busy loop: ${((loopCpuSec / loopWallSec) * 100).toFixed(1)}% of a core during the loop, group ${groupSec.toFixed(3)} s over ${lifetimeSec.toFixed(1)} s, ${throttling.throttledPeriods}/${throttling.periods} periods throttled\n`,
        );
      } finally {
        await proc.stop();
      }
    },
  );
});
