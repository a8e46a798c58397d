#!/usr/bin/env node
/**
 * Closed-loop runs on the local system (`npm run experiment -- --scenario step --autoscaler both`):
 *   --scenario step[,flash-crowd,ramp,cost-change]   traces (scenarios.ts)
 *   --autoscaler laas|hpa|both                       which controllers, one run each, in that order
 *   --repeats N                                      run each pair N times (ours, HPA, ours, HPA, ...)
 *   --target local|cluster  [--kubeconfig F] [--namespace laas] [--install]
 *                            cluster: the chart's operator vs the real HPA in a cluster where the
 *                            chart is installed (--install: helm upgrade --install it first)
 *   --cpu 100m  --seeds 10 (for the prediction)  --out <dir>  --discussion <file.md>
 *   --load-scale F     every rate of the traces times F (1; they were sized for the local system)
 *   --rps-per-replica N  our configured capacity (default 30 per 100m of --cpu)
 *   --report-from <results.json>[,<results.json>...] re-draw prediction, chart, report only (merged)
 * Writes <out>/{results.json, report.md, timeline-<scenario>.svg/.png}.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeChart } from '@laas/plot';
import { REPO_ROOT, parseCpuMillis } from '@laas/local';
import { timestampFolder } from '../cli.js';
import { timelineSpec } from './charts.js';
import type { PolicyName } from './controllers.js';
import { CLUSTER_STARTUP, LOCAL_STARTUP, predict } from './predict.js';
import { chartSets, installChart } from './cluster-install.js';
import { defaultClusterOptions, runClusterPolicy } from './cluster-run.js';
import type { MeasuredService, Prediction } from './predict.js';
import { renderReport } from './report.js';
import type { ScenarioResult } from './report.js';
import { closedLoopSettings, DEFAULT_SETTINGS, runPolicy } from './run.js';
import type { ClosedLoopSettings, PolicyRun } from './run.js';
import { atLoadScale, scenarioByName } from './scenarios.js';

export const CLOSED_LOOP_USAGE =
  'usage: npm run experiment -- --scenario step[,flash-crowd,ramp,cost-change] --autoscaler laas|hpa|both [--repeats 1] [--target local|cluster [--kubeconfig F] [--install]] [--cpu 100m] [--load-scale 1] [--rps-per-replica N] [--seeds 10] [--out DIR] [--discussion FILE] [--report-from results.json]\n';

export async function closedLoopMain(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'step' },
      autoscaler: { type: 'string', default: 'both' },
      cpu: { type: 'string', default: `${DEFAULT_SETTINGS.cpuMillis}m` },
      'rps-per-replica': { type: 'string' },
      'load-scale': { type: 'string', default: '1' },
      seeds: { type: 'string', default: '10' },
      repeats: { type: 'string', default: '1' },
      target: { type: 'string', default: 'local' },
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', default: 'laas' },
      install: { type: 'boolean', default: false },
      out: { type: 'string' },
      discussion: { type: 'string' },
      'report-from': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(CLOSED_LOOP_USAGE);
    return;
  }
  const policies: PolicyName[] =
    values.autoscaler === 'both'
      ? ['laas', 'hpa']
      : values.autoscaler === 'laas' || values.autoscaler === 'hpa'
        ? [values.autoscaler]
        : [];
  if (policies.length === 0)
    throw new Error(`--autoscaler must be laas, hpa or both, got "${values.autoscaler}"`);
  const loadScale = Number(values['load-scale']);
  if (!(Number.isFinite(loadScale) && loadScale > 0 && loadScale <= 20))
    throw new Error(`--load-scale must be a number above 0 and at most 20, got "${values['load-scale']}"`);
  const rpsOption = values['rps-per-replica'];
  const rpsPerReplica = rpsOption === undefined ? undefined : Number(rpsOption);
  if (rpsPerReplica !== undefined && !(Number.isFinite(rpsPerReplica) && rpsPerReplica > 0))
    throw new Error(`--rps-per-replica must be a number of requests per second above 0, got "${rpsOption}"`);
  const settings = closedLoopSettings({ cpuMillis: parseCpuMillis(values.cpu), rpsPerReplica, loadScale });
  const scenarios = values.scenario.split(',').map((s) => atLoadScale(scenarioByName(s.trim()), loadScale));
  const seeds = Number(values.seeds);
  if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be a whole number >= 1`);
  const repeats = Number(values.repeats);
  if (!(Number.isInteger(repeats) && repeats >= 1 && repeats <= 10))
    throw new Error(`--repeats must be a whole number from 1 to 10`);
  const discussion = values.discussion ? readFileSync(values.discussion, 'utf8') : undefined;
  if (values.target !== 'local' && values.target !== 'cluster')
    throw new Error(`--target must be local or cluster, got "${values.target}"`);
  const target: 'local' | 'cluster' = values.target;
  const cluster =
    target === 'cluster'
      ? defaultClusterOptions(
          values.kubeconfig ?? join(REPO_ROOT, '.lab', 'cluster', 'kubeconfig'),
          values.namespace,
        )
      : null;
  const say = (line: string): void => void process.stdout.write(`closed-loop: ${line}\n`);

  if (values['report-from']) {
    // Re-draw the prediction, chart and report from a committed results.json (no new measurement).
    // Several files (comma-separated) are merged: one invocation per scenario keeps what was
    // measured if a later one fails.
    const files = values['report-from'].split(',').map((f) => f.trim());
    const saved = mergeResults(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as SavedResults));
    const out = values.out ?? dirname(files[0]!);
    await finish({ ...saved, out, seeds, discussion, say });
    return;
  }

  const out = values.out ?? join(REPO_ROOT, 'experiments', `closed-loop-${timestampFolder()}`);
  mkdirSync(out, { recursive: true });
  const startedAt = new Date().toISOString();
  const loadStart = loadavg();

  // k6's per-request CSV (tens of MB) stays out of the results folder.
  const work = mkdtempSync(join(tmpdir(), 'laas-closed-loop-'));
  const measured: SavedResults['scenarios'] = [];
  if (cluster && values.install) {
    say(`helm upgrade --install ${cluster.release} (lab values, ${chartSets(settings).join(', ')})`);
    await installChart(cluster.kubeconfig, cluster.namespace, cluster.release, settings);
  }
  try {
    for (const scenario of scenarios) {
      const runs: PolicyRun[] = [];
      // Repeats alternate the policies (ours, HPA, ours, HPA): each pair ran minutes apart on
      // the same shared machine.
      for (let repeat = 1; repeat <= repeats; repeat++)
        for (const policy of policies) {
          say(`${scenario.name} × ${policy}${repeats > 1 ? ` #${repeat}` : ''}`);
          const dir = join(work, `${scenario.name}-${policy}-${repeat}`);
          const run = cluster
            ? await runClusterPolicy(scenario, policy, settings, cluster, dir, say)
            : await runPolicy(scenario, policy, settings, dir, say);
          if (repeats > 1) run.repeat = repeat;
          const m = run.measures;
          say(
            `  ${run.label}: ${run.cpuMsPerRequest?.toFixed(2) ?? '?'} CPU ms/request, ${m.violating}/${m.requests} violating, ${m.replicaSeconds} replica-s, ${m.directionChanges} direction changes, recover ${m.recoverySeconds ?? '–'} s`,
          );
          runs.push(run);
        }
      measured.push({ scenario: scenario.name, runs });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load average ${loadStart.map((x) => x.toFixed(1)).join('/')} at the start, ${loadavg()
    .map((x) => x.toFixed(1))
    .join('/')} at the end (a machine shared with other jobs: absolute latencies are noisy)`;
  await finish({
    command: `npm run experiment -- ${argv.join(' ')}`,
    target,
    startedAt,
    machine,
    settings,
    scenarios: measured,
    out,
    seeds,
    discussion,
    say,
  });
}

/** What results.json keeps of the measurement (the prediction is re-run from it). */
export interface SavedResults {
  command: string;
  /** Where the runs ran (absent: local, results.json from before the cluster half). */
  target?: 'local' | 'cluster';
  startedAt: string;
  machine: string;
  settings: ClosedLoopSettings;
  scenarios: { scenario: string; runs: PolicyRun[] }[];
}

