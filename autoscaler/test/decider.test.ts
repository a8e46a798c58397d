import { clamp, decide, rateLimit, stabilize } from '../src/decider/decide.js';
import type { DeciderState } from '../src/decider/types.js';
import { INITIAL_STATE } from '../src/decider/types.js';
import type { MetricReading } from '../src/metrics/types.js';
import type { Load } from './support/fixtures.js';
import { changes, failed, ok, run, spec, T0, WARM } from './support/fixtures.js';

// Capacity 100 RPS per replica at utilisation 0.7 plans 70 RPS per replica throughout. The
// windows are pinned at 120 s (the defaults were 120 s when these tables were written; the
// referee tuned them to 60 s), so the tables keep their round numbers.
const base = spec({
  metrics: {
    prometheusUrl: 'http://127.0.0.1:9090',
    selector: '{service="images"}',
    longWindowSeconds: 120,
  },
  behavior: { scaleDown: { windowSeconds: 120, hysteresisReplicas: 0.5 } },
});

describe('one evaluation', () => {
  type Row = {
    label: string;
    replicas: number;
    ready?: number;
    reading: (now: number) => MetricReading;
    state?: Partial<DeciderState>;
    over?: Parameters<typeof spec>[0];
    outcome: string;
    desired: number;
    reason: string;
  };
  const at = (l: Load) => (now: number) => ok(now, l);
  const rows: Row[] = [
    {
      label: 'steady load at the planned 70 RPS per replica keeps 4 replicas',
      replicas: 4,
      reading: at({ rps: 280 }),
      outcome: 'Hold',
      desired: 4,
      reason: 'LoadMatchesCapacity',
    },
    {
      label: 'a 5x step (700 RPS on 2 replicas) goes to 10 in the evaluation that sees it',
      replicas: 2,
      reading: at({ rps: 700, rpsLong: 140 }),
      outcome: 'Scale',
      desired: 10,
      reason: 'LoadAboveCapacity',
    },
    {
      label: 'a rise that is not a burst waits for the scale-up window',
      replicas: 4,
      reading: at({ rps: 350 }),
      state: { recommendations: [{ at: T0 - 5000, replicas: 4 }] },
      outcome: 'Hold',
      desired: 4,
      reason: 'ScaleUpStabilized',
    },
    {
      label: 'p99 over the objective at planned load scales up and learns a lower capacity',
      replicas: 4,
      reading: at({ rps: 280, p99: 0.5 }),
      outcome: 'Scale',
      desired: 7,
      reason: 'LatencyAboveObjective',
    },
    {
      // Issue 12: "under the plan" is not "not busy" (a starved replica breaches under it); a load
      // never served within the objective is the load's. Learnt: max(floor 50, 0.9 x 40) = 50,
      // so 160 / (50 x 0.7) = 4.6 -> 5. (It held as LatencyNotExplainedByLoad.)
      label: 'p99 over the objective at 40 RPS per replica, a load never served within it, is the load: 5',
      replicas: 4,
      reading: at({ rps: 160, p99: 0.9 }),
      outcome: 'Scale',
      desired: 5,
      reason: 'LatencyAboveObjective',
    },
    {
      label:
        'p99 over the objective at 60 RPS per replica, which was served healthily a minute ago, is a slow dependency',
      replicas: 4,
      reading: at({ rps: 240, p99: 0.9 }),
      state: { healthy: { rpsPerReplica: 62, at: T0 - 60_000 } },
      outcome: 'Hold',
      desired: 4,
      reason: 'LatencyNotExplainedByLoad',
    },
    {
      label: 'a healthy load remembered for longer than 10 minutes no longer excuses a breach',
      replicas: 4,
      reading: at({ rps: 240, p99: 0.9 }),
      state: { healthy: { rpsPerReplica: 62, at: T0 - 700_000 } },
      outcome: 'Scale',
      desired: 7,
      reason: 'LatencyAboveObjective',
    },
    {
      label: 'a slow dependency does not stop scaling up for RPS that needs it',
      replicas: 2,
      reading: at({ rps: 280, p99: 0.9 }),
      state: { healthy: { rpsPerReplica: 150, at: T0 - 60_000 } },
      outcome: 'Scale',
      desired: 4,
      reason: 'LoadAboveCapacity',
    },
    {
      label: 'the bucket ratio below the quantile is a breach even when the p99 estimate looks fine',
      replicas: 4,
      reading: at({ rps: 280, p99: 0.29, within: 0.97 }),
      outcome: 'Scale',
      desired: 7,
      reason: 'LatencyAboveObjective',
    },
    {
      label: 'starting replicas count as capacity on the way',
      replicas: 8,
      ready: 4,
      reading: at({ rps: 420, p99: 0.5 }),
      outcome: 'Hold',
      desired: 8,
      reason: 'WaitingForStartingReplicas',
    },
    {
      label: 'an empty Prometheus result holds 10 replicas even though load is low',
      replicas: 10,
      reading: () => failed('EmptyResult'),
      outcome: 'NoData',
      desired: 10,
      reason: 'MetricsMissing',
    },
    {
      label: 'an HTTP error from Prometheus holds',
      replicas: 3,
      reading: () => failed('HttpError'),
      outcome: 'NoData',
      desired: 3,
      reason: 'MetricsUnavailable',
    },
    {
      label: 'a NaN rate holds',
      replicas: 3,
      reading: () => failed('NotANumber'),
      outcome: 'NoData',
      desired: 3,
      reason: 'MetricsInvalid',
    },
    {
      label: 'an infinite rate in a sample holds',
      replicas: 3,
      reading: at({ rps: Infinity }),
      outcome: 'NoData',
      desired: 3,
      reason: 'MetricsInvalid',
    },
    {
      label: 'a reading 60 s old is stale and holds',
      replicas: 6,
      reading: at({ rps: 10, age: 60 }),
      outcome: 'NoData',
      desired: 6,
      reason: 'MetricsStale',
    },
    {
      label: 'requests counted with no latency observed are contradictory and hold',
      replicas: 6,
      reading: at({ rps: 50, p99: null }),
      outcome: 'NoData',
      desired: 6,
      reason: 'MetricsContradictory',
    },
    {
      label: 'missing metrics still lift 0 replicas to the minimum of 2',
      replicas: 0,
      ready: 0,
      over: { minReplicas: 2 },
      reading: () => failed('Timeout'),
      outcome: 'Scale',
      desired: 2,
      reason: 'TooFewReplicas',
    },
    {
      label: 'the maximum of 6 caps a burst',
      replicas: 2,
      over: { maxReplicas: 6 },
      reading: at({ rps: 700 }),
      outcome: 'Scale',
      desired: 6,
      reason: 'TooManyReplicas',
    },
    {
      label: 'the minimum of 3 stops an idle service going lower',
      replicas: 3,
      over: { minReplicas: 3 },
      reading: at({ rps: 0, p99: null }),
      outcome: 'Hold',
      desired: 3,
      reason: 'TooFewReplicas',
    },
    {
      label: 'a scale-down right after a scale waits for the hold',
      replicas: 8,
      reading: at({ rps: 70 }),
      state: { lastScaleTime: T0 - 10_000 },
      outcome: 'Hold',
      desired: 8,
      reason: 'ScaleDownHold',
    },
    {
      label: 'a quiet service loses at most half its replicas per step',
      replicas: 8,
      reading: at({ rps: 70 }),
      outcome: 'Scale',
      desired: 4,
      reason: 'ScaleDownLimit',
    },
    {
      label: 'no scale-down while a burst is in progress',
      replicas: 10,
      reading: at({ rps: 70 }),
      state: { burstUntil: T0 + 60_000 },
      outcome: 'Hold',
      desired: 10,
      reason: 'BurstInProgress',
    },
    {
      label: 'without a configured capacity and no traffic nothing is known: hold',
      replicas: 2,
      over: { capacity: {} },
      reading: at({ rps: 0, p99: null }),
      outcome: 'Hold',
      desired: 2,
      reason: 'CapacityUnknown',
    },
  ];
  test.each(rows)('$label', (row) => {
    const s = row.over ? spec(row.over) : base;
    const { decision } = decide(
      {
        spec: s,
        target: { replicas: row.replicas, readyReplicas: row.ready ?? row.replicas },
        reading: row.reading(T0),
      },
      { ...WARM, ...row.state },
      T0,
    );
    expect({ outcome: decision.outcome, desired: decision.desiredReplicas, reason: decision.reason }).toEqual(
      {
        outcome: row.outcome,
        desired: row.desired,
        reason: row.reason,
      },
    );
  });
});

