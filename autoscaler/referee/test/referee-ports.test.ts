// The baselines' ports pinned to their upstreams' own test rows, before anyone is judged by them:
// Knative's KPA to knative/serving pkg/autoscaler/scaling/autoscaler_test.go, KEDA's fallback to
// kedacore/keda pkg/fallback/fallback_test.go, KEDA's Prometheus scaler to what
// prometheus_scaler.go does with each kind of answer. Then the simulated pipelines they read:
// the KPA counts every arriving request, KEDA queries at every HPA sync, runs start warm.
import { externalPerPodReplicas } from '../policies/hpa.js';
import { IMAGES_250M } from '../model.js';
import { Keda, Kpa, KpaDecider, prometheusScalerValue, withFallback } from '../policies/baselines.js';
import type { KpaSpec } from '../policies/baselines.js';
import type { Policy, World } from '../policies/types.js';
import { simulate } from '../sim.js';
import type { Trace } from '../traces.js';

/** The decider spec autoscaler_test.go's newTestAutoscaler builds: panic at 200 %, rates 10. */
const upstream = (targetValue: number, over: Partial<KpaSpec> = {}): KpaDecider =>
  new KpaDecider({
    targetValue,
    panicThreshold: 2,
    maxScaleUpRate: 10,
    maxScaleDownRate: 10,
    stableWindowSeconds: 60,
    ...over,
  });

describe('the KPA port gives the pod counts of autoscaler_test.go (knative/serving)', () => {
  test.each([
    { label: 'AutoscalerStableModeNoChange', target: 10, stable: 50, panic: 50, ready: 1, want: 5 },
    {
      label: 'AutoscalerStableModeNoChangeAlreadyScaled',
      target: 10,
      stable: 50,
      panic: 50,
      ready: 5,
      want: 5,
    },
    { label: 'AutoscalerPanicModeDoublePodCount', target: 10, stable: 50, panic: 100, ready: 1, want: 10 },
    {
      label: 'AutoscalerStableModeIncreaseWithSmallScaleUpRate',
      target: 1,
      stable: 3,
      panic: 3.1,
      ready: 2,
      want: 3,
      over: { maxScaleUpRate: 1.1 },
    },
    {
      label: 'AutoscalerStableModeDecreaseWithSmallScaleDownRate',
      target: 10,
      stable: 1,
      panic: 1,
      ready: 100,
      want: 90,
      over: { maxScaleDownRate: 1.1 },
    },
    {
      label: 'AutoscalerRateLimitScaleUp (first step x10)',
      target: 10,
      stable: 1000,
      panic: 1001,
      ready: 1,
      want: 10,
    },
    {
      label: 'AutoscalerRateLimitScaleUp (second step x10)',
      target: 10,
      stable: 1000,
      panic: 1001,
      ready: 10,
      want: 100,
    },
    {
      label: 'AutoscalerRateLimitScaleDown (first step /10)',
      target: 10,
      stable: 1,
      panic: 1,
      ready: 100,
      want: 10,
    },
    {
      label: 'AutoscalerRateLimitScaleDown (second step /10)',
      target: 10,
      stable: 1,
      panic: 1,
      ready: 10,
      want: 1,
    },
    {
      label: 'AutoscalerUseOnePodAsMinimumIfEndpointsNotFound',
      target: 10,
      stable: 1000,
      panic: 888,
      ready: 0,
      want: 10,
    },
  ])(
    '$label: stable $stable, panic $panic, $ready ready -> $want',
    ({ target, stable, panic, ready, want, over }) => {
      expect(upstream(target, over).scale(stable, panic, ready, 0)).toBe(want);
    },
  );

  test.each([
    { label: 'AutoscalerPanicStableLargerThanPanic', stable: 50, panic: 30, want: 50 },
    { label: 'AutoscalerPanicStableLessThanPanic', stable: 20, panic: 30, want: 30 },
  ])('$label: panicking with 5 pods, stable $stable and panic $panic -> $want', ({ stable, panic, want }) => {
    const a = upstream(1);
    a.panicTime = -5;
    a.maxPanicPods = 5;
    expect(a.scale(stable, panic, 5, 0)).toBe(want);
  });

  test.each([
    {
      label:
        'AutoscalerPanicThenUnPanicScaleDown: no scale-down while panicking, down once the stable window passed',
      target: 10,
      steps: [
        { t: 0, stable: 100, panic: 100, ready: 1, want: 10 },
        { t: 0, stable: 100, panic: 1000, ready: 10, want: 100 },
        { t: 30, stable: 1, panic: 1, ready: 10, want: 100 },
        { t: 61, stable: 1, panic: 1, ready: 10, want: 1 },
      ],
    },
    {
      label:
        'AutoscalerUnpanicAfterSlowIncrease: panic holds its start while under the threshold, ends after 60 s',
      target: 1,
      steps: [
        { t: 0, stable: 11, panic: 25, ready: 10, want: 25 },
        { t: 30, stable: 30, panic: 41, ready: 40, want: 41 },
        { t: 62, stable: 50, panic: 56, ready: 55, want: 50 },
      ],
    },
    {
      label: 'AutoscalerExtendPanicWindow: still over the threshold, panic goes on',
      target: 1,
      steps: [
        { t: 0, stable: 11, panic: 25, ready: 10, want: 25 },
        { t: 30, stable: 30, panic: 80, ready: 40, want: 80 },
      ],
    },
    {
      label: 'AutoscalerPanicModeExponentialTrackAndStabilize: 6, 36, 216, 1296 and it stays',
      target: 1,
      steps: [
        { t: 0, stable: 6, panic: 6, ready: 1, want: 6 },
        { t: 0, stable: 36, panic: 36, ready: 6, want: 36 },
        { t: 1, stable: 216, panic: 216, ready: 36, want: 216 },
        { t: 1, stable: 1296, panic: 1296, ready: 216, want: 1296 },
        { t: 2, stable: 1296, panic: 1296, ready: 1296, want: 1296 },
      ],
    },
    {
      label:
        'ours, not upstream: ceil(31 / 10) = 4 pods over 2 ready is 200 % and panics (31 / 10 / 2 = 1.55 would not), so a stable 1 asks for 4',
      target: 10,
      steps: [
        { t: 0, stable: 10, panic: 31, ready: 2, want: 4 },
        { t: 2, stable: 10, panic: 10, ready: 4, want: 4 },
      ],
    },
  ])('$label', ({ target, steps }) => {
    const a = upstream(target);
    expect(steps.map((s) => a.scale(s.stable, s.panic, s.ready, s.t))).toEqual(steps.map((s) => s.want));
  });
});

