// The referee is pinned before anyone is judged by it: its HPA gives the HPA's own answers, its
// replica gives queueing theory's answer, its PromQL gives Prometheus's answers.
import { Cluster } from '../cluster.js';
import { IMAGES_250M } from '../model.js';
import type { ServiceModel } from '../model.js';
import { externalPerPodReplicas, HpaNormalizer, resourceReplicas } from '../policies/hpa.js';
import type { PodCpu, PodView } from '../policies/types.js';
import { histogramQuantile, rate } from '../promql.js';
import { exponential, seeded } from '../rng.js';

const NOW = 10_000;

/**
 * Pods as kubernetes/kubernetes v1.33 replica_calculator_test.go builds them: started long ago
 * (past the 5 min CPU initialisation), Running unless a phase is given; an unready pod never
 * became ready (its Ready condition last changed when it started); one CPU core requested.
 * `levels` are millicores for the first pods; pods beyond them have no metric.
 */
function pods(
  readiness: boolean[],
  levels: number[],
  opts: { pending?: boolean[]; deleting?: boolean[] } = {},
): { pods: PodView[]; metrics: Map<number, PodCpu> } {
  const list = readiness.map((ready, id) => ({
    id,
    phase: opts.pending?.[id] ? ('Pending' as const) : ('Running' as const),
    ready,
    startTime: NOW - 3600,
    readyTransitionTime: ready ? NOW - 3590 : NOW - 3600,
    deleting: opts.deleting?.[id] ?? false,
  }));
  const metrics = new Map<number, PodCpu>();
  levels.forEach((milli, id) => metrics.set(id, { cores: milli / 1000, timestamp: NOW - 10, window: 30 }));
  return { pods: list, metrics };
}

const ready = (n: number) => Array.from({ length: n }, () => true);

describe('the ported HPA gives the replica counts of the HPA test tables (replica_calculator_test.go, v1.33)', () => {
  test.each([
    {
      name: 'TestReplicaCalcScaleUp',
      current: 3,
      readiness: ready(3),
      levels: [300, 500, 700],
      target: 30,
      expected: 5,
      utilization: 50,
    },
    {
      name: 'TestReplicaCalcScaleUpUnreadyLessScale',
      current: 3,
      readiness: [false, true, true],
      levels: [300, 500, 700],
      target: 30,
      expected: 4,
      utilization: 60,
    },
    {
      name: 'TestReplicaCalcScaleUpUnreadyNoScale',
      current: 3,
      readiness: [true, false, false],
      levels: [400, 500, 700],
      target: 30,
      expected: 3,
      utilization: 40,
    },
    {
      name: 'TestReplicaCalcScaleDown',
      current: 5,
      readiness: ready(5),
      levels: [100, 300, 500, 250, 250],
      target: 50,
      expected: 3,
      utilization: 28,
    },
    {
      name: 'TestReplicaCalcScaleDownIncludeUnreadyPods',
      current: 5,
      readiness: [true, true, true, false, false],
      levels: [100, 300, 500, 250, 250],
      target: 50,
      expected: 2,
      utilization: 30,
    },
    {
      name: 'TestReplicaCalcTolerance (requests 1.0 each here)',
      current: 3,
      readiness: ready(3),
      levels: [1010, 1030, 1020],
      target: 100,
      expected: 3,
      utilization: 102,
    },
    {
      name: 'TestReplicaCalcMissingMetrics',
      current: 4,
      readiness: ready(4),
      levels: [400, 95],
      target: 100,
      expected: 3,
      utilization: 24,
    },
    {
      name: 'TestReplicaCalcMissingMetricsNoChangeEq',
      current: 2,
      readiness: ready(2),
      levels: [1000],
      target: 100,
      expected: 2,
      utilization: 100,
    },
    {
      name: 'TestReplicaCalcMissingMetricsNoChangeGt',
      current: 2,
      readiness: ready(2),
      levels: [1900],
      target: 100,
      expected: 2,
      utilization: 190,
    },
    {
      name: 'TestReplicaCalcMissingMetricsNoChangeLt',
      current: 2,
      readiness: ready(2),
      levels: [600],
      target: 100,
      expected: 2,
      utilization: 60,
    },
    {
      name: 'TestReplicaCalcMissingMetricsUnreadyChange',
      current: 3,
      readiness: [false, true, true],
      levels: [100, 450],
      target: 50,
      expected: 3,
      utilization: 45,
    },
    {
      name: 'TestReplicaCalcMissingMetricsUnreadyScaleUp',
      current: 3,
      readiness: [false, true, true],
      levels: [100, 2000],
      target: 50,
      expected: 4,
      utilization: 200,
    },
    {
      name: 'TestReplicaCalcMissingMetricsUnreadyScaleDown',
      current: 4,
      readiness: [false, true, true, true],
      levels: [100, 100, 100],
      target: 50,
      expected: 3,
      utilization: 10,
    },
  ])('$name: $current -> $expected', ({ current, readiness, levels, target, expected, utilization }) => {
    const p = pods(readiness, levels);
    expect(resourceReplicas(current, p.pods, p.metrics, 1, target, NOW)).toEqual({
      replicas: expected,
      utilization,
    });
  });

  test('TestReplicaCalcScaleDownExcludeUnscheduledPods: 5 -> 1 (pending pods count as unready)', () => {
    const p = pods([true, false, false, false, false], [100], { pending: [false, true, true, true, true] });
    expect(resourceReplicas(5, p.pods, p.metrics, 1, 50, NOW)?.replicas).toBe(1);
  });

  test('TestReplicaCalcScaleUpIgnoresDeletionPods: 2 -> 4 (pods being deleted are ignored)', () => {
    const p = pods([true, true, false, false], [500, 700], { deleting: [false, false, true, true] });
    expect(resourceReplicas(2, p.pods, p.metrics, 1, 30, NOW)?.replicas).toBe(4);
  });

  test.each([
    { name: 'TestReplicaCalcScaleUpPerPodCMExternal', current: 3, total: 8600, perPod: 2150, expected: 4 },
    { name: 'TestReplicaCalcScaleDownPerPodCMExternal', current: 5, total: 8600, perPod: 2867, expected: 3 },
    { name: 'TestReplicaCalcTolerancePerPodCMExternal', current: 3, total: 8600, perPod: 2900, expected: 3 },
  ])(
    '$name (External AverageValue, as KEDA feeds it): $current -> $expected',
    ({ current, total, perPod, expected }) => {
      expect(externalPerPodReplicas(current, total, perPod)).toBe(expected);
    },
  );

  test('the default behavior: up by max(4 pods, 100 %) per 15 s; down held by the highest recommendation of 300 s', () => {
    const h = new HpaNormalizer();
    expect(h.normalize(2, 20, 1, 30, 0)).toBe(6); // max(2 + 4, 2 x 2)
    h.recordScale(2, 6, 0);
    expect(h.normalize(6, 20, 1, 30, 5)).toBe(6); // still within the same 15 s period
    expect(h.normalize(6, 20, 1, 30, 16)).toBe(12); // next period: max(6 + 4, 6 x 2)
    h.recordScale(6, 12, 16);
    expect(h.normalize(12, 3, 1, 30, 100)).toBe(12); // 20 was recommended within 300 s: no way down
    expect(h.normalize(12, 3, 1, 30, 400)).toBe(3); // 300 s later only 3s remain; -100 % per 15 s allows it
  });
});