describe('capacity learning', () => {
  test.each([
    {
      label: 'a breach at 70 RPS per replica lowers a configured 100 to 63',
      capacity: 100,
      rps: 280,
      p99: 0.5,
      estimate: 63,
    },
    {
      label: 'a breach at 5x the planned load teaches nothing new (100 stays)',
      capacity: 100,
      rps: 1400,
      p99: 2,
      estimate: 100,
    },
    {
      label: 'healthy latency at 120 RPS per replica cannot raise past the configured 100',
      capacity: 100,
      rps: 480,
      p99: 0.1,
      estimate: 100,
    },
    {
      label: 'with no capacity configured, healthy latency at 50 RPS per replica learns 50',
      capacity: undefined,
      rps: 200,
      p99: 0.1,
      estimate: 50,
    },
    {
      label: 'with no capacity configured, a breach at 50 RPS per replica learns 45',
      capacity: undefined,
      rps: 200,
      p99: 0.4,
      estimate: 45,
    },
    {
      label: 'downstream latency at 20 RPS per replica leaves the estimate alone',
      capacity: 100,
      rps: 80,
      p99: 1.5,
      estimate: 100,
    },
  ])('$label', ({ capacity, rps, p99, estimate }) => {
    const s = spec({ capacity: capacity === undefined ? {} : { rpsPerReplica: capacity } });
    const { decision, state } = decide(
      { spec: s, target: { replicas: 4, readyReplicas: 4 }, reading: ok(T0, { rps, p99 }) },
      INITIAL_STATE,
      T0,
    );
    expect(decision.capacityEstimate).toBeCloseTo(estimate, 6);
    expect(state.capacityEstimate).toBeCloseTo(estimate, 6);
  });
});

