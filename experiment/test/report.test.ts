import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { renderSvg } from '@laas/plot';
import type { CpuSplit } from '@laas/local';
import {
  bottleneckOf,
  coresAtMax,
  cpuPerRequestMs,
  cpuSplitSpec,
  quotaThatFits,
  writeReport,
} from '@laas/experiment';
import type { ExperimentResults, MaxRpsResult, PlateauResult, PointResult } from '@laas/experiment';

/** A plateau's split: `replicaSec` for the replicas, the rest per component, over a 10 s window. */
function split(replicas: number, replicaSec: number, machineBusySec: number): CpuSplit {
  const byGroup: Record<string, number> = {};
  for (let i = 1; i <= replicas; i++) byGroup[`images-${i}`] = replicaSec / replicas;
  return {
    wallSec: 10,
    machineBusySec,
    byComponent: { images: replicaSec, k6: 4, nginx: 1.5, prometheus: 0.2, runner: 0.1 },
    byGroup,
    throttledShare: Object.fromEntries(Object.keys(byGroup).map((g) => [g, 0.5])),
  };
}

function point(replicas: number, maxRps: number, cpu: CpuSplit): PointResult {
  return {
    replicas,
    maxRps,
    min: maxRps,
    max: maxRps,
    spread: 0,
    atMax: { rate: maxRps, p50Ms: 5, p95Ms: 20, p99Ms: 50, errorRate: 0, achievedRps: maxRps, cpu },
    repeats: [],
  };
}

// 100m replicas on 2 cores: 1-3 replicas use their quota; at 5 they get 0.3 of 0.5 cores
// while the machine is 19.5 / 20 busy.
const results: ExperimentResults = {
  startedAt: '2026-12-01T20:00:00.000Z',
  finishedAt: '2026-12-01T20:10:00.000Z',
  durationSec: 600,
  target: { name: 'local', description: 'test', service: 'images' },
  options: {
    replicas: [1, 2, 3, 5],
    cpuMillis: 100,
    repeats: 1,
    plateauSec: 8,
    startRps: 100,
    resolution: 0.05,
    path: '/random?count=25',
    maxSteps: 10,
  },
  machine: {
    cpuModel: 'Test CPU',
    cores: 2,
    memoryBytes: 2 ** 34,
    node: 'v20',
    os: 'Linux',
    cgroupCpu: true,
    cgroupMemory: true,
  },
  loadAverage: { start: [0.5, 0.5, 0.5], end: [2, 1, 1] },
  criteria: { p99Ms: 300, maxErrorRate: 0.01, maxDroppedRate: 0.01 },
  points: [
    point(1, 500, split(1, 0.98, 7.5)),
    point(2, 1000, split(2, 1.95, 9)),
    point(3, 1400, split(3, 2.9, 12)),
    point(5, 1500, split(5, 3, 19.5)),
  ],
};

describe('which limit held a replica count', () => {
  test.each([
    {
      what: 'replicas at 98% of their quota: the quota',
      replica: 0.098,
      quota: 0.1,
      machine: 0.75,
      held: 'quota',
    },
    {
      what: 'replicas at 60% of their quota on a 97% busy machine: the machine',
      replica: 0.3,
      quota: 0.5,
      machine: 1.95,
      held: 'machine',
    },
    {
      what: 'replicas at 60% of their quota on a half-idle machine: neither',
      replica: 0.3,
      quota: 0.5,
      machine: 1.0,
      held: 'neither',
    },
  ])('$what', ({ replica, quota, machine, held }) => {
    expect(bottleneckOf(replica, quota, machine, 2)).toBe(held);
  });

  test('is read from each max-RPS plateau, with the machine time no group counted as "other"', () => {
    const splits = coresAtMax(results);
    expect(splits.map((s) => s.bottleneck)).toEqual(['quota', 'quota', 'quota', 'machine']);
    const five = splits[3]!;
    expect(five.replicaCores).toBeCloseTo(0.3);
    expect(five.quotaCores).toBeCloseTo(0.5);
    // 19.5 busy - (3 + 4 + 1.5 + 0.2 + 0.1) counted = 10.7 s over 10 s.
    expect(five.components.find((c) => c.component === 'other')?.cores).toBeCloseTo(1.07);
    expect(five.throttledShare).toBeCloseTo(0.5);
  });
});

