// The referee's charts as Vega-Lite specs (drawn by @laas/plot): a Pareto chart per trace and a
// timeline per trace with every family's run of one seed.
import type { TopLevelSpec } from '@laas/plot';
import type { Point } from './aggregate.js';
import { OURS } from './aggregate.js';
import type { RunResult } from './sim.js';

const FAMILIES = [
  OURS,
  'KEDA (HPA on RPS)',
  'Knative KPA',
  'Knative KPA (concurrency)',
  'HPA (CPU)',
  'Heroku (p95)',
];
const COLORS = ['#d62728', '#1f77b4', '#2ca02c', '#17becf', '#9467bd', '#ff7f0e'];
const color = {
  field: 'family',
  type: 'nominal',
  title: 'policy',
  scale: { domain: FAMILIES, range: COLORS },
} as const;

/** Violating requests (median, 90 % interval over seeds) against replica-seconds, a line per family. */
export function paretoSpec(trace: string, description: string, points: readonly Point[]): TopLevelSpec {
  const values = points.map((p) => ({
    family: p.family,
    setting: p.setting,
    rs: Math.round(p.replicaSeconds.median),
    v: Math.max(1, p.violating.median),
    vlo: Math.max(1, p.violating.p5),
    vhi: Math.max(1, p.violating.p95),
  }));
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${trace}: SLO-violating requests against cost`, subtitle: description },
    width: 560,
    height: 340,
    data: { values },
    encoding: {
      x: {
        field: 'rs',
        type: 'quantitative',
        title: 'replica-seconds (median over seeds)',
        scale: { zero: false },
      },
      color,
    },
    layer: [
      {
        mark: { type: 'rule', opacity: 0.5 },
        encoding: {
          y: { field: 'vlo', type: 'quantitative', scale: { type: 'log' } },
          y2: { field: 'vhi' },
        },
      },
      {
        mark: { type: 'line', point: { size: 50, filled: true } },
        encoding: {
          y: {
            field: 'v',
            type: 'quantitative',
            title: 'requests over 300 ms or failed (median; bars: 90 % of seeds; log)',
            scale: { type: 'log' },
          },
          order: { field: 'rs', type: 'quantitative' },
          tooltip: [{ field: 'setting', type: 'nominal' }],
        },
      },
      {
        mark: { type: 'text', dx: 6, dy: -7, fontSize: 9, align: 'left' },
        encoding: {
          y: { field: 'v', type: 'quantitative', scale: { type: 'log' } },
          text: { field: 'setting' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Offered RPS, replicas and true p99 over time (5 s steps), one line per family, one seed. */
export function timelineSpec(trace: string, runs: readonly RunResult[]): TopLevelSpec {
  const values = runs.flatMap((r) =>
    r.timeline.map((p) => ({
      family: r.family,
      label: `${r.family} ${r.setting}`,
      t: p.t,
      rps: Math.round(p.offeredRps),
      replicas: p.replicas,
      p99: p.p99 === null ? null : Math.max(1, Math.round(p.p99 * 1000)),
    })),
  );
  const offered = runs[0]?.timeline.map((p) => ({ t: p.t, rps: Math.round(p.offeredRps) })) ?? [];
  const x = { field: 't', type: 'quantitative', title: 'seconds' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: `${trace}: one seed, each policy at its second setting` },
    vconcat: [
      {
        width: 620,
        height: 90,
        data: { values: offered },
        mark: { type: 'area', color: '#999', opacity: 0.5 },
        encoding: { x, y: { field: 'rps', type: 'quantitative', title: 'offered RPS' } },
      },
      {
        width: 620,
        height: 170,
        data: { values },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'replicas', type: 'quantitative', title: 'replicas' }, color },
      },
      {
        width: 620,
        height: 170,
        layer: [
          {
            data: { values },
            mark: { type: 'line', strokeWidth: 1.2, opacity: 0.8 },
            encoding: {
              x,
              y: {
                field: 'p99',
                type: 'quantitative',
                title: 'p99 of 5 s (ms, log)',
                scale: { type: 'log' },
              },
              color,
            },
          },
          {
            data: { values: [{ y: 300 }] },
            mark: { type: 'rule', strokeDash: [4, 3], color: 'black' },
            encoding: { y: { field: 'y', type: 'quantitative' } },
          },
        ],
      },
    ],
  } as TopLevelSpec;
}
