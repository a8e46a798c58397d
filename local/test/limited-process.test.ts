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

  test('that burns CPU for 1.5 s of wall time gets at most about a quarter of it at 250m, throttled beyond', async () => {
    const burn = [
      '-e',
      'const s = Date.now(); while (Date.now() - s < 1500) {} const u = process.cpuUsage(); console.log(JSON.stringify({ cpuSec: (u.user + u.system) / 1e6 }));',
    ];
    const proc = startLimitedProcess({
      name: 'burn-test',
      cmd: process.execPath,
      args: burn,
      cpuMillis: 250,
    });
    try {
      await waitFor(() => proc.exitStatus(), { what: 'the busy loop to end', timeoutMs: 20_000 });
      const throttled = proc.cgroup!.throttling()!.throttledPeriods;
      const { cpuSec } = JSON.parse(proc.logTail(1)) as { cpuSec: number };
      // 0.25 x 1.5 s = 0.375 s, plus start-up before the loop and a period of slack.
      expect(cpuSec).toBeLessThan(0.6);
      // It reached its quota and was throttled, unless the machine was so busy that it never got
      // a quarter core to begin with (then the quota had nothing to cut).
      expect(throttled > 0 || cpuSec < 0.3).toBe(true);
    } finally {
      await proc.stop();
    }
  });
});
