import { buildTimeline, measure, scaleEventsOf } from '../src/closed-loop/measures.js';
import type { SecondPoint } from '../src/closed-loop/measures.js';
import { k6Stages, scenarioByName } from '../src/closed-loop/scenarios.js';

/** A 20 s timeline: 10 requests per second, replicas as given, violating as given per second. */
function timeline(replicas: number[], violating: number[] = []): SecondPoint[] {
  return replicas.map((r, t) => ({
    t,
    offeredRps: 10,
    servedRps: 10,
    requests: 10,
    violating: violating[t] ?? 0,
    failed: 0,
    p99Ms: 50,
    replicas: r,
    ready: r,
  }));
}

const flat = (n: number, v: number): number[] => Array.from({ length: n }, () => v);

describe('the closed-loop measures (the referee definitions over a measured timeline)', () => {
  test.each([
    { name: '1 replica for 20 s', replicas: flat(20, 1), replicaSeconds: 20, changes: 0, events: 0 },
    {
      name: '1 -> 3 at 5 s, 3 -> 2 at 15 s',
      replicas: [...flat(5, 1), ...flat(10, 3), ...flat(5, 2)],
      replicaSeconds: 5 + 30 + 10,
      changes: 1,
      events: 2,
    },
    {
      name: 'up, down, up, down (flapping)',
      replicas: [...flat(5, 1), ...flat(5, 2), ...flat(5, 1), ...flat(5, 2)],
      replicaSeconds: 5 + 10 + 5 + 10,
      changes: 2,
      events: 3,
    },
  ])('$name: $replicaSeconds replica-seconds, $changes direction changes, $events scale events', (c) => {
    const points = timeline(c.replicas);
    const m = measure(points, scaleEventsOf(points));
    expect(m.replicaSeconds).toBe(c.replicaSeconds);
    expect(m.directionChanges).toBe(c.changes);
    expect(m.scaleEvents).toBe(c.events);
    expect(m.recoverySeconds).toBeNull();
  });

  test.each([
    { name: 'no violations', violating: [] as number[], recovery: 0 },
    // Seconds 5-12 each have 5 of 10 violating: the last bad 5 s bin is 10-15 s -> 15 - 5 = 10 s.
    { name: 'violations from 5 s to 12 s', violating: [...flat(5, 0), ...flat(8, 5)], recovery: 10 },
    // One violating request in a 5 s bin of 50 is 2 % (> 1 %): still not recovered at 20 s.
    { name: 'a single slow request in the last bin', violating: [...flat(19, 0), 1], recovery: 15 },
  ])('after a step at 5 s with $name, time to recover is $recovery s', ({ violating, recovery }) => {
    const points = timeline(flat(20, 1), violating);
    expect(measure(points, [], 5).recoverySeconds).toBe(recovery);
  });

  test('k6 requests are binned by the second they ended: over 300 ms or failed counts as violating', () => {
    const origin = 1_000_000;
    const points = buildTimeline({
      records: [
        { endMs: origin + 100, durationMs: 20, failed: false },
        { endMs: origin + 900, durationMs: 301, failed: false },
        { endMs: origin + 1500, durationMs: 10, failed: true },
        { endMs: origin + 1600, durationMs: 299, failed: false },
        { endMs: origin + 9000, durationMs: 5, failed: false }, // after the trace: its last second
      ],
      originMs: origin,
      durationSeconds: 2,
      offered: () => 2,
      replicasAt: () => ({ replicas: 1, ready: 1 }),
    });
    expect(points.map((p) => [p.requests, p.violating, p.failed, p.servedRps])).toEqual([
      [2, 1, 0, 2],
      [3, 1, 1, 2],
    ]);
    const m = measure(points, []);
    expect([m.requests, m.violating, m.failed]).toEqual([5, 2, 1]);
  });

  test.each(['step', 'flash-crowd', 'ramp', 'cost-change'])(
    'the %s stages are whole numbers of RPS (k6 refuses a fractional target and exits before its first request)',
    (name) => {
      const stages = k6Stages(scenarioByName(name));
      expect(stages.every(([rps, seconds]) => Number.isInteger(rps) && seconds >= 1)).toBe(true);
      expect(stages.reduce((s, [, seconds]) => s + seconds, 0)).toBe(scenarioByName(name).durationSeconds);
    },
  );

  test('the 5x step becomes k6 stages: flat stretches, and a 1 s ramp at each change', () => {
    expect(k6Stages(scenarioByName('step'))).toEqual([
      [10, 60],
      [50, 1],
      [50, 119],
      [10, 1],
      [10, 59],
    ]);
  });
});
