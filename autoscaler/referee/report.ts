// The referee's report: Markdown with a headline table, a table and a Pareto chart per trace,
// and a timeline per trace.
import type { Comparison, Point, Spread, Verdict } from './aggregate.js';
import { OURS, RULE, seedsNeeded } from './aggregate.js';
import type { Trace } from './traces.js';

export interface ReportInput {
  command: string;
  startedAt: string;
  seconds: number;
  seeds: number;
  workers: number;
  machine: string;
  traces: readonly Trace[];
  points: readonly Point[];
  verdicts: readonly Verdict[];
  warmupSeconds: number;
  /** Ours' default setting. */
  defaultSetting: string;
}

const n = (x: number): string =>
  x >= 100 ? Math.round(x).toLocaleString('en-US') : x.toFixed(x >= 10 ? 0 : 1);
const range = (s: Spread, f = n): string => `${f(s.median)} (${f(s.p5)}–${f(s.p95)})`;
const pct = (x: number): string => (x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toFixed(2));

const cell = (v: Verdict): string => {
  const bold = (k: string) => (k === 'win' || k === 'loss' ? `**${k}**` : k);
  return `${bold(v.verdict)} / ${bold(v.defaultVerdict)}`;
};

export function headline(verdicts: readonly Verdict[], traces: readonly Trace[]): string {
  const baselines = [...new Set(verdicts.map((v) => v.baseline))];
  const rows = traces
    .filter((t) => verdicts.some((v) => v.trace === t.name))
    .map((t) => {
      const cells = baselines.map((b) => {
        const v = verdicts.find((x) => x.trace === t.name && x.baseline === b);
        return v === undefined ? '' : cell(v);
      });
      return `| ${t.name} | ${cells.join(' | ')} |`;
    });
  return [
    `| trace | ${baselines.join(' | ')} |`,
    `|---|${baselines.map(() => '---').join('|')}|`,
    ...rows,
  ].join('\n');
}

/** Counts of each verdict kind, for any setting of ours and for the default. */
export function tally(verdicts: readonly Verdict[]): string {
  const kinds = ['win', 'loss', 'tie', 'not comparable'] as const;
  const count = (f: (v: Verdict) => string) =>
    kinds.map((k) => `${verdicts.filter((v) => f(v) === k).length} ${k}`).join(', ');
  return `Any setting of ours: ${count((v) => v.verdict)}. Ours' default: ${count((v) => v.defaultVerdict)} (of ${verdicts.length} trace × baseline pairs).`;
}

/** The comparisons that decided a verdict, for the list of every verdict. */
function reasons(v: Verdict): string {
  const decisive = v.comparisons.filter((c) =>
    v.verdict === 'loss' ? c.forOurs === 'worse' : v.verdict === 'win' ? c.forOurs === 'better' : true,
  );
  const say = (c: Comparison) =>
    `${c.direction === 'ours on their front' ? `ours ${c.setting}` : `their ${c.setting}`} at ${n(c.replicaSeconds)} rs: ${n(c.point)} against ${n(c.front)} ${c.dominance ? `of ${c.direction === 'ours on their front' ? 'the baseline' : 'our'} setting ${c.against[0]} at ${(c.forOurs === 'better') === (c.direction === 'ours on their front') ? 'no less' : 'no more'} cost` : `on the ${c.direction === 'ours on their front' ? 'baseline' : 'our'} front (${c.against.join('–')})`}, fewer in ${c.fewer} and more in ${c.more} of ${c.seeds} seeds`;
  if (decisive.length === 0)
    return `no setting of either side lies inside the other's cost range (${v.outsideRange.join(', ')})`;
  return decisive.map(say).join('; ');
}

export function verdictList(verdicts: readonly Verdict[]): string {
  return verdicts
    .map(
      (v) => `- **${v.trace}** vs ${v.baseline}: ${v.verdict} (default: ${v.defaultVerdict}). ${reasons(v)}.`,
    )
    .join('\n');
}