describe('the quota at which the largest replica count fits the machine', () => {
  test.each([
    {
      what: 'a cheap replica beside an expensive load generator: 89m',
      images: 0.125,
      k6: 0.3,
      nginx: 0.05,
      fits: 89.5,
    },
    { what: 'a replica as costly as the rest together: 170m', images: 1, k6: 0.5, nginx: 0.5, fits: 170 },
  ])('$what', ({ images, k6, nginx, fits }) => {
    expect(quotaThatFits({ images, k6, nginx }, 'images', { replicas: 5, cores: 2 })).toBeCloseTo(fits, 0);
  });

  test('is read from the slope of CPU against requests over every plateau, a fixed start-up cost left out', () => {
    // k6 costs 0.07 s to start and 0.3 ms per request; the replicas 0.125 ms per request.
    const step = (requests: number): PlateauResult =>
      ({
        requests,
        cpu: {
          wallSec: 8,
          machineBusySec: 8,
          byComponent: { images: requests * 0.000125, k6: 0.07 + requests * 0.0003 },
          byGroup: {},
          throttledShare: {},
        },
      }) as unknown as PlateauResult;
    const run: MaxRpsResult = {
      maxRps: 0,
      steps: [step(800), step(1600), step(3200)],
      stoppedBecause: 'resolution',
    };
    const perRequest = cpuPerRequestMs({ ...results, points: [{ ...results.points[0]!, repeats: [run] }] });
    expect(perRequest.k6).toBeCloseTo(0.3, 6);
    expect(perRequest.images).toBeCloseTo(0.125, 6);
    expect(quotaThatFits(perRequest, 'images', { replicas: 5, cores: 2 })).toBeCloseTo(100, 0);
  });
});

describe('the CPU chart', () => {
  test('is an SVG that parses, with one stacked bar per replica count', async () => {
    const svg = await renderSvg(cpuSplitSpec(results));
    expect(() => new Resvg(svg)).not.toThrow();
    // Vega draws each bar segment as a path with the role "bar"; the segments of one bar share its x.
    const xs = [...svg.matchAll(/<path[^>]*aria-roledescription="bar" d="M([\d.]+),/g)].map((m) => m[1]);
    expect(new Set(xs).size).toBe(results.points.length);
    expect(xs.length).toBe(results.points.length * 6); // images, k6, nginx, prometheus, runner, other
    for (const p of results.points) expect(svg).toContain(`${p.replicas} × 100m @ ${p.maxRps} RPS`);
    expect(svg).toContain('machine-bound');
  });

  test('is written with the report, which flags the machine-bound replica count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'laas-report-test-'));
    try {
      const files = await writeReport(dir, results);
      expect(files.charts.map((c) => c.svg)).toEqual([join(dir, 'chart.svg'), join(dir, 'cpu.svg')]);
      const report = readFileSync(files.reportMd, 'utf8');
      expect(report).toContain('![CPU by component at each max-RPS plateau](cpu.svg)');
      expect(report).toMatch(
        /^\| 5 @ 1500 \| 0\.30 \| 0\.40 \| 0\.15 \|.*\| 1\.95 of 2 \| 0\.30 \/ 0\.50 \(60%\) \| 50% \| \*\*the machine\*\* \|$/m,
      );
      expect(report).toContain("At 5 replicas the machine, not the replicas' quota, was the bottleneck.");
      const saved = JSON.parse(readFileSync(files.resultsJson, 'utf8')) as ExperimentResults;
      expect(saved.points[3]!.atMax!.cpu!.byComponent).toEqual(results.points[3]!.atMax!.cpu!.byComponent);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('is left out when no CPU was counted (the cluster target): no empty chart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'laas-report-test-'));
    try {
      const uncounted: ExperimentResults = {
        ...results,
        points: results.points.map((p) => ({ ...p, atMax: p.atMax && { ...p.atMax, cpu: undefined } })),
      };
      const files = await writeReport(dir, uncounted);
      expect(files.charts.map((c) => c.svg)).toEqual([join(dir, 'chart.svg')]);
      expect(readdirSync(dir).filter((f) => f.startsWith('cpu.'))).toEqual([]);
      expect(readFileSync(files.reportMd, 'utf8')).toContain('Not measured in this run');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