describe('normalisation steps', () => {
  test.each([
    { label: '2 replicas may grow to 20 in one step (900%)', current: 2, desired: 30, expected: 20 },
    {
      label: '1 replica limited to +100 % may still grow by the 4-replica floor to 5',
      current: 1,
      desired: 30,
      expected: 5,
      percent: 100,
    },
    {
      label: '5 replicas may drop to 3 at most (half, rounded to keep more)',
      current: 5,
      desired: 1,
      expected: 3,
    },
    { label: 'a change inside the limits passes unchanged', current: 4, desired: 6, expected: 6 },
  ])('rate limit: $label', ({ current, desired, expected, percent }) => {
    const s =
      percent === undefined ? base : { ...base, scaleUp: { ...base.scaleUp, maxStepPercent: percent } };
    expect(rateLimit(s, current, desired).replicas).toBe(expected);
  });

  test.each([
    { label: 'below the minimum of 2 becomes 2', desired: 0, expected: 2, reason: 'TooFewReplicas' },
    { label: 'above the maximum of 8 becomes 8', desired: 9, expected: 8, reason: 'TooManyReplicas' },
    { label: 'inside the bounds is left alone', desired: 5, expected: 5, reason: null },
  ])('clamp: $label', ({ desired, expected, reason }) => {
    expect(clamp(spec({ minReplicas: 2, maxReplicas: 8 }), desired)).toEqual({ replicas: expected, reason });
  });

  test.each([
    {
      label: 'going down takes the highest of the last 120 s (8 from 100 s ago)',
      raw: 3,
      recs: [
        [100, 8],
        [50, 5],
        [0, 3],
      ],
      expected: 8,
    },
    {
      label: 'going down ignores recommendations older than 120 s',
      raw: 3,
      recs: [
        [130, 8],
        [0, 3],
      ],
      expected: 3,
    },
    {
      label: 'going up takes the lowest of the last 10 s (current 4 five seconds ago)',
      raw: 9,
      recs: [
        [5, 4],
        [0, 9],
      ],
      expected: 4,
    },
    {
      label: 'going up twice in a row acts on the lower of the two',
      raw: 9,
      recs: [
        [5, 7],
        [0, 9],
      ],
      expected: 7,
    },
  ])('stabilize: $label', ({ raw, recs, expected }) => {
    const r = recs.map(([ago, replicas]) => ({ at: T0 - (ago ?? 0) * 1000, replicas: replicas ?? 0 }));
    expect(stabilize(base, 5 < raw ? 4 : 9, raw, r, T0, false).replicas).toBe(expected);
  });
});

