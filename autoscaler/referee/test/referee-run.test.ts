// A CI-size run of the referee end to end (the committed report runs the full configuration:
// `npm run eval -w @laas/referee`): one short trace, one seed, two settings per family.
import { renderSvg } from '@laas/plot';
import { aggregate, verdicts } from '../aggregate.js';
import { paretoSpec, timelineSpec } from '../charts.js';
import { IMAGES_250M } from '../model.js';
import { BOUNDS, POLICIES } from '../policies/index.js';
import { Ours } from '../policies/ours.js';
import { renderReport } from '../report.js';
import type { RunResult } from '../sim.js';
import { WARMUP_SECONDS, simulate } from '../sim.js';
import { TRACES } from '../traces.js';

const trace = TRACES.find((t) => t.name === 'flash-crowd')!;
const options = { model: IMAGES_250M, ...BOUNDS, timeline: true, warmupSeconds: WARMUP_SECONDS };

describe('a CI-size referee run: flash crowd, warm, 1 seed, 2 settings per policy', () => {
  const runs: RunResult[] = [];
  beforeAll(async () => {
    for (const family of POLICIES)
      for (const setting of family.settings.slice(0, 2))
        runs.push(await simulate(trace, family.make(setting), 1, options));
  }, 600_000);

  test('every policy served the same Poisson arrivals (same seed, same trace)', () => {
    expect(new Set(runs.map((r) => r.requests)).size).toBe(1);
    expect(runs[0]!.requests).toBeGreaterThan(0.95 * (120 * 420 + 1200 * 60));
  });

  test('every policy scaled up for the crowd and paid for it in replica-seconds', () => {
    for (const r of runs) {
      expect(r.scaleEvents).toBeGreaterThan(0);
      expect(r.replicaSeconds).toBeGreaterThan(trace.durationSeconds);
    }
  });

  test('the comparison yields a point per setting and a verdict against each baseline', () => {
    const points = aggregate(runs);
    expect(points).toHaveLength(POLICIES.length * 2);
    expect(
      verdicts(points)
        .map((v) => v.baseline)
        .sort(),
    ).toEqual(
      POLICIES.map((p) => p.family)
        .filter((f) => f !== 'laas (ours)')
        .sort(),
    );
    const report = renderReport({
      command: 'test',
      startedAt: 'now',
      seconds: 1,
      seeds: 1,
      workers: 1,
      machine: 'test',
      traces: [trace],
      points,
      verdicts: verdicts(points),
      warmupSeconds: WARMUP_SECONDS,
      defaultSetting: '70%',
    });
    expect(report).toContain('## flash-crowd');
  });

  test('the Pareto chart and the timeline render to SVG', async () => {
    const points = aggregate(runs);
    expect(await renderSvg(paretoSpec(trace.name, trace.description, points))).toContain('replica-seconds');
    expect(await renderSvg(timelineSpec(trace.name, runs))).toContain('offered RPS');
  });

  test('our policy ran through the real reconciler: its status holds the decision and the decider memory', async () => {
    const ours = new Ours({ targetUtilization: 0.7, rpsPerReplica: 220, fallbackReplicas: 6 }, BOUNDS);
    await simulate(trace, ours, 1, { ...options, timeline: false });
    expect(ours.object.status?.desiredReplicas).toBeGreaterThanOrEqual(1);
    expect(ours.object.status?.capacitySource).toBeDefined();
    expect(ours.object.status?.conditions?.map((c) => c.type)).toEqual([
      'Ready',
      'AbleToScale',
      'ScalingActive',
      'ScalingLimited',
    ]);
  }, 120_000);

  test('a leader change in the middle of the crowd (state only from status) still meets it', async () => {
    const a = await simulate(
      trace,
      new Ours({ targetUtilization: 0.7, rpsPerReplica: 220, fallbackReplicas: 6 }, BOUNDS),
      1,
      {
        ...options,
        timeline: false,
        failoverAt: 200,
      },
    );
    const b = runs.find((r) => r.family === 'laas (ours)' && r.setting === '70%')!;
    expect(a.violating).toBeLessThanOrEqual(b.violating * 1.5);
  }, 120_000);
});