/** The referee's prediction for each measured scenario, the charts, report.md and results.json. */
async function finish(
  o: SavedResults & { out: string; seeds: number; discussion?: string; say: (line: string) => void },
): Promise<void> {
  const results: ScenarioResult[] = [];
  for (const m of o.scenarios) {
    const scenario = atLoadScale(scenarioByName(m.scenario), o.settings.loadScale ?? 1);
    const runs = m.runs;
    // The prediction's CPU per request: the mean measured over this scenario's runs.
    const cpu = runs.flatMap((r) => (r.cpuMsPerRequest === null ? [] : [r.cpuMsPerRequest]));
    const cpuMeanMs = cpu.length > 0 ? cpu.reduce((a, b) => a + b, 0) / cpu.length : undefined;
    const measured = measuredService(runs);
    const predictions: Prediction[] = [];
    const startup = o.target === 'cluster' ? CLUSTER_STARTUP : LOCAL_STARTUP;
    for (const policy of [...new Set(runs.map((r) => r.policy))])
      predictions.push(await predict(scenario, policy, o.settings, o.seeds, cpuMeanMs, measured, startup));
    const chart = `timeline-${scenario.name}`;
    await writeChart(
      join(o.out, chart),
      timelineSpec(
        `${scenario.name}: measured ${o.target === 'cluster' ? 'in the lab cluster' : 'on the local system'} (solid) and the referee's prediction (dashed)`,
        runs,
        predictions.map((p) => ({ label: runs.find((r) => r.policy === p.policy)!.label, run: p.runs[0]! })),
      ),
    );
    results.push({ scenario, runs, predictions, chart });
  }
  writeFileSync(
    join(o.out, 'report.md'),
    renderReport({
      target: o.target ?? 'local',
      command: o.command,
      startedAt: o.startedAt,
      machine: o.machine,
      settings: o.settings,
      results,
      discussion: o.discussion,
    }),
  );
  const saved: SavedResults & { predictions: unknown[] } = {
    command: o.command,
    target: o.target ?? 'local',
    startedAt: o.startedAt,
    machine: o.machine,
    settings: o.settings,
    scenarios: o.scenarios,
    predictions: results.map((r) => ({
      scenario: r.scenario.name,
      byPolicy: r.predictions.map((p) => ({
        policy: p.policy,
        cpuMeanMs: p.cpuMeanMs,
        measured: p.measured,
        median: p.median,
        seeds: p.runs.map((x) => ({ ...x, timeline: undefined })),
      })),
    })),
  };
  writeFileSync(join(o.out, 'results.json'), `${JSON.stringify(saved, null, 1)}\n`);
  o.say(`wrote ${o.out}/{report.md,results.json,timeline-*.svg/png}`);
}

