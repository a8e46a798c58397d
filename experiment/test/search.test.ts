import { findMaxRps, judgePlateau, measureMaxRps } from '@laas/experiment';
import type { K6Summary, PlateauRunner } from '@laas/experiment';

/**
 * The search is plain logic over "run one plateau at rate r": here the plateau is a service
 * model with a fixed capacity (p99 40 ms up to it, 900 ms beyond), judged by the real judge.
 */
function summaryAt(p99Ms: number, rate: number, durationSec: number): K6Summary {
  return {
    metrics: {
      http_reqs: { values: { count: rate * durationSec, rate } },
      http_req_failed: { values: { rate: 0 } },
      http_req_duration: {
        values: { 'p(50)': p99Ms / 4, 'p(95)': p99Ms / 2, 'p(99)': p99Ms, max: p99Ms * 2 },
      },
    },
  };
}

function serviceWithCapacity(capacity: number, rates: number[] = []): PlateauRunner {
  return async ({ rate, durationSec, criteria }) => {
    rates.push(rate);
    return judgePlateau(
      summaryAt(rate <= capacity ? 40 : 900, rate, durationSec),
      rate,
      durationSec,
      criteria,
    );
  };
}

// No real server behind the model: nothing to wait for between plateaus.
const search = { url: 'http://127.0.0.1:1', plateauSec: 1, cooldownSec: 0, settle: async () => undefined };

describe('findMaxRps', () => {
  test('follows the worked example: capacity 720, start 400, x1.5, 5% -> 713 RPS in 7 plateaus', async () => {
    const rates: number[] = [];
    const result = await findMaxRps({
      ...search,
      startRps: 400,
      runPlateau: serviceWithCapacity(720, rates),
    });
    expect(rates).toEqual([400, 600, 900, 750, 675, 713, 732]);
    expect(result).toMatchObject({ maxRps: 713, failRps: 732, stoppedBecause: 'resolution' });
    expect(result.atMax?.rate).toBe(713);
  });

  test.each([
    { capacity: 50, start: 200, maxSteps: 10 },
    { capacity: 440, start: 100, maxSteps: 10 },
    { capacity: 1200, start: 1000, maxSteps: 10 },
    { capacity: 97, start: 97, maxSteps: 10 },
  ])(
    'finds a capacity of $capacity RPS from $start within 5% below it, in at most $maxSteps plateaus',
    async ({ capacity, start, maxSteps }) => {
      const result = await findMaxRps({
        ...search,
        startRps: start,
        maxSteps,
        runPlateau: serviceWithCapacity(capacity),
      });
      expect(result.maxRps).toBeLessThanOrEqual(capacity);
      expect(result.maxRps).toBeGreaterThanOrEqual(capacity * 0.95 - 1);
      expect(result.steps.length).toBeLessThanOrEqual(maxSteps);
    },
  );

  test.each([
    { capacity: 0, expected: { maxRps: 0, stoppedBecause: 'minRps' } },
    { capacity: 1e9, expected: { maxRps: 1000, stoppedBecause: 'maxRps' } },
  ])(
    'reports $expected.maxRps ($expected.stoppedBecause) for a service with capacity $capacity',
    async ({ capacity, expected }) => {
      const result = await findMaxRps({
        ...search,
        startRps: 100,
        maxRps: 1000,
        runPlateau: serviceWithCapacity(capacity),
      });
      expect(result).toMatchObject(expected);
    },
  );

  test('starts later repeats at the previous result, so they take fewer plateaus, and reports the median and spread', async () => {
    const rates: number[] = [];
    const result = await measureMaxRps({
      ...search,
      startRps: 100,
      repeats: 3,
      runPlateau: serviceWithCapacity(300, rates),
    });
    expect(result.runs.map((r) => r.steps.length)[0]).toBeGreaterThan(result.runs[1]!.steps.length);
    expect(result.median).toBe(result.runs[1]!.maxRps);
    expect(result.spread).toBeCloseTo((result.max - result.min) / result.median);
  });
});

describe('judgePlateau', () => {
  test.each([
    { p99: 299, errors: 0, dropped: 0, passed: true, reason: undefined },
    { p99: 300, errors: 0, dropped: 0, passed: false, reason: 'p99 300 ms >= 300 ms' },
    { p99: 50, errors: 0.01, dropped: 0, passed: false, reason: 'errors 1.00% >= 1%' },
    {
      p99: 50,
      errors: 0,
      dropped: 10,
      passed: false,
      reason: '10 dropped iterations (1.0% of 1000 offered)',
    },
    { p99: 50, errors: 0.009, dropped: 9, passed: true, reason: undefined },
  ])(
    'at p99 $p99 ms, error rate $errors and $dropped dropped of 1000 offered: passed=$passed',
    ({ p99, errors, dropped, passed, reason }) => {
      const summary = summaryAt(p99, 100, 10);
      summary.metrics.http_req_failed = { values: { rate: errors } };
      summary.metrics.dropped_iterations = { values: { count: dropped } };
      const result = judgePlateau(summary, 100, 10);
      expect(result.passed).toBe(passed);
      expect(result.reasons[0]).toBe(reason);
    },
  );
});
