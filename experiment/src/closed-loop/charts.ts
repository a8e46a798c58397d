// Side-by-side timelines of a closed-loop run (Vega-Lite, drawn by @laas/plot): offered and
// served RPS, replicas, and p99 per 5 s, measured (solid) with the referee's prediction for
// the same trace and policy (dashed, seed 1).
import type { TopLevelSpec } from '@laas/plot';
import type { RunResult } from '@laas/referee';
import { quantile } from './measures.js';
import type { PolicyRun } from './run.js';

const STEP = 5;

interface Row {
  series: string;
  source: 'measured' | 'simulated';
  t: number;
  rps?: number;
  replicas?: number;
  p99?: number | null;
}

/** 5 s rows of a measured run: mean served RPS, replicas at the bin's start, p99 of the bin. */
function measuredRows(run: PolicyRun): Row[] {
  const rows: Row[] = [];
  for (let b = 0; b * STEP < run.timeline.length; b++) {
    const pts = run.timeline.slice(b * STEP, (b + 1) * STEP);
    const p99s = pts.flatMap((p) => (p.p99Ms === null ? [] : [p.p99Ms]));
    rows.push({
      series: run.repeat === undefined ? run.label : `${run.label} #${run.repeat}`,
      source: 'measured',
      t: b * STEP,
      rps: pts.reduce((s, p) => s + p.servedRps, 0) / pts.length,
      replicas: pts[0]!.replicas,
      // The bin's p99 approximated by the worst per-second p99 (an upper bound, on the safe side).
      p99: p99s.length > 0 ? Math.max(1, Math.round(quantile(p99s, 1)!)) : null,
    });
  }
  return rows;
}

function simulatedRows(label: string, run: RunResult): Row[] {
  return run.timeline.map((p) => ({
    series: label,
    source: 'simulated',
    t: p.t,
    replicas: p.replicas,
    p99: p.p99 === null ? null : Math.max(1, Math.round(p.p99 * 1000)),
  }));
}

export function timelineSpec(
  title: string,
  runs: readonly PolicyRun[],
  predictions: readonly { label: string; run: RunResult }[],
): TopLevelSpec {
  const values = [
    ...runs.flatMap(measuredRows),
    ...predictions.flatMap((p) => simulatedRows(p.label, p.run)),
  ];
  const offered = (runs[0]?.timeline ?? [])
    .filter((p) => p.t % STEP === 0)
    .map((p) => ({ t: p.t, rps: p.offeredRps }));
  const x = { field: 't', type: 'quantitative', title: 'seconds since the trace started' } as const;
  const color = { field: 'series', type: 'nominal', title: 'policy' } as const;
  const dash = {
    field: 'source',
    type: 'nominal',
    title: 'source',
    scale: {
      domain: ['measured', 'simulated'],
      range: [
        [1, 0],
        [5, 3],
      ],
    },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: title },
    vconcat: [
      {
        width: 620,
        height: 110,
        layer: [
          {
            data: { values: offered },
            mark: { type: 'area', color: '#bbb', opacity: 0.6 },
            encoding: { x, y: { field: 'rps', type: 'quantitative', title: 'RPS (grey: offered)' } },
          },
          {
            data: { values: values.filter((v) => v.source === 'measured') },
            mark: { type: 'line', strokeWidth: 1.3 },
            encoding: { x, y: { field: 'rps', type: 'quantitative' }, color },
          },
        ],
      },
      {
        width: 620,
        height: 140,
        data: { values },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
        encoding: {
          x,
          y: { field: 'replicas', type: 'quantitative', title: 'replicas (asked for)' },
          color,
          strokeDash: dash,
        },
      },
      {
        width: 620,
        height: 160,
        layer: [
          {
            data: { values: values.filter((v) => v.p99 !== null && v.p99 !== undefined) },
            mark: { type: 'line', strokeWidth: 1.2 },
            encoding: {
              x,
              y: {
                field: 'p99',
                type: 'quantitative',
                title: 'p99 per 5 s (ms, log)',
                scale: { type: 'log' },
              },
              color,
              strokeDash: dash,
            },
          },
          {
            data: { values: [{ y: 300 }] },
            mark: { type: 'rule', strokeDash: [2, 2], color: 'black' },
            encoding: { y: { field: 'y', type: 'quantitative' } },
          },
        ],
      },
    ],
  } as TopLevelSpec;
}
