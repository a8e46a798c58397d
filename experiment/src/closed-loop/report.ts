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
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

export function renderReport(o: {
  target?: 'local' | 'cluster';
  command: string;
  startedAt: string;
  machine: string;
  settings: ClosedLoopSettings;
  results: ScenarioResult[];
  discussion?: string;
}): string {
  const s = o.settings;
  if (o.target === 'cluster') return renderClusterReport({ ...o, target: 'cluster' });
  const lines: string[] = [
    '# Closed loop on the local system: our autoscaler against the ported HPA',
    '',
    `Command: \`${o.command}\` · started ${o.startedAt} · ${o.machine}`,
    '',
    `Each policy runs the same k6 trace against a fresh local system (FerretDB, nginx, replicas of the images service in cgroups at ${s.cpuMillis}m CPU each, Prometheus scraping every ${s.scrapeIntervalSeconds} s${scaleNote(s)}). Replicas ${s.bounds.minReplicas}–${s.bounds.maxReplicas}.`,
    `- **laas (ours)**: the operator's Reconciler and decider, unmodified, every 5 s, reading the local Prometheus with the operator's PrometheusMetricSource; configured capacity ${s.rpsPerReplica} RPS per replica, planned at ${Math.round(s.targetUtilization * 100)} %.`,
    `- **HPA (CPU)**: the HPA v2 ported in autoscaler/referee (replica calculator, tolerance, default behavior), every 15 s, on CPU utilisation of a ${s.cpuMillis}m request at ${s.hpaTargetPercent} % (metrics-server replaced by Prometheus' per-replica \`rate(process_cpu_seconds_total[15s])\`).`,
    '- Both scale through the same `LocalScaleTarget` (which, like a Deployment, returns at once and starts or drains replicas in the background).',
    '- Measures as the referee defines them: SLO-violating requests (k6 saw over 300 ms, a failure, a timeout at 5 s, or an iteration k6 could not start), replica-seconds (asked-for replicas, starting ones included), direction changes, time to recover after the step (to the end of the last 5 s with over 1 % violating).',
    "- **Predicted**: the referee's simulation of the same trace and the same two policies at the same settings (median of 10 seeds), with its fitted service model scaled to the quota, and in place of the fit's numbers the ones these runs measured (CPU per request, idle CPU per replica, the cost change; see each scenario), and a local start-up of 2–4 s.",
    '',
  ];
  lines.push(...scenarioSections(o.results));
  if (o.discussion) lines.push('## Discussion', '', o.discussion.trim(), '');
  return `${lines.join('\n')}\n`;
}

/** "; every rate of the traces x5 (`--load-scale`)" when the command scaled them, else nothing. */
const scaleNote = (s: ClosedLoopSettings): string =>
  (s.loadScale ?? 1) === 1 ? '' : `; every rate of the traces x${s.loadScale} (\`--load-scale\`)`;

/** The lab-cluster run's report: the same tables, another setting. */
function renderClusterReport(o: Parameters<typeof renderReport>[0]): string {
  const s = o.settings;
  const lines: string[] = [
    "# Closed loop in the lab cluster: the chart's operator against the real HPA",
    '',
    `Command: \`${o.command}\` · started ${o.startedAt} · ${o.machine}`,
    '',
    `The lab cluster (\`npm run cluster -- up\`: Kubernetes 1.33 on this machine, kube-controller-manager running every controller, the HPA included) with the chart installed from the lab values and the images Deployment at ${s.cpuMillis}m CPU (request = limit). For each policy the Deployment is set back to its starting count, the policy's controller is created, and the trace runs as a k6 Job inside the cluster against the images Service (\`charts/laas/files/k6/trace.js\`, the local run's stages${scaleNote(s)}). Replicas ${s.bounds.minReplicas}–${s.bounds.maxReplicas}; the chart's gateway and auth at one replica each, with their LatencyAutoscalers off.`,
    `- **laas (ours)**: the chart's operator (image laas/autoscaler:dev, built from this commit) with a LatencyAutoscaler like the local run's: configured capacity ${s.rpsPerReplica} RPS per replica, planned at ${Math.round(s.targetUtilization * 100)} %, reading the chart's Prometheus (Kubernetes service discovery, ${s.scrapeIntervalSeconds} s scrapes).`,
    `- **HPA (real, CPU)**: an autoscaling/v2 HorizontalPodAutoscaler on CPU utilisation at ${s.hpaTargetPercent} % of the ${s.cpuMillis}m request, with the default behavior, run by kube-controller-manager (15 s sync) from metrics-server.`,
    "- Measures as the referee defines them, from k6's per-request rows (read back from the Job's log) and the Deployment sampled every second: SLO-violating requests (over 300 ms, failed, timed out at 5 s, or dropped by k6), replica-seconds (asked-for replicas), direction changes, time to recover after the step.",
    "- **Predicted**: the referee's simulation of the same trace with the ported HPA and our decider, given the CPU these runs measured, and an assumed pod start-up of 4–9 s.",
    '',
  ];
  lines.push(...scenarioSections(o.results));
  if (o.discussion) lines.push('## Discussion', '', o.discussion.trim(), '');
  return `${lines.join('\n')}\n`;
}