describe('one replica without a CPU quota and with exponential service times is an M/M/1 queue', () => {
  // Response time of FIFO M/M/1 is exponential with rate mu - lambda: p99 = ln(100) / (mu - lambda).
  // Mean service 4 ms (mu 250/s) at 200 RPS: p99 = 4.605 / 50 = 92.1 ms, mean 20 ms.
  const mm1: ServiceModel = {
    ...IMAGES_250M,
    cpuMeanMs: 4,
    cpuDistribution: 'exponential',
    burstProbability: 0,
    waitMs: 0,
    quotaMs: 100,
    periodMs: 100,
    maxInFlight: 100_000,
  };

  test.each([
    { lambda: 100, p99: Math.log(100) / (250 - 100) },
    { lambda: 200, p99: Math.log(100) / (250 - 200) },
  ])('at $lambda RPS the simulated p99 is within 5 % of $p99 s (300 000 requests)', ({ lambda, p99 }) => {
    const cluster = new Cluster(mm1, seeded(7), 1, 0);
    const arrivals = seeded(11);
    const latencies = new Float64Array(300_000);
    let t = 0;
    for (let i = 0; i < latencies.length; i++) {
      t += exponential(arrivals, 1 / lambda);
      latencies[i] = cluster.request(t).latency;
    }
    latencies.sort();
    const simulated = latencies[Math.floor(0.99 * latencies.length)]!;
    expect(Math.abs(simulated / p99 - 1)).toBeLessThan(0.05);
  });
});

describe('the CFS quota: 250m lets a replica run 25 ms in every 100 ms', () => {
  test('40 ms of work arriving at t = 0 finishes at 115 ms (25 ms, throttled to 100 ms, 15 ms more)', () => {
    const model: ServiceModel = {
      ...IMAGES_250M,
      cpuMeanMs: 40,
      cpuCv: 0.000001,
      burstProbability: 0,
      waitMs: 0,
    };
    const c = new Cluster(model, seeded(1), 1, 0);
    expect(c.request(0).latency).toBeCloseTo(0.115, 3);
  });
});