describe('over time (5 s evaluations, hand-advanced clock)', () => {
  test('a slow ramp from 100 to 600 RPS over 10 minutes only ever scales up, ending at 9', () => {
    const ticks = run({
      spec: base,
      replicas: 2,
      seconds: 600,
      load: (t) => ({ rps: 100 + (500 * t) / 600 }),
    });
    const counts = ticks.map((t) => t.replicas);
    expect(counts.every((n, i) => i === 0 || n >= (counts[i - 1] ?? 0))).toBe(true);
    expect(counts.at(-1)).toBe(9); // 600 / 70 = 8.6 -> 9
  });

  test('a burst to 1400 RPS for 20 s is met at once, held through the burst, then released in halves', () => {
    const ticks = run({
      spec: base,
      replicas: 4,
      seconds: 600,
      load: (t) => (t >= 60 && t < 80 ? { rps: 1400, rpsLong: 300 } : { rps: 230 }),
    });
    const at = (s: number) => ticks.find((t) => t.at === s)?.replicas;
    expect(at(60)).toBe(20); // 1400 / 70 = 20, acted on in the first evaluation of the burst
    // No scale-down during the burst window (120 s after its last sign).
    expect(ticks.filter((t) => t.at >= 60 && t.at < 75 + 120).every((t) => t.replicas === 20)).toBe(true);
    // Then at most half per step: 20 -> 10 -> 5 -> 4 (230 RPS = 3.3 replicas, +0.5 band -> 4).
    const downs = ticks.filter((t) => t.decision.outcome === 'Scale' && t.at > 60).map((t) => t.replicas);
    expect(downs).toEqual([10, 5, 4]);
  });

  test.each([
    {
      label: 'between 300 and 340 RPS (4.3 and 4.9 replicas) settles at 5 and never flaps',
      low: 300,
      high: 340,
      maxChanges: 1,
    },
    {
      label: 'between 250 and 400 RPS (3.6 and 5.7 replicas) settles at 6 and never flaps',
      low: 250,
      high: 400,
      maxChanges: 1,
    },
  ])('oscillating load every 30 s $label', ({ low, high, maxChanges }) => {
    const ticks = run({
      spec: base,
      replicas: 4,
      seconds: 900,
      load: (t) => ({ rps: Math.floor(t / 30) % 2 ? high : low }),
    });
    expect(changes(ticks)).toBeLessThanOrEqual(maxChanges);
  });

  test('a downstream latency spike at flat RPS with the CPU per request unchanged leaves the replicas alone and says why', () => {
    const ticks = run({
      spec: base,
      replicas: 4,
      seconds: 300,
      // 240 RPS at 1 ms of CPU each: 0.24 cores throughout, before and during the spike.
      load: (t) => ({ rps: 240, p99: t > 60 && t < 200 ? 1.2 : 0.08, cpu: 0.24 }),
    });
    expect(changes(ticks)).toBe(0);
    expect(ticks.find((t) => t.at === 100)?.decision.reason).toBe('DownstreamSlowdown');
  });

  test('without a CPU series, latency the load does not explain holds for 60 s, then is treated as load until replicas are too idle to blame', () => {
    const ticks = run({
      spec: base,
      replicas: 4,
      seconds: 300,
      load: (t) => ({ rps: 240, p99: t > 60 && t < 200 ? 1.2 : 0.08 }),
    });
    expect(ticks.find((t) => t.at === 100)?.decision.reason).toBe('LatencyNotExplainedByLoad');
    const ups = ticks.filter((t) => t.decision.reason === 'UnexplainedLatencyTimeout').map((t) => t.at);
    // The breach is first seen at 65 s: the bound runs out at 125 s.
    expect(ups).toEqual([125]);
    // Then it is the load's (capacity learnt 54, floor 50), and each load per replica after it
    // was never served within the objective: one replica per 10 s until the breach ends at 200 s
    // (13). It would stop at 14, where 240 RPS is under half the plan per replica (17.1 < 0.5 x
    // 35) and the low-load rule holds again. (Before issue 12 it stopped at 9, at 80 % of the plan
    // with no healthy memory: the rule that also held a starved replica, see decider-faults.)
    expect(Math.max(...ticks.map((t) => t.replicas))).toBe(13);
    expect(
      ticks
        .filter((t) => t.at > 130 && t.at <= 195)
        .every((t) => t.decision.reason !== 'LatencyNotExplainedByLoad'),
    ).toBe(true);
  });

  test('ten minutes of NaN and stale readings over a quiet service never scale it down', () => {
    const ticks = run({
      spec: base,
      replicas: 10,
      seconds: 600,
      load: (t) => (t % 10 === 0 ? failed('NotANumber') : { rps: 10, age: 90 }),
    });
    expect(changes(ticks)).toBe(0);
    expect(ticks.every((t) => t.decision.outcome === 'NoData')).toBe(true);
  });

  test('replicas that take 30 s to start are not requested twice for the same 5x step', () => {
    const ticks = run({
      spec: base,
      replicas: 2,
      seconds: 120,
      startupSeconds: 30,
      load: (t, ready) => {
        const rps = t < 5 ? 140 : 700;
        return { rps, rpsLong: 140, p99: rps / ready > 80 ? 0.8 : 0.1 };
      },
    });
    expect(Math.max(...ticks.map((t) => t.replicas))).toBeLessThanOrEqual(12);
    expect(ticks.at(-1)?.replicas).toBeGreaterThanOrEqual(10);
  });
});