function scenarioSections(results: readonly ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`## ${r.scenario.name}: ${r.scenario.description}`, '');
    lines.push(
      '| policy | source | requests | SLO-violating | failed | replica-seconds | direction changes | scale events | time to recover (s) |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    const pct = (v: number, n: number): string => `${((100 * v) / Math.max(1, n)).toFixed(2)} %`;
    for (const policy of [...new Set(r.runs.map((x) => x.policy))]) {
      const mine = r.runs.filter((x) => x.policy === policy);
      const label = mine[0]!.label;
      for (const run of mine) {
        const m = run.measures;
        lines.push(
          `| ${label} | measured${run.repeat === undefined ? '' : ` #${run.repeat}`} | ${m.requests} | ${m.violating} (${pct(m.violating, m.requests)}) | ${m.failed} | ${f(m.replicaSeconds)} | ${m.directionChanges} | ${m.scaleEvents} | ${f(m.recoverySeconds)} |`,
        );
      }
      if (mine.length > 1) {
        const med = (g: (x: PolicyRun) => number | null): number | null => {
          const xs = mine.map(g).filter((x): x is number => x !== null);
          return xs.length === 0 ? null : median(xs);
        };
        const requests = med((x) => x.measures.requests) ?? 0;
        const violating = med((x) => x.measures.violating) ?? 0;
        lines.push(
          `| ${label} | **measured, median of ${mine.length}** | ${f(requests)} | **${f(violating)} (${pct(violating, requests)})** | ${f(med((x) => x.measures.failed))} | **${f(med((x) => x.measures.replicaSeconds))}** | ${f(
            med((x) => x.measures.directionChanges),
            1,
          )} | ${f(
            med((x) => x.measures.scaleEvents),
            1,
          )} | ${f(med((x) => x.measures.recoverySeconds))} |`,
        );
      }
      const p = r.predictions.find((x) => x.policy === policy);
      const run = mine[0]!;
      if (p) {
        const requests = p.runs[0]?.requests ?? 0;
        lines.push(
          `| ${run.label} | predicted (median of ${p.runs.length}) | ~${requests} | ${f(p.median.violating)} | – | ${f(p.median.replicaSeconds)} | ${f(p.median.directionChanges)} | – | ${f(p.median.recoverySeconds)} |`,
        );
      }
    }
    lines.push('', `![timelines](${r.chart}.png)`, '');
    const cpu = r.runs
      .map(
        (x) =>
          `${x.label}${x.repeat === undefined ? '' : ` #${x.repeat}`} ${x.cpuMsPerRequest?.toFixed(2) ?? '?'} ms`,
      )
      .join(', ');
    lines.push(
      `CPU per request measured (Prometheus, whole run): ${cpu}; the prediction used ${r.predictions[0]?.cpuMeanMs.toFixed(2) ?? '?'} ms (the referee's fit: 1.00 ms).`,
      '',
    );
    const ms = r.predictions[0]?.measured;
    if (ms) {
      lines.push(
        `The prediction was given the service as these runs measured it (CPU against RPS every 5 s, least squares, mean over the runs): ${ms.cpuMsPerRequest.toFixed(2)} ms of CPU per request, ${ms.idleCpuMsPerSecond.toFixed(1)} ms/s of idle CPU per replica${ms.costFactor === null ? '' : `, requests after the change costing ${ms.costFactor.toFixed(2)}x (the scenario assumes 2x)`}. The busiest replica reached ${(100 * ms.grant).toFixed(0)} % of its quota (reported, not given to the model: it bounds what the host granted only where a replica saturated).`,
        '',
      );
    }
    for (const run of r.runs) {
      lines.push(
        `- ${run.label}${run.repeat === undefined ? '' : ` #${run.repeat}`}: started ${run.startedAt}, scale events ${run.events.map((e) => `${e.t} s ${e.from}→${e.to}`).join(', ') || 'none'}; load average ${load(run.loadBefore)} before, ${load(run.loadAfter)} after; cgroup limits ${run.limited ? 'applied' : 'NOT applied'}; k6 exit ${run.k6ExitCode}${run.targetErrors.length ? `; target errors: ${run.targetErrors.join('; ')}` : ''}.`,
      );
    }
    lines.push('');
  }
  return lines;
}