export function traceTable(points: readonly Point[]): string {
  const rows = points.map(
    (p) =>
      `| ${p.family === OURS ? `**${p.family}**` : p.family} | ${p.setting} | ${range(p.violatingPercent, pct)} | ${n(
        p.violating.median,
      )} | ${range(p.replicaSeconds)} | ${n(p.directionChanges.median)} | ${p.recoverySeconds === null ? '–' : n(p.recoverySeconds.median)} |`,
  );
  return [
    '| policy | setting | violating % median (90 % of seeds) | violating requests | replica-seconds median (90 %) | direction changes | recovery s |',
    '|---|---|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

export function renderReport(r: ReportInput): string {
  const sections = r.traces
    .filter((t) => r.points.some((p) => p.trace === t.name))
    .map((t) => {
      const points = r.points.filter((p) => p.trace === t.name);
      const losses = r.verdicts
        .filter((v) => v.trace === t.name && v.verdict === 'loss')
        .map((v) => v.baseline);
      return [
        `## ${t.name}`,
        '',
        `${t.description}. ${t.durationSeconds} s, ${r.seeds} seeds.${
          losses.length > 0 ? ` **Ours loses at some cost to: ${losses.join(', ')}.**` : ''
        }`,
        '',
        `![Pareto chart, ${t.name}](pareto-${t.name}.png)`,
        '',
        traceTable(points),
        '',
        `Timeline of seed 1: [timeline-${t.name}.png](timeline-${t.name}.png)`,
        '',
      ].join('\n');
    });
  const need = seedsNeeded(r.seeds);
  return `# Autoscaler referee: results

Generated by \`${r.command}\` (${r.startedAt}, ${Math.round(r.seconds)} s on ${r.workers} worker threads; ${r.machine}).
Every number below is a simulation (autoscaler/referee, described in autoscaler/README.md, "The referee"), not a
measurement of a cluster.

**Warm starts.** Every run first serves the trace's starting load for ${r.warmupSeconds} s, unmeasured: series, rate()
windows and every controller's history (the HPA's recommendations, KEDA's failure count, the KPA's windows and
panic state, our decider's memory) start in that steady state. Measures cover the trace only.

**Tuning.** Both sides are tuned on this referee: ours' behaviour defaults (windows, hysteresis) were chosen on
earlier runs of it, and each baseline runs a grid at least as large as ours (4 settings) over the knobs its users
turn: the target, and the HPA's and KEDA's scale-down stabilisation window (300 s, 60 s) or the KPA's panic
threshold (200 %, 150 %). Its front keeps whichever settings are best.

**The rule.** Costs are median replica-seconds over seeds. A point is compared with the other side's Pareto front
*at its own cost*, in both directions: each setting of ours on the baseline's front, and each setting of the
baseline on ours. The front has a value there only inside the range its settings ran: within
${RULE.equalCost * 100} % of one of its points, or on the line between two neighbouring front points whose costs differ by at most
${RULE.maxChord * 100} %; beyond its cheapest or dearest point, or across a wider gap, the pair is not compared (no flat
extension, no long chord); there only dominance is judged, setting against setting: a point is better than a
setting of the other side that cost at least as much (within ${RULE.equalCost * 100} %) and had more violating requests, worse than one that cost
at most as much and had fewer. The comparison is paired over seeds: the front's value at that cost is interpolated
per seed from the same seeds' results. One side is better when it has fewer violating requests in at least ${need} of
${r.seeds} seeds (a one-sided sign test at ${RULE.alpha * 100} %) and its median advantage is at least ${RULE.minMargin * 100} % of the larger median;
otherwise the two are the same. **Verdicts**, for a trace and a baseline: **loss** if the baseline is better
anywhere (any of its settings below our front, or any of ours above its front); else **win** if ours is better
somewhere; else **tie** if any pair was comparable; else **not comparable** (at equal cost). Each cell: any
setting of ours / ours' default (${r.defaultSetting}) alone on the baseline's front.

${headline(r.verdicts, r.traces)}

${tally(r.verdicts)}

Violating requests: slower than 300 ms, or failed (503 with no ready replica or over 256 in flight, or slower than
10 s). Replica-seconds count starting and draining replicas. Direction changes: up after down or down after up.
Recovery: seconds from the trace's step to the end of the last 5 s window with over 1 % violating requests (within
300 s).

## Every verdict, and the comparisons that decided it

${verdictList(r.verdicts)}

${sections.join('\n')}`;
}