describe("KEDA's fallback gives the answers of fallback_test.go (kedacore/keda)", () => {
  const fallback = { failureThreshold: 3, replicas: 10 };
  test.each([
    {
      label: 'should return the expected metric when fallback is disabled',
      reading: { kind: 'ok' as const, value: 5 },
      failures: 0,
      fb: null,
      want: { kind: 'ok', value: 5 },
      failuresAfter: 0,
    },
    {
      label: 'should reset the health status when scaler metrics are available',
      reading: { kind: 'ok' as const, value: 6 },
      failures: 5,
      fb: fallback,
      want: { kind: 'ok', value: 6 },
      failuresAfter: 0,
    },
    {
      label: 'should propagate the error when fallback is disabled',
      reading: { kind: 'error' as const, message: 'some error' },
      failures: 0,
      fb: null,
      want: { kind: 'error', message: 'some error' },
      failuresAfter: 1,
    },
    {
      label: 'should bump the number of failures when metrics call fails',
      reading: { kind: 'error' as const, message: 'some error' },
      failures: 0,
      fb: fallback,
      want: { kind: 'error', message: 'some error' },
      failuresAfter: 1,
    },
    {
      label: 'should return a normalised metric when number of failures are beyond threshold',
      reading: { kind: 'error' as const, message: 'some error' },
      failures: 3,
      fb: fallback,
      want: { kind: 'ok', value: 100 },
      failuresAfter: 4,
    },
    {
      label: 'should return error when fallback is enabled but scaledobject has invalid parameter',
      reading: { kind: 'error' as const, message: 'some error' },
      failures: 3,
      fb: { failureThreshold: -3, replicas: 10 },
      want: { kind: 'error', message: 'some error' },
      failuresAfter: 4,
    },
    {
      label: 'ours, not upstream: the third failure is not yet more than 3',
      reading: { kind: 'error' as const, message: 'some error' },
      failures: 2,
      fb: fallback,
      want: { kind: 'error', message: 'some error' },
      failuresAfter: 3,
    },
  ])('$label', ({ reading, failures, fb, want, failuresAfter }) => {
    const r = withFallback(reading, failures, 10, fb);
    expect(r.result).toEqual(want);
    expect(r.failures).toBe(failuresAfter);
  });

  test('the fallback value 100 at an AverageValue of 10 makes the HPA ask for the 10 fallback replicas', () => {
    expect(externalPerPodReplicas(2, 100, 10)).toBe(10);
  });
});

