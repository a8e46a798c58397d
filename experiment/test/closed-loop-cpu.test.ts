// What the closed loop's CPU read-back tells the prediction: CPU per request, idle CPU per
// replica, the busiest replica's share of its quota, and the cost change (pure, known inputs).
import { calibrate } from '../src/closed-loop/cpu.js';
import type { CpuPoint } from '../src/closed-loop/cpu.js';

/** Points every 5 s with `idle` cores per replica and `perRequest` CPU seconds per request. */
function points(
  rows: { replicas: number; rps: number }[],
  idle: number,
  perRequest: (t: number) => number,
): CpuPoint[] {
  return rows.map((r, i) => {
    const t = i * 5;
    const cores = idle * r.replicas + perRequest(t) * r.rps;
    return { t, rps: r.rps, replicas: r.replicas, cores, maxReplicaCores: cores / r.replicas };
  });
}

const steps = [
  { replicas: 1, rps: 10 },
  { replicas: 1, rps: 20 },
  { replicas: 2, rps: 30 },
  { replicas: 2, rps: 50 },
  { replicas: 4, rps: 50 },
  { replicas: 3, rps: 10 },
];

describe('calibrating the prediction from the CPU the replicas used', () => {
  test.each([
    { label: '3.3 ms per request and 5 ms/s idle per replica', idle: 0.005, c: 0.0033 },
    { label: '1 ms per request and no idle CPU', idle: 0, c: 0.001 },
    { label: '2 ms per request and 30 ms/s idle per replica (a process warming up)', idle: 0.03, c: 0.002 },
  ])('$label are read back exactly from noiseless points', ({ idle, c }) => {
    const cal = calibrate(
      points(steps, idle, () => c),
      0.1,
    )!;
    expect(cal.cpuMsPerRequest).toBeCloseTo(c * 1000, 6);
    expect(cal.idleCpuMsPerSecond).toBeCloseTo(idle * 1000, 6);
  });

  test('the busiest replica sets the share of the quota: 2 replicas at 50 RPS, 3.3 ms, 5 ms/s idle reach 0.875 of 100m', () => {
    const cal = calibrate(
      points(steps, 0.005, () => 0.0033),
      0.1,
    )!;
    // (0.005 x 2 + 0.0033 x 50) / 2 = 0.0875 cores of 0.1
    expect(cal.peakShareOfQuota).toBeCloseTo(0.875, 6);
  });

  test('requests twice as costly from 60 s give a cost factor of 2, with the idle CPU fitted before the change', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ replicas: i < 6 ? 1 : 2, rps: 15 + (i % 3) * 3 }));
    const cal = calibrate(
      points(rows, 0.004, (t) => (t >= 60 ? 0.005 : 0.0025)),
      0.1,
      60,
    )!;
    expect(cal.cpuMsPerRequest).toBeCloseTo(2.5, 6);
    expect(cal.costFactor).toBeCloseTo(2, 6);
  });

  test('fewer than three points with traffic calibrate nothing', () => {
    expect(
      calibrate(
        points(steps.slice(0, 2), 0.005, () => 0.0033),
        0.1,
      ),
    ).toBeNull();
  });
});