// Issue 12: the closed loop on real replicas showed two things the model lacked: a replica's CPU
// without requests (which inflates CPU per request at low load) and a node that grants less than
// the quota (a starved replica).
describe('what the closed loop added: idle CPU and a node that grants less than the quota', () => {
  const steady: ServiceModel = {
    ...IMAGES_250M,
    cpuMeanMs: 40,
    cpuCv: 0.000001,
    burstProbability: 0,
    waitMs: 0,
  };

  test.each([
    { label: 'the whole 250m quota', grant: 1, idle: 0, done: 0.115 },
    { label: 'half the quota (12.5 ms per 100 ms)', grant: 0.5, idle: 0, done: 0.3025 },
    {
      label: 'the whole quota less 5 ms/s of idle CPU (24.5 ms per 100 ms)',
      grant: 1,
      idle: 5,
      done: 0.1155,
    },
  ])('40 ms of work granted $label finishes at $done s', ({ grant, idle, done }) => {
    // 12.5 ms in each of periods 0-2 (37.5 ms), 2.5 ms more at 300 ms: 302.5 ms; idle 5 ms/s
    // takes 0.5 ms of each 100 ms period: 24.5 then 15.5 ms, done at 115.5 ms.
    const c = new Cluster({ ...steady, idleCpuMsPerSecond: idle }, seeded(1), 1, 0);
    c.cpuGrant = grant;
    expect(c.request(0).latency).toBeCloseTo(done, 4);
  });

  test('idle CPU is counted in process_cpu_seconds_total: 5 ms/s over 10 s with no request is 0.05 s', () => {
    const c = new Cluster({ ...steady, idleCpuMsPerSecond: 5 }, seeded(1), 1, 0);
    c.advance(10);
    expect(c.replicas[0]!.counters.cpuSeconds).toBeCloseTo(0.05, 9);
  });
});

describe('rate() as Prometheus computes it (promql/functions.go extrapolatedRate)', () => {
  test.each([
    {
      label:
        'samples near both edges extrapolate to the window: 150 over 15 s sampled, in a 20 s window -> 10/s',
      t: [1, 6, 11, 16],
      v: [50, 100, 150, 200],
      expected: 10,
    },
    {
      label:
        'a counter that starts at 0 is not extrapolated before its first sample (first-window under-report) -> 9.5/s',
      t: [1, 6, 11, 16],
      v: [0, 50, 100, 150],
      expected: 9.5,
    },
    {
      label:
        'a gap at the start of more than 1.1 sample intervals extrapolates only half an interval: 100 x (10 + 2.5 + 2) / 10 / 20 -> 7.25/s',
      t: [8, 13, 18],
      v: [100, 150, 200],
      expected: 7.25,
    },
    {
      label:
        'a counter reset counts the new value as the increase: 50, 100, 20, 70 -> 50 + 20 + 50 = 120 -> 8/s',
      t: [1, 6, 11, 16],
      v: [50, 100, 20, 70],
      expected: 8,
    },
  ])('$label', ({ t, v, expected }) => {
    expect(rate({ t, v }, 20, 20)).toBeCloseTo(expected, 9);
  });

  test('a window holding one sample has no value', () => {
    expect(rate({ t: [1, 6, 11, 16], v: [1, 2, 3, 4] }, 20, 4)).toBeNull();
  });
});

describe('histogram_quantile() as Prometheus computes it (promql/quantile.go)', () => {
  const b = (...pairs: [number, number][]) => pairs.map(([le, count]) => ({ le, count }));
  test.each([
    {
      label: 'p99 of 90 / 99 / 100 interpolates inside (0.1, 0.3]: 0.3',
      q: 0.99,
      buckets: b([0.1, 90], [0.3, 99], [Infinity, 100]),
      expected: 0.3,
    },
    {
      label: 'p50 interpolates from 0 inside the first bucket: 0.1 x 50/90',
      q: 0.5,
      buckets: b([0.1, 90], [0.3, 99], [Infinity, 100]),
      expected: (0.1 * 50) / 90,
    },
    {
      label: 'a rank in the +Inf bucket answers the highest finite bound',
      q: 0.995,
      buckets: b([0.1, 90], [0.3, 99], [Infinity, 100]),
      expected: 0.3,
    },
  ])('$label', ({ q, buckets, expected }) => {
    expect(histogramQuantile(q, buckets)).toBeCloseTo(expected, 9);
  });

  test('no observations give NaN', () => {
    expect(histogramQuantile(0.99, b([0.1, 0], [Infinity, 0]))).toBeNaN();
  });
});
