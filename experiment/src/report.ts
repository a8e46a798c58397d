import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderSvg, svgToPng } from '@laas/plot';
import { ORIGINAL_LAAS, cpuSplitSpec, scalingSpec } from './charts.js';
import {
  componentOrder,
  coresAtMax,
  cpuPerRequestMs,
  MACHINE_FULL_SHARE,
  QUOTA_BOUND_SHARE,
  quotaThatFits,
} from './cpu-split.js';
import type { Bottleneck } from './cpu-split.js';
import type { ExperimentResults, PointResult } from './run.js';
import { formatDuration } from './run.js';

/** The per-replica CPU limit of the original LaaS experiment. */
const ORIGINAL_CPU_MILLIS = 250;

const fmt = (value: number | undefined, digits = 0): string =>
  value === undefined || !Number.isFinite(value) ? '–' : value.toFixed(digits);

function pointRow(point: PointResult): string {
  const original = ORIGINAL_LAAS[point.replicas];
  const originalEfficiency =
    original !== undefined ? original / (point.replicas * ORIGINAL_LAAS[1]!) : undefined;
  return `| ${point.replicas} | **${fmt(point.maxRps)}** | ${fmt(point.min)}–${fmt(point.max)} (${fmt(point.spread * 100)}%) | ${fmt(point.atMax?.p50Ms, 1)} | ${fmt(point.atMax?.p95Ms, 1)} | ${fmt(point.atMax?.p99Ms, 1)} | ${fmt(point.efficiency !== undefined ? point.efficiency * 100 : undefined)}% | ${original ?? '–'} | ${originalEfficiency !== undefined ? `${fmt(originalEfficiency * 100)}%` : '–'} |`;
}

/** [5] -> "5"; [1, 3, 5] -> "1, 3 and 5". */
function listed(values: number[]): string {
  return values.length <= 1 ? values.join('') : `${values.slice(0, -1).join(', ')} and ${values.at(-1)}`;
}

const HELD_BY: Record<Bottleneck, string> = {
  machine: '**the machine**',
  quota: 'the quota',
  neither: 'neither (latency)',
};

