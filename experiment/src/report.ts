import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import type { ExperimentResults, PointResult } from './run.js';
import { formatDuration } from './run.js';

/**
 * The original LaaS experiment (2022): the images API on minikube, 1/2/3/5 replicas, max RPS of
 * GET /random?count=25 with 99% of responses under 300 ms (Artillery, 15 s runs, MongoDB).
 */
export const ORIGINAL_LAAS: Record<number, number> = { 1: 440, 2: 650, 3: 1000, 5: 1200 };

const fmt = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A "nice" upper bound for an axis (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten), at least `value`. */
export function niceCeil(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

interface Panel {
  x: number;
  y: number;
  width: number;
  height: number;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#17becf'];

function axes(
  panel: Panel,
  xMax: number,
  yMax: number,
  xLabel: string,
  yLabel: string,
  title: string,
  xTicks: number[],
): string {
  const { x, y, width, height } = panel;
  const parts: string[] = [];
  parts.push(
    `<text x="${x + width / 2}" y="${y - 14}" text-anchor="middle" font-size="15" font-weight="bold">${escapeXml(title)}</text>`,
  );
  for (let i = 0; i <= 5; i++) {
    const value = (yMax * i) / 5;
    const py = y + height - (height * i) / 5;
    parts.push(`<line x1="${x}" y1="${py}" x2="${x + width}" y2="${py}" stroke="#e5e5e5"/>`);
    parts.push(
      `<text x="${x - 6}" y="${py + 4}" text-anchor="end" font-size="11">${fmt(value, yMax < 5 ? 1 : 0)}</text>`,
    );
  }
  for (const tick of xTicks) {
    const px = x + (width * tick) / xMax;
    parts.push(`<line x1="${px}" y1="${y + height}" x2="${px}" y2="${y + height + 4}" stroke="#333"/>`);
    parts.push(
      `<text x="${px}" y="${y + height + 17}" text-anchor="middle" font-size="11">${fmt(tick)}</text>`,
    );
  }
  parts.push(`<rect x="${x}" y="${y}" width="${width}" height="${height}" fill="none" stroke="#333"/>`);
  parts.push(
    `<text x="${x + width / 2}" y="${y + height + 36}" text-anchor="middle" font-size="12">${escapeXml(xLabel)}</text>`,
  );
  parts.push(
    `<text x="${x - 44}" y="${y + height / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 ${x - 44} ${y + height / 2})">${escapeXml(yLabel)}</text>`,
  );
  return parts.join('\n');
}

function legend(x: number, y: number, items: { label: string; color: string; dashed?: boolean }[]): string {
  return items
    .map((item, i) => {
      const py = y + i * 16;
      return `<line x1="${x}" y1="${py}" x2="${x + 22}" y2="${py}" stroke="${item.color}" stroke-width="2.5"${item.dashed ? ' stroke-dasharray="5,4"' : ''}/>
<text x="${x + 28}" y="${py + 4}" font-size="11">${escapeXml(item.label)}</text>`;
    })
    .join('\n');
}

function polyline(points: [number, number][], color: string, dashed = false): string {
  if (points.length === 0) return '';
  return `<polyline fill="none" stroke="${color}" stroke-width="2.5"${dashed ? ' stroke-dasharray="5,4"' : ''} points="${points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(' ')}"/>`;
}

/**
 * Three panels: max RPS vs replicas (median, min-max bars, linear scaling from one replica);
 * speed-up vs replicas beside the original LaaS figures; p99 vs offered load for every plateau.
 */
export function chartSvg(results: ExperimentResults): string {
  const width = 1260;
  const height = 470;
  const points = results.points;
  const parts: string[] = [];
  const maxReplicas = Math.max(5, ...points.map((p) => p.replicas));
  const xTicks = Array.from({ length: maxReplicas + 1 }, (_, i) => i);
  const perReplica = points[0] && points[0].maxRps > 0 ? points[0].maxRps / points[0].replicas : 0;

  // Panel 1: max RPS.
  const p1: Panel = { x: 70, y: 50, width: 310, height: 300 };
  const yMax1 = niceCeil(
    Math.max(1, ...points.map((p) => p.max), ...points.map((p) => p.replicas * perReplica)) * 1.05,
  );
  const sx1 = (n: number): number => p1.x + (p1.width * n) / maxReplicas;
  const sy1 = (v: number): number => p1.y + p1.height - (p1.height * v) / yMax1;
  parts.push(
    axes(
      p1,
      maxReplicas,
      yMax1,
      'replicas',
      'max RPS (p99 < 300 ms, errors < 1%)',
      'Max sustained RPS',
      xTicks,
    ),
  );
  parts.push(
    polyline(
      [
        [sx1(0), sy1(0)],
        [sx1(maxReplicas), sy1(maxReplicas * perReplica)],
      ],
      '#999',
      true,
    ),
  );
  parts.push(
    polyline(
      points.map((p) => [sx1(p.replicas), sy1(p.maxRps)]),
      COLORS[0]!,
    ),
  );
  for (const p of points) {
    parts.push(
      `<line x1="${sx1(p.replicas)}" y1="${sy1(p.min)}" x2="${sx1(p.replicas)}" y2="${sy1(p.max)}" stroke="${COLORS[0]}" stroke-width="1.5"/>`,
    );
    parts.push(`<circle cx="${sx1(p.replicas)}" cy="${sy1(p.maxRps)}" r="4" fill="${COLORS[0]}"/>`);
    parts.push(
      `<text x="${sx1(p.replicas) + 6}" y="${sy1(p.maxRps) - 6}" font-size="11">${fmt(p.maxRps)}</text>`,
    );
  }
  parts.push(
    legend(p1.x + 10, p1.y + 14, [
      { label: `measured (median, min–max), ${results.options.cpuMillis}m/replica`, color: COLORS[0]! },
      { label: 'linear from 1 replica', color: '#999', dashed: true },
    ]),
  );

  // Panel 2: speed-up against one replica, ours and the original's.
  const p2: Panel = { x: 490, y: 50, width: 310, height: 300 };
  const ours = (perReplica > 0 ? points : []).map((p) => [p.replicas, p.maxRps / perReplica] as const);
  const theirs = Object.entries(ORIGINAL_LAAS).map(
    ([n, rps]) => [Number(n), rps / ORIGINAL_LAAS[1]!] as const,
  );
  const yMax2 = niceCeil(Math.max(maxReplicas, ...ours.map(([, s]) => s), ...theirs.map(([, s]) => s)));
  const sy2 = (v: number): number => p2.y + p2.height - (p2.height * v) / yMax2;
  const sx2 = (n: number): number => p2.x + (p2.width * n) / maxReplicas;
  parts.push(axes(p2, maxReplicas, yMax2, 'replicas', 'RPS(n) / RPS(1)', 'Speed-up vs one replica', xTicks));
  parts.push(
    polyline(
      [
        [sx2(0), sy2(0)],
        [sx2(maxReplicas), sy2(maxReplicas)],
      ],
      '#999',
      true,
    ),
  );
  parts.push(
    polyline(
      theirs.map(([n, s]) => [sx2(n), sy2(s)]),
      COLORS[4]!,
    ),
  );
  parts.push(
    polyline(
      ours.map(([n, s]) => [sx2(n), sy2(s)]),
      COLORS[0]!,
    ),
  );
  for (const [n, s] of ours) parts.push(`<circle cx="${sx2(n)}" cy="${sy2(s)}" r="4" fill="${COLORS[0]}"/>`);
  for (const [n, s] of theirs)
    parts.push(`<circle cx="${sx2(n)}" cy="${sy2(s)}" r="3.5" fill="${COLORS[4]}"/>`);
  parts.push(
    legend(p2.x + 10, p2.y + 14, [
      { label: 'this run', color: COLORS[0]! },
      { label: 'original LaaS (440/650/1000/1200 RPS)', color: COLORS[4]! },
      { label: 'linear', color: '#999', dashed: true },
    ]),
  );

  // Panel 3: p99 against offered load, every judged plateau.
  const p3: Panel = { x: 910, y: 50, width: 310, height: 300 };
  const plateaus = points.flatMap((point, i) =>
    point.repeats.flatMap((run) =>
      run.steps.map((step) => ({
        replicas: point.replicas,
        color: COLORS[i % COLORS.length]!,
        rate: step.rate,
        p99: step.p99Ms,
        passed: step.passed,
      })),
    ),
  );
  const xMax3 = niceCeil(Math.max(1, ...plateaus.map((s) => s.rate)) * 1.05);
  const yMax3 = 1000;
  const sx3 = (v: number): number => p3.x + (p3.width * v) / xMax3;
  const sy3 = (v: number): number => p3.y + p3.height - (p3.height * Math.min(v, yMax3)) / yMax3;
  const xTicks3 = Array.from({ length: 6 }, (_, i) => (xMax3 * i) / 5);
  parts.push(
    axes(
      p3,
      xMax3,
      yMax3,
      'offered load (RPS)',
      'p99 latency (ms, clipped at 1000)',
      'p99 vs offered load',
      xTicks3,
    ),
  );
  parts.push(
    `<line x1="${p3.x}" y1="${sy3(300)}" x2="${p3.x + p3.width}" y2="${sy3(300)}" stroke="#d62728" stroke-dasharray="4,3"/>`,
  );
  parts.push(
    `<text x="${p3.x + p3.width - 4}" y="${sy3(300) - 4}" text-anchor="end" font-size="10" fill="#d62728">300 ms</text>`,
  );
  points.forEach((point, i) => {
    const color = COLORS[i % COLORS.length]!;
    const mine = plateaus.filter((s) => s.replicas === point.replicas).sort((a, b) => a.rate - b.rate);
    // The line follows the median p99 per offered rate; dots are every plateau (hollow = failed).
    const byRate = new Map<number, number[]>();
    for (const s of mine) byRate.set(s.rate, [...(byRate.get(s.rate) ?? []), s.p99]);
    parts.push(
      polyline(
        [...byRate.entries()].map(([rate, p99s]) => [
          sx3(rate),
          sy3(p99s.sort((a, b) => a - b)[Math.floor(p99s.length / 2)]!),
        ]),
        color,
      ),
    );
    for (const s of mine) {
      parts.push(
        `<circle cx="${sx3(s.rate).toFixed(1)}" cy="${sy3(s.p99).toFixed(1)}" r="3" ${s.passed ? `fill="${color}"` : `fill="white" stroke="${color}" stroke-width="1.5"`}/>`,
      );
    }
  });
  // Bottom right: under the 300 ms line and right of the knee, where plateaus rarely land.
  parts.push(
    legend(
      p3.x + p3.width - 95,
      p3.y + p3.height - 12 - 16 * (points.length - 1),
      points.map((p, i) => ({
        label: `${p.replicas} replica${p.replicas === 1 ? '' : 's'}`,
        color: COLORS[i % COLORS.length]!,
      })),
    ),
  );

  const machine = results.machine;
  const caption = `GET ${results.options.path} · ${results.target.name} · ${machine.cores} × ${machine.cpuModel} · ${results.options.repeats} repeats × ${results.options.plateauSec} s plateaus · ${results.startedAt.slice(0, 16).replace('T', ' ')} UTC`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Arial, sans-serif">
<rect width="${width}" height="${height}" fill="white"/>
${parts.join('\n')}
<text x="${width / 2}" y="${height - 14}" text-anchor="middle" font-size="12" fill="#444">${escapeXml(caption)}</text>
</svg>
`;
}

/** Renders the SVG to PNG with resvg (a prebuilt native binary shipped in its npm package). */
export function svgToPng(svg: string): Buffer {
  const require = createRequire(import.meta.url);
  // Loaded lazily: if its native binary cannot load here, only the PNG is missing.
  const { Resvg } = require('@resvg/resvg-js') as { Resvg: typeof ResvgClass };
  const resvg = new Resvg(svg, {
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    fitTo: { mode: 'zoom', value: 1.5 },
  });
  return Buffer.from(resvg.render().asPng());
}

function pointRow(point: PointResult): string {
  const original = ORIGINAL_LAAS[point.replicas];
  const originalEfficiency =
    original !== undefined ? original / (point.replicas * ORIGINAL_LAAS[1]!) : undefined;
  return `| ${point.replicas} | **${fmt(point.maxRps)}** | ${fmt(point.min)}–${fmt(point.max)} (${fmt(point.spread * 100)}%) | ${fmt(point.atMax?.p50Ms, 1)} | ${fmt(point.atMax?.p95Ms, 1)} | ${fmt(point.atMax?.p99Ms, 1)} | ${fmt(point.efficiency !== undefined ? point.efficiency * 100 : undefined)}% | ${original ?? '–'} | ${originalEfficiency !== undefined ? `${fmt(originalEfficiency * 100)}%` : '–'} |`;
}

/** report.md: the table, the machine, how it was measured; `discussion` is appended as is. */
export function reportMarkdown(results: ExperimentResults, discussion = ''): string {
  const m = results.machine;
  const o = results.options;
  const rows = results.points.map(pointRow).join('\n');
  const plateauCount = results.points.reduce(
    (n, p) => n + p.repeats.reduce((k, r) => k + r.steps.length, 0),
    0,
  );
  return `# Scaling experiment: ${o.replicas.join('/')} replicas at ${o.cpuMillis}m CPU each

Max sustained rate of \`GET ${o.path}\` with **p99 < ${results.criteria.p99Ms} ms** and **errors < ${results.criteria.maxErrorRate * 100}%**
(and under ${results.criteria.maxDroppedRate * 100}% of iterations dropped by k6), per replica count.
Median of ${o.repeats} searches per replica count; the range is min–max over them.

| replicas | max RPS (median) | range (spread) | p50 ms | p95 ms | p99 ms | efficiency RPS(n)/(n×RPS(1)) | original LaaS RPS | original efficiency |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows}

Latencies are those of the plateau at the median max RPS. The original LaaS figures (2022, minikube on a laptop,
Artillery, MongoDB) are beside for shape, not for size: the machines differ.

![max RPS vs replicas, speed-up, p99 vs offered load](chart.svg)

## Setup

- **Target:** ${results.target.name} — ${results.target.description}
- **Machine:** ${m.cores} × ${m.cpuModel}, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM, ${m.os}, Node ${m.node}, ${m.k6 ?? 'k6'}, ${m.nginx ?? 'nginx'}
- **CPU limit:** ${o.cpuMillis}m per replica (cgroup v1 CFS quota ${Math.round(o.cpuMillis * 100)} µs per 100 000 µs period)${m.cgroupCpu ? '' : ' — **NOT applied: cgroups were not writable, replicas ran unlimited**'}
- **Method:** one k6 run per offered rate (constant-arrival-rate, ${o.plateauSec} s plateaus; k6 thresholds are cumulative, so each rate gets its
  own run), bracketing ×1.5 then bisecting to ${o.resolution * 100}%; repeats start from the previous result. ${plateauCount} plateaus in ${formatDuration(results.durationSec)}.
- **Load average** (1/5/15 min) at the start ${results.loadAverage.start.join(' / ')}, at the end (the run's own load included) ${results.loadAverage.end.join(' / ')} on ${m.cores} cores${(results.loadAverage.start[0] ?? 0) > m.cores / 2 ? ' — **other work was using the CPU when the run started: treat the figures as lower bounds**' : ''}.
- **Command:** \`npm run experiment -- --target ${results.target.name} --replicas ${o.replicas.join(',')} --cpu ${o.cpuMillis}m --repeats ${o.repeats} --plateau ${o.plateauSec}s\`
- **Run:** ${results.startedAt} → ${results.finishedAt}. Raw k6 summaries of every plateau: \`results.json\`.
${discussion ? `\n${discussion.trim()}\n` : ''}`;
}

export interface ReportFiles {
  dir: string;
  resultsJson: string;
  reportMd: string;
  chartSvg: string;
  chartPng?: string;
}

/** Writes results.json, report.md, chart.svg and chart.png into `dir`. */
export function writeReport(dir: string, results: ExperimentResults, discussion = ''): ReportFiles {
  mkdirSync(dir, { recursive: true });
  const files: ReportFiles = {
    dir,
    resultsJson: join(dir, 'results.json'),
    reportMd: join(dir, 'report.md'),
    chartSvg: join(dir, 'chart.svg'),
  };
  writeFileSync(files.resultsJson, `${JSON.stringify(results, null, 1)}\n`);
  const svg = chartSvg(results);
  writeFileSync(files.chartSvg, svg);
  try {
    files.chartPng = join(dir, 'chart.png');
    writeFileSync(files.chartPng, svgToPng(svg));
  } catch (error) {
    files.chartPng = undefined;
    process.stderr.write(
      `experiment: could not render chart.png (${error instanceof Error ? error.message : String(error)}); chart.svg is there\n`,
    );
  }
  writeFileSync(files.reportMd, reportMarkdown(results, discussion));
  return files;
}
