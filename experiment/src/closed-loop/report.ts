// report.md of a closed-loop run: the measures side by side, measured and predicted.
import type { Prediction } from './predict.js';
import type { ClosedLoopSettings, PolicyRun } from './run.js';
import type { Scenario } from './scenarios.js';

export interface ScenarioResult {
  scenario: Scenario;
  runs: PolicyRun[];
  predictions: Prediction[];
  chart: string;
}

const f = (x: number | null | undefined, digits = 0): string =>
  x === null || x === undefined ? '–' : x.toFixed(digits);
const load = (l: number[]): string => l.map((x) => x.toFixed(1)).join(' / ');

export function renderReport(o: {
  command: string;
  startedAt: string;
  machine: string;
  settings: ClosedLoopSettings;
  results: ScenarioResult[];
  discussion?: string;
}): string {
  const s = o.settings;
  const lines: string[] = [
    '# Closed loop on the local system: our autoscaler against the ported HPA',
    '',
    `Command: \`${o.command}\` · started ${o.startedAt} · ${o.machine}`,
    '',
    `Each policy runs the same k6 trace against a fresh local system (FerretDB, nginx, replicas of the images service in cgroups at ${s.cpuMillis}m CPU each, Prometheus scraping every ${s.scrapeIntervalSeconds} s). Replicas ${s.bounds.minReplicas}–${s.bounds.maxReplicas}.`,
    `- **laas (ours)**: the operator's Reconciler and decider, unmodified, every 5 s, reading the local Prometheus with the operator's PrometheusMetricSource; configured capacity ${s.rpsPerReplica} RPS per replica, planned at ${Math.round(s.targetUtilization * 100)} %.`,
    `- **HPA (CPU)**: the HPA v2 ported in autoscaler/eval (replica calculator, tolerance, default behavior), every 15 s, on CPU utilisation of a ${s.cpuMillis}m request at ${s.hpaTargetPercent} % (metrics-server replaced by Prometheus' per-replica \`rate(process_cpu_seconds_total[15s])\`).`,
    '- Both scale through the same `LocalScaleTarget` (which, like a Deployment, returns at once and starts or drains replicas in the background).',
    '- Measures as the referee defines them: SLO-violating requests (k6 saw over 300 ms, a failure, a timeout at 5 s, or an iteration k6 could not start), replica-seconds (asked-for replicas, starting ones included), direction changes, time to recover after the step (to the end of the last 5 s with over 1 % violating).',
    "- **Predicted**: the referee's simulation of the same trace and the same two policies at the same settings (median of 10 seeds), with its fitted service model scaled to the quota, its CPU per request set to the one measured in these runs, and a local start-up of 2–4 s.",
    '',
  ];
  for (const r of o.results) {
    lines.push(`## ${r.scenario.name}: ${r.scenario.description}`, '');
    lines.push(
      '| policy | source | requests | SLO-violating | failed | replica-seconds | direction changes | scale events | time to recover (s) |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const run of r.runs) {
      const m = run.measures;
      lines.push(
        `| ${run.label} | measured | ${m.requests} | ${m.violating} (${((100 * m.violating) / Math.max(1, m.requests)).toFixed(2)} %) | ${m.failed} | ${f(m.replicaSeconds)} | ${m.directionChanges} | ${m.scaleEvents} | ${f(m.recoverySeconds)} |`,
      );
      const p = r.predictions.find((x) => x.policy === run.policy);
      if (p) {
        const requests = p.runs[0]?.requests ?? 0;
        lines.push(
          `| ${run.label} | predicted (median of ${p.runs.length}) | ~${requests} | ${f(p.median.violating)} | – | ${f(p.median.replicaSeconds)} | ${f(p.median.directionChanges)} | – | ${f(p.median.recoverySeconds)} |`,
        );
      }
    }
    lines.push('', `![timelines](${r.chart}.png)`, '');
    const cpu = r.runs.map((x) => `${x.label} ${x.cpuMsPerRequest?.toFixed(2) ?? '?'} ms`).join(', ');
    lines.push(
      `CPU per request measured (Prometheus, whole run): ${cpu}; the prediction used ${r.predictions[0]?.cpuMeanMs.toFixed(2) ?? '?'} ms (the referee's fit: 1.00 ms).`,
      '',
    );
    for (const run of r.runs) {
      lines.push(
        `- ${run.label}: scale events ${run.events.map((e) => `${e.t} s ${e.from}→${e.to}`).join(', ') || 'none'}; load average ${load(run.loadBefore)} before, ${load(run.loadAfter)} after; cgroup limits ${run.limited ? 'applied' : 'NOT applied'}; k6 exit ${run.k6ExitCode}${run.targetErrors.length ? `; target errors: ${run.targetErrors.join('; ')}` : ''}.`,
      );
    }
    lines.push('');
  }
  if (o.discussion) lines.push('## Discussion', '', o.discussion.trim(), '');
  return `${lines.join('\n')}\n`;
}