describe("KEDA's Prometheus scaler reads each kind of answer as prometheus_scaler.go does", () => {
  test.each([
    { label: 'one series: its value', series: [412.5], ignore: true, want: { kind: 'ok', value: 412.5 } },
    {
      label: 'an empty result with ignoreNullValues (the default): 0',
      series: [],
      ignore: true,
      want: { kind: 'ok', value: 0 },
    },
    {
      label: 'an empty result without ignoreNullValues: an error',
      series: [],
      ignore: false,
      want: { kind: 'error' },
    },
    { label: 'several series: an error', series: [1, 2], ignore: true, want: { kind: 'error' } },
    {
      label: '+Inf with ignoreNullValues: 0',
      series: [Infinity],
      ignore: true,
      want: { kind: 'ok', value: 0 },
    },
    {
      label: '+Inf without ignoreNullValues: an error',
      series: [Infinity],
      ignore: false,
      want: { kind: 'error' },
    },
  ])('$label', ({ series, ignore, want }) => {
    expect(prometheusScalerValue({ kind: 'ok', series }, ignore)).toMatchObject(want);
  });

  test('a failed request is an error', () => {
    expect(prometheusScalerValue({ kind: 'error', message: 'connection refused' })).toMatchObject({
      kind: 'error',
    });
  });
});

/** A world whose Prometheus answers `rps` (null: the server is down), counting the queries. */
function promWorld(rps: () => number | null): { world: World; queries: () => number; scaled: number[] } {
  let queries = 0;
  const scaled: number[] = [];
  let replicas = 2;
  const world: World = {
    now: 0,
    get replicas() {
      return replicas;
    },
    get readyReplicas() {
      return replicas;
    },
    pods: () => [],
    podCpu: () => null,
    prometheus: () => {
      const v = rps();
      if (v === null) return null;
      return {
        sumRate: () => {
          queries++;
          return v;
        },
        quantile: () => null,
        newestSample: () => null,
      };
    },
    knativeRps: () => null,
    routerQuantile: () => null,
    scale: (n) => {
      replicas = n;
      scaled.push(n);
    },
  };
  return { world, queries: () => queries, scaled };
}

describe('the KEDA port at each HPA sync', () => {
  test('queries Prometheus at every 15 s sync (useCachedMetrics false): 4 syncs, 4 queries', () => {
    const { world, queries } = promWorld(() => 300);
    const keda = new Keda(150, { minReplicas: 1, maxReplicas: 30 }, 6);
    for (let i = 1; i <= 4; i++) {
      world.now = i * 15;
      keda.evaluate(world);
    }
    expect(queries()).toBe(4);
  });

  test('in an outage holds for 3 failed syncs and goes to the fallback replicas at the 4th (60 s)', () => {
    const { world, scaled } = promWorld(() => null);
    const keda = new Keda(150, { minReplicas: 1, maxReplicas: 30 }, 6);
    const asked: number[] = [];
    for (let i = 1; i <= 4; i++) {
      world.now = i * 15;
      keda.evaluate(world);
      asked.push(world.replicas);
    }
    expect(asked).toEqual([2, 2, 2, 6]);
    expect(scaled).toEqual([6]);
  });
});

/** A constant load on one replica for the pipeline tests. */
const flat = (rps: number, seconds: number, extra: Partial<Trace> = {}): Trace => ({
  name: 'flat',
  description: 'flat',
  durationSeconds: seconds,
  rps: () => rps,
  initialReplicas: 1,
  ...extra,
});