describe('the worked example of the README, row by row (state carried, clock set per row)', () => {
  let state: DeciderState = WARM;
  test.each([
    {
      t: 0,
      replicas: 4,
      ready: 4,
      rps: 280,
      rpsLong: 280,
      p99: 0.12,
      desired: 4,
      reason: 'LoadMatchesCapacity',
    },
    {
      t: 5,
      replicas: 4,
      ready: 4,
      rps: 1400,
      rpsLong: 400,
      p99: 0.18,
      desired: 20,
      reason: 'LoadAboveCapacity',
    },
    {
      t: 10,
      replicas: 20,
      ready: 4,
      rps: 1400,
      rpsLong: 600,
      p99: 0.9,
      desired: 20,
      reason: 'WaitingForStartingReplicas',
    },
    {
      t: 90,
      replicas: 20,
      ready: 20,
      rps: 230,
      rpsLong: 300,
      p99: 0.09,
      desired: 20,
      reason: 'ScaleDownStabilized',
    },
    {
      t: 200,
      replicas: 20,
      ready: 20,
      rps: 230,
      rpsLong: 230,
      p99: 0.09,
      desired: 10,
      reason: 'ScaleDownLimit',
    },
    {
      t: 230,
      replicas: 10,
      ready: 10,
      rps: 230,
      rpsLong: 230,
      p99: 0.09,
      desired: 5,
      reason: 'ScaleDownLimit',
    },
    {
      t: 260,
      replicas: 5,
      ready: 5,
      rps: 230,
      rpsLong: 230,
      p99: 0.09,
      desired: 4,
      reason: 'LoadBelowCapacity',
    },
    {
      t: 300,
      replicas: 4,
      ready: 4,
      rps: 240,
      rpsLong: 240,
      p99: 1.2,
      desired: 4,
      reason: 'LatencyNotExplainedByLoad',
    },
  ])('at $t s with $replicas replicas ($ready ready), $rps RPS and p99 $p99 s: $desired ($reason)', (row) => {
    const now = T0 + row.t * 1000;
    const r = decide(
      {
        spec: base,
        target: { replicas: row.replicas, readyReplicas: row.ready },
        reading: ok(now, { rps: row.rps, rpsLong: row.rpsLong, p99: row.p99 }),
      },
      state,
      now,
    );
    state = r.state;
    expect({ desired: r.decision.desiredReplicas, reason: r.decision.reason }).toEqual({
      desired: row.desired,
      reason: row.reason,
    });
  });
});