/** The CPU section: a row per replica count at its max-RPS plateau, in cores, and the verdict. */
export function cpuSection(results: ExperimentResults): string {
  const splits = coresAtMax(results);
  if (splits.length === 0) {
    return `## Where the CPU went

Not measured in this run: the per-process CPU counters need writable cgroup v1 cpuacct (local target).
`;
  }
  const service = results.target.service ?? 'images';
  const order = componentOrder(service);
  const present = order.filter((c) => splits.some((s) => s.components.some((x) => x.component === c)));
  const header = `| replicas @ RPS | ${present.map((c) => (c === service ? `${service} replicas` : c)).join(' | ')} | machine | replicas / quota | throttled | held by |`;
  const rule = `|---|${present.map(() => '---:').join('|')}|---:|---:|---:|---|`;
  const rows = splits.map((s) => {
    const cell = (component: string): string =>
      fmt(s.components.find((c) => c.component === component)?.cores, 2);
    const held = HELD_BY[s.bottleneck];
    return `| ${s.replicas} @ ${s.rate} | ${present.map(cell).join(' | ')} | ${fmt(s.machineCores, 2)} of ${results.machine.cores} | ${fmt(s.replicaCores, 2)} / ${fmt(s.quotaCores, 2)} (${fmt((s.replicaCores / s.quotaCores) * 100)}%) | ${fmt(s.throttledShare * 100)}% | ${held} |`;
  });
  const flagged = splits.filter((s) => s.bottleneck === 'machine').map((s) => s.replicas);
  return `## Where the CPU went

Cores used (CPU seconds per second of the plateau) by each part of the system at each replica count's
max-RPS plateau, from the cpuacct counters of each process's own cgroup, read just before k6 started and
just after it exited. \`other\` is the machine's busy time (\`/proc/stat\`) that no group counted: other work
on the machine and the kernel. "Throttled" is the share of the replicas' 100 ms CFS periods in which they
used up their quota.

${header}
${rule}
${rows.join('\n')}

A count is **held by the quota** when its replicas used at least ${QUOTA_BOUND_SHARE * 100}% of their combined quota, and **held by
the machine** when they stayed below that while the machine was at least ${MACHINE_FULL_SHARE * 100}% busy.
${flagged.length > 0 ? `At ${listed(flagged)} replica${flagged.length === 1 && flagged[0] === 1 ? '' : 's'} the machine, not the replicas' quota, was the bottleneck.` : 'No replica count was held by the machine.'}

${fitSentence(results)}
![CPU by component at each max-RPS plateau](cpu.svg)
`;
}

/** What the measured per-request costs say about the quota at which the largest replica count fits the machine. */
function fitSentence(results: ExperimentResults): string {
  const service = results.target.service ?? 'images';
  const perRequest = cpuPerRequestMs(results);
  const largest = Math.max(...results.options.replicas);
  const fits = quotaThatFits(perRequest, service, { replicas: largest, cores: results.machine.cores });
  if (fits === undefined) return '';
  const parts = Object.entries(perRequest)
    .map(([component, ms]) => `${component === service ? `${service} replicas` : component} ${fmt(ms, 3)} ms`)
    .join(', ');
  return `CPU per request (the slope of CPU seconds against requests over every plateau): ${parts}. At these costs, ${largest} replicas
each busy up to their quota, with the load generator, the proxy and the database serving their requests, fit in
${MACHINE_FULL_SHARE * 100}% of the machine's ${results.machine.cores} cores up to **${fmt(fits)}m per replica** (this run: ${results.options.cpuMillis}m).
`;
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
  const unlimited =
    results.target.name === 'local' && !m.cgroupCpu
      ? `\n**Unlimited: the replicas ran without a CPU limit (\`--allow-unlimited\`). These figures measure this machine, not ${o.cpuMillis}m replicas.**\n`
      : '';
  return `# Scaling experiment: ${o.replicas.join('/')} replicas at ${o.cpuMillis}m CPU each
${unlimited}
Max sustained rate of \`GET ${o.path}\` with **p99 < ${results.criteria.p99Ms} ms** and **errors < ${results.criteria.maxErrorRate * 100}%**
(and under ${results.criteria.maxDroppedRate * 100}% of iterations dropped by k6), per replica count.
Median of ${o.repeats} searches per replica count; the range is min–max over them.

| replicas | max RPS (median) | range (spread) | p50 ms | p95 ms | p99 ms | efficiency RPS(n)/(n×RPS(1)) | original LaaS RPS | original efficiency |
|---:|---:|---:|---:|---:|---:|---:|---:|---:|
${rows}

Latencies are those of the plateau at the median max RPS. The original LaaS figures (2022, minikube on a laptop,
Artillery, MongoDB, no CPU quota stated) are beside for shape, not for size: the machines differ.

![max RPS vs replicas, speed-up, p99 vs offered load](chart.svg)

${cpuSection(results)}
## Setup

- **Target:** ${results.target.name} — ${results.target.description}
- **Machine:** ${m.cores} × ${m.cpuModel}, ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB RAM, ${m.os}, Node ${m.node}, ${m.k6 ?? 'k6'}, ${m.nginx ?? 'nginx'}
- **CPU limit:** ${o.cpuMillis}m per replica (cgroup ${m.cgroupVersion ?? 'v1'} CFS quota ${Math.round(o.cpuMillis * 100)} µs per 100 000 µs period)${o.cpuMillis === ORIGINAL_CPU_MILLIS ? ", the original's setting" : `, a scale model of the original's ${ORIGINAL_CPU_MILLIS}m chosen so that ${Math.max(...o.replicas)} replicas, k6, nginx and the database fit the machine (see the fit line above; \`--cpu ${ORIGINAL_CPU_MILLIS}m\` reproduces the original's setting)`}${m.cgroupCpu ? '' : ' — **NOT applied: cgroups were not writable, replicas ran unlimited**'}
- **Method:** one k6 run per offered rate (constant-arrival-rate, ${o.plateauSec} s plateaus; k6 thresholds are cumulative, so each rate gets its
  own run), bracketing ×1.5 then bisecting to ${o.resolution * 100}%; repeats start from the previous result. ${plateauCount} plateaus in ${formatDuration(results.durationSec)}.
- **Load average** (1/5/15 min) at the start ${results.loadAverage.start.join(' / ')}, at the end (the run's own load included) ${results.loadAverage.end.join(' / ')} on ${m.cores} cores${(results.loadAverage.start[0] ?? 0) > m.cores / 2 ? ' — **other work was using the CPU when the run started: treat the figures as lower bounds**' : ''}.
- **Command:** \`npm run experiment -- --target ${results.target.name} --replicas ${o.replicas.join(',')} --cpu ${o.cpuMillis}m --repeats ${o.repeats} --plateau ${o.plateauSec}s\`
- **Run:** ${results.startedAt} → ${results.finishedAt}. Raw k6 summaries and CPU counters of every plateau: \`results.json\`.
${discussion ? `\n${discussion.trim()}\n` : ''}`;
}

export interface ReportFiles {
  dir: string;
  resultsJson: string;
  reportMd: string;
  /** The scaling chart (max RPS, speed-up, p99 vs load) and the CPU split chart, each SVG and PNG. */
  charts: { svg: string; png?: string }[];
}

/**
 * Writes results.json, report.md, chart.svg/png (scaling) and cpu.svg/png (CPU split) into `dir`;
 * without CPU counters (the cluster target) no CPU chart, rather than an empty one.
 */
export async function writeReport(
  dir: string,
  results: ExperimentResults,
  discussion = '',
): Promise<ReportFiles> {
  mkdirSync(dir, { recursive: true });
  const files: ReportFiles = {
    dir,
    resultsJson: join(dir, 'results.json'),
    reportMd: join(dir, 'report.md'),
    charts: [],
  };
  writeFileSync(files.resultsJson, `${JSON.stringify(results, null, 1)}\n`);
  const specs: [string, ReturnType<typeof scalingSpec>][] = [['chart', scalingSpec(results)]];
  if (coresAtMax(results).length > 0) specs.push(['cpu', cpuSplitSpec(results)]);
  for (const [name, spec] of specs) {
    const svg = await renderSvg(spec);
    const chart: { svg: string; png?: string } = { svg: join(dir, `${name}.svg`) };
    writeFileSync(chart.svg, svg);
    try {
      writeFileSync(join(dir, `${name}.png`), svgToPng(svg));
      chart.png = join(dir, `${name}.png`);
    } catch (error) {
      process.stderr.write(
        `experiment: could not render ${name}.png (${error instanceof Error ? error.message : String(error)}); ${name}.svg is there\n`,
      );
    }
    files.charts.push(chart);
  }
  writeFileSync(files.reportMd, reportMarkdown(results, discussion));
  return files;
}
