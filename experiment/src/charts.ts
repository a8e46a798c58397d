// The experiment's charts as Vega-Lite specs, drawn by the shared plot package (@laas/plot:
// Vega renders them headless in Node to SVG, resvg rasterises that to PNG).
import { BASE_CONFIG } from '@laas/plot';
import type { TopLevelSpec } from '@laas/plot';
import { componentOrder, coresAtMax } from './cpu-split.js';
import type { ExperimentResults } from './run.js';

/** The original LaaS experiment (2022): 1/2/3/5 replicas on minikube, max RPS with p99 < 300 ms. */
export const ORIGINAL_LAAS: Record<number, number> = { 1: 440, 2: 650, 3: 1000, 5: 1200 };

/** Over the shared defaults: legends under the panels, a frame around each view. */
const CONFIG = {
  legend: { ...BASE_CONFIG.legend, orient: 'bottom', labelLimit: 320 },
  view: { stroke: '#333' },
} as const;

const PANEL = { width: 300, height: 260 } as const;
const REPLICA_AXIS = { title: 'replicas', tickMinStep: 1 } as const;

function caption(results: ExperimentResults): string {
  const m = results.machine;
  return `GET ${results.options.path} · ${results.target.name} · ${m.cores} × ${m.cpuModel} · ${results.options.cpuMillis}m per replica · ${results.options.repeats} repeats × ${results.options.plateauSec} s plateaus · ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * Three panels: max RPS vs replicas (median, min–max, linear from one replica); the speed-up
 * beside the original LaaS figures; p99 vs offered load for every plateau (hollow = failed).
 */
export function scalingSpec(results: ExperimentResults): TopLevelSpec {
  const points = results.points;
  const maxReplicas = Math.max(5, ...points.map((p) => p.replicas));
  const perReplica = points[0] && points[0].maxRps > 0 ? points[0].maxRps / points[0].replicas : 0;
  const measured = points.map((p) => ({ replicas: p.replicas, rps: p.maxRps, min: p.min, max: p.max }));
  const linear = [0, maxReplicas].map((n) => ({ replicas: n, rps: n * perReplica }));
  const speedUp = [
    ...(perReplica > 0
      ? points.map((p) => ({ replicas: p.replicas, speedUp: p.maxRps / perReplica, series: 'this run' }))
      : []),
    ...Object.entries(ORIGINAL_LAAS).map(([n, rps]) => ({
      replicas: Number(n),
      speedUp: rps / ORIGINAL_LAAS[1]!,
      series: 'original LaaS (2022)',
    })),
    ...[0, maxReplicas].map((n) => ({ replicas: n, speedUp: n, series: 'linear' })),
  ];
  const plateaus = points.flatMap((point) =>
    point.repeats.flatMap((run) =>
      run.steps.map((step) => ({
        replicas: `${point.replicas} replica${point.replicas === 1 ? '' : 's'}`,
        rate: step.rate,
        p99: Math.min(step.p99Ms, 1000),
        outcome: step.passed ? 'passed' : 'failed',
      })),
    ),
  );
  const xReplicas = {
    field: 'replicas',
    type: 'quantitative',
    scale: { domain: [0, maxReplicas] },
    axis: REPLICA_AXIS,
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: { text: 'How far 1, 2, 3 and 5 replicas go', subtitle: caption(results) },
    hconcat: [
      {
        ...PANEL,
        title: 'Max sustained RPS',
        layer: [
          {
            data: { values: linear },
            mark: { type: 'line', strokeDash: [5, 4], color: '#999' },
            encoding: { x: xReplicas, y: { field: 'rps', type: 'quantitative' } },
          },
          {
            data: { values: measured },
            layer: [
              {
                mark: { type: 'rule', color: '#1f77b4' },
                encoding: { y: { field: 'min' }, y2: { field: 'max' } },
              },
              { mark: { type: 'line', point: true, color: '#1f77b4' } },
              { mark: { type: 'text', dx: 8, dy: -8, align: 'left' }, encoding: { text: { field: 'rps' } } },
            ],
            encoding: {
              x: xReplicas,
              y: {
                field: 'rps',
                type: 'quantitative',
                title: 'max RPS, p99 < 300 ms (median, min–max)',
              },
            },
          },
        ],
      },
      {
        ...PANEL,
        title: 'Speed-up vs one replica',
        data: { values: speedUp },
        mark: { type: 'line', point: true },
        encoding: {
          x: xReplicas,
          y: { field: 'speedUp', type: 'quantitative', title: 'RPS(n) / RPS(1)' },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { range: ['#1f77b4', '#ff7f0e', '#999'] },
            sort: ['this run'],
          },
          strokeDash: {
            field: 'series',
            type: 'nominal',
            legend: null,
            scale: {
              domain: ['this run', 'original LaaS (2022)', 'linear'],
              range: [
                [1, 0],
                [1, 0],
                [5, 4],
              ],
            },
          },
        },
      },
      {
        ...PANEL,
        title: 'p99 vs offered load (every plateau)',
        layer: [
          {
            data: { values: plateaus },
            mark: { type: 'point', filled: false },
            encoding: {
              x: { field: 'rate', type: 'quantitative', title: 'offered load (RPS)' },
              y: {
                field: 'p99',
                type: 'quantitative',
                title: 'p99 latency (ms, clipped at 1000)',
                scale: { domain: [0, 1000] },
              },
              color: { field: 'replicas', type: 'nominal', title: null },
              fill: {
                condition: {
                  test: "datum.outcome === 'passed'",
                  field: 'replicas',
                  type: 'nominal',
                  legend: null,
                },
                value: 'white',
              },
            },
          },
          {
            data: { values: [{ p99: 300 }] },
            mark: { type: 'rule', color: '#d62728', strokeDash: [4, 3] },
            encoding: { y: { field: 'p99', type: 'quantitative' } },
          },
        ],
      },
    ],
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}

/** Readable names of the stacked components. */
function componentLabel(component: string, service: string): string {
  const labels: Record<string, string> = {
    [service]: `${service} replicas`,
    k6: 'k6 (load generator)',
    nginx: 'nginx',
    ferretdb: 'FerretDB',
    prometheus: 'Prometheus',
    runner: 'experiment runner',
    other: 'not in a group (other work)',
  };
  return labels[component] ?? component;
}

/**
 * A stacked bar per replica count: the machine's CPU, in cores, by component, at that count's
 * max-RPS plateau. A black tick marks the replicas' combined quota, the dashed line the
 * machine's cores; "machine-bound" above a bar marks replicas below their quota on a full machine.
 */
export function cpuSplitSpec(results: ExperimentResults): TopLevelSpec {
  const service = results.target.service ?? 'images';
  const order = componentOrder(service).map((c) => componentLabel(c, service));
  const splits = coresAtMax(results);
  const bar = (replicas: number, rate: number): string =>
    `${replicas} × ${results.options.cpuMillis}m @ ${rate} RPS`;
  const stacked = splits.flatMap((s) =>
    s.components.map((c) => ({
      bar: bar(s.replicas, s.rate),
      component: componentLabel(c.component, service),
      order: order.indexOf(componentLabel(c.component, service)),
      cores: Number(c.cores.toFixed(3)),
    })),
  );
  const marks = splits.map((s) => ({
    bar: bar(s.replicas, s.rate),
    quota: s.quotaCores,
    top: s.components.reduce((sum, c) => sum + c.cores, 0),
    verdict: s.bottleneck === 'machine' ? 'machine-bound' : s.bottleneck === 'quota' ? 'quota-bound' : '',
  }));
  const x = {
    field: 'bar',
    type: 'nominal',
    sort: splits.map((s) => bar(s.replicas, s.rate)),
    title: 'replicas × CPU quota @ max sustained rate',
    axis: { labelAngle: 0 },
  } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    config: CONFIG,
    title: {
      text: 'Where the CPU went at each max-RPS plateau',
      subtitle: `cpuacct per process group · ${results.machine.cores} cores · black tick: the replicas' combined quota`,
    },
    width: Math.max(320, 130 * splits.length),
    height: 300,
    layer: [
      {
        data: { values: stacked },
        mark: { type: 'bar', width: { band: 0.6 } },
        encoding: {
          x,
          y: { field: 'cores', type: 'quantitative', stack: 'zero', title: 'cores (CPU seconds / second)' },
          color: {
            field: 'component',
            type: 'nominal',
            title: null,
            legend: { orient: 'right' },
            sort: order,
            scale: {
              domain: order,
              range: ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#17becf', '#c7c7c7'],
            },
          },
          order: { field: 'order', type: 'quantitative' },
          tooltip: [{ field: 'component' }, { field: 'cores', format: '.2f' }],
        },
      },
      {
        data: { values: marks },
        layer: [
          {
            mark: { type: 'tick', color: 'black', thickness: 3, bandSize: 40 },
            encoding: { x, y: { field: 'quota', type: 'quantitative' } },
          },
          {
            mark: { type: 'text', dy: -8, fontWeight: 'bold', color: '#d62728' },
            encoding: { x, y: { field: 'top', type: 'quantitative' }, text: { field: 'verdict' } },
          },
        ],
      },
      {
        data: { values: [{ cores: results.machine.cores }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: '#d62728' },
        encoding: { y: { field: 'cores', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}