/** A policy that only records what a reader returns at each of its periods. */
class Probe implements Policy {
  readonly family = 'probe';
  readonly setting = '-';
  readonly periodSeconds = 2;
  readonly seen: { now: number; value: number | null; replicas: number }[] = [];
  constructor(private readonly read: (w: World) => number | null) {}
  evaluate(w: World): void {
    this.seen.push({ now: w.now, value: this.read(w), replicas: w.replicas });
  }
}

const options = { model: IMAGES_250M, minReplicas: 1, maxReplicas: 30, timeline: false };

describe("the KPA's signal: every request as it arrives, at the pods, every second", () => {
  test('at 2 000 RPS on one replica (most rejected: over 256 in flight) the KPA reads about 2 000, not what was served', async () => {
    const probe = new Probe((w) => w.knativeRps(6));
    const r = await simulate(flat(2000, 30), probe, 1, options);
    expect(r.failed).toBeGreaterThan(r.requests / 2);
    const last = probe.seen.at(-1)!.value!;
    expect(last).toBeGreaterThan(1900);
    expect(last).toBeLessThan(2100);
  });

  test("in concurrency mode, 100 RPS each waiting 400 ms on the database read as about 40 in flight (Little's law)", async () => {
    const probe = new Probe((w) => w.knativeConcurrency?.(60) ?? null);
    const rps = new Probe((w) => w.knativeRps(60));
    const both: Policy = {
      family: 'probe',
      setting: '-',
      periodSeconds: 2,
      evaluate: (w) => {
        probe.evaluate(w);
        rps.evaluate(w);
      },
    };
    await simulate(flat(100, 62, { extraWait: () => 0.4 }), both, 3, options);
    const inFlight = probe.seen.at(-1)!.value!;
    const rate = rps.seen.at(-1)!.value!;
    // Each request spends 400 ms waiting plus a few ms of CPU and the database's 2.5 ms.
    expect(inFlight / rate).toBeGreaterThan(0.4);
    expect(inFlight / rate).toBeLessThan(0.43);
  });

  test('the KPA in RPS mode meets 2 000 RPS on one replica by panicking to ceil(2 000 / (210 x 0.7)) = 14 at its first tick', async () => {
    const kpa = new Kpa(210, { minReplicas: 1, maxReplicas: 30 });
    const seen: number[] = [];
    const wrapped: Policy = {
      family: kpa.family,
      setting: kpa.setting,
      periodSeconds: kpa.periodSeconds,
      evaluate: (w) => {
        kpa.evaluate(w);
        seen.push(w.replicas);
      },
    };
    await simulate(flat(2000, 12), wrapped, 1, options);
    expect(Math.max(...seen)).toBe(14);
    expect(kpa.decider.panicTime).not.toBeNull();
  });
});

describe('warm starts: a run begins in the steady state of its starting load', () => {
  test('after a 600 s warm-up the KEDA port at 150 RPS per replica holds ceil(450 / 150) = 3 replicas from the first sync (cold: it starts at 1)', async () => {
    const trace = flat(450, 60);
    const replicasAt = async (warmupSeconds: number) => {
      const keda = new Keda(150, { minReplicas: 1, maxReplicas: 30 }, 6);
      const first: number[] = [];
      await simulate(
        trace,
        {
          family: keda.family,
          setting: keda.setting,
          periodSeconds: 15,
          evaluate: (w) => {
            if (w.now >= warmupSeconds && first.length === 0) first.push(w.replicas);
            keda.evaluate(w);
          },
        },
        1,
        { ...options, warmupSeconds },
      );
      return first[0];
    };
    expect(await replicasAt(600)).toBe(3);
    expect(await replicasAt(0)).toBe(1);
  });

  test('the warm-up is not measured: the same 60 s trace counts the same requests with and without it', async () => {
    const probe = () => new Probe(() => null);
    const cold = await simulate(flat(100, 60), probe(), 2, options);
    const warm = await simulate(flat(100, 60), probe(), 2, { ...options, warmupSeconds: 600 });
    expect(Math.abs(warm.requests - cold.requests)).toBeLessThan(0.1 * cold.requests);
    expect(warm.replicaSeconds).toBeCloseTo(60, 0);
  });
});