/**
 * The service as these runs measured it: mean CPU per request and idle CPU over the runs, the
 * highest share of the quota any replica reached (the host's grant, at most 1), the mean cost
 * factor. Undefined when no run could be calibrated (a results.json without CPU readings).
 */
export function measuredService(runs: readonly PolicyRun[]): MeasuredService | undefined {
  const cals = runs.flatMap((r) => (r.calibration ? [r.calibration] : []));
  if (cals.length === 0) return undefined;
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const factors = cals.flatMap((c) => (c.costFactor === null ? [] : [c.costFactor]));
  return {
    cpuMsPerRequest: mean(cals.map((c) => c.cpuMsPerRequest)),
    idleCpuMsPerSecond: mean(cals.map((c) => c.idleCpuMsPerSecond)),
    grant: Math.min(1, Math.max(...cals.map((c) => c.peakShareOfQuota))),
    costFactor: factors.length > 0 ? mean(factors) : null,
  };
}

/**
 * Several saved runs as one: scenarios in order of first appearance, the runs of a scenario met
 * twice put together, and repeats numbered 1, 2, ... per policy when a policy ran more than once.
 */
export function mergeResults(all: readonly SavedResults[]): SavedResults {
  if (all.length === 1) return all[0]!;
  const scenarios: SavedResults['scenarios'] = [];
  for (const saved of all)
    for (const sc of saved.scenarios) {
      const into = scenarios.find((x) => x.scenario === sc.scenario);
      if (into) into.runs.push(...sc.runs);
      else scenarios.push({ scenario: sc.scenario, runs: [...sc.runs] });
    }
  for (const sc of scenarios)
    for (const policy of new Set(sc.runs.map((r) => r.policy))) {
      const mine = sc.runs.filter((r) => r.policy === policy);
      if (mine.length > 1) mine.forEach((r, i) => (r.repeat = i + 1));
    }
  return {
    command: all.map((x) => x.command).join('  +  '),
    target: all[0]!.target,
    startedAt: all.map((x) => x.startedAt).join(', '),
    machine: all.map((x) => x.machine).join('; '),
    settings: all[0]!.settings,
    scenarios,
  };
}
