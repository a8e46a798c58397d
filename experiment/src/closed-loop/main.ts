#!/usr/bin/env node
/**
 * Closed-loop runs on the local system (`npm run experiment -- --scenario step --autoscaler both`):
 *   --scenario step[,flash-crowd,ramp,cost-change]   traces (scenarios.ts)
 *   --autoscaler laas|hpa|both                       which controllers, one run each, in that order
 *   --cpu 100m  --seeds 10 (for the prediction)  --out <dir>  --discussion <file.md>
 *   --report-from <results.json>                     with --scenario: re-draw prediction, chart, report only
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
import { predict } from './predict.js';
import type { Prediction } from './predict.js';
import { renderReport } from './report.js';
import type { ScenarioResult } from './report.js';
import { DEFAULT_SETTINGS, runPolicy } from './run.js';
import type { ClosedLoopSettings, PolicyRun } from './run.js';
import { scenarioByName } from './scenarios.js';

export const CLOSED_LOOP_USAGE =
  'usage: npm run experiment -- --scenario step[,flash-crowd,ramp,cost-change] --autoscaler laas|hpa|both [--cpu 100m] [--seeds 10] [--out DIR] [--discussion FILE] [--report-from results.json]\n';

export async function closedLoopMain(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'step' },
      autoscaler: { type: 'string', default: 'both' },
      cpu: { type: 'string', default: `${DEFAULT_SETTINGS.cpuMillis}m` },
      seeds: { type: 'string', default: '10' },
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
  const scenarios = values.scenario.split(',').map((s) => scenarioByName(s.trim()));
  const settings = { ...DEFAULT_SETTINGS, cpuMillis: parseCpuMillis(values.cpu) };
  const seeds = Number(values.seeds);
  if (!(Number.isInteger(seeds) && seeds >= 1)) throw new Error(`--seeds must be a whole number >= 1`);
  const discussion = values.discussion ? readFileSync(values.discussion, 'utf8') : undefined;
  const say = (line: string): void => void process.stdout.write(`closed-loop: ${line}\n`);

  if (values['report-from']) {
    // Re-draw the prediction, chart and report from a committed results.json (no new measurement).
    const saved = JSON.parse(readFileSync(values['report-from'], 'utf8')) as SavedResults;
    const out = values.out ?? dirname(values['report-from']);
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
  try {
    for (const scenario of scenarios) {
      const runs: PolicyRun[] = [];
      for (const policy of policies) {
        say(`${scenario.name} × ${policy}`);
        const run = await runPolicy(
          scenario,
          policy,
          settings,
          join(work, `${scenario.name}-${policy}`),
          say,
        );
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
interface SavedResults {
  command: string;
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
    const scenario = scenarioByName(m.scenario);
    const runs = m.runs;
    // The prediction's CPU per request: the mean measured over this scenario's runs.
    const cpu = runs.flatMap((r) => (r.cpuMsPerRequest === null ? [] : [r.cpuMsPerRequest]));
    const cpuMeanMs = cpu.length > 0 ? cpu.reduce((a, b) => a + b, 0) / cpu.length : undefined;
    const predictions: Prediction[] = [];
    for (const run of runs)
      predictions.push(await predict(scenario, run.policy, o.settings, o.seeds, cpuMeanMs));
    const chart = `timeline-${scenario.name}`;
    await writeChart(
      join(o.out, chart),
      timelineSpec(
        `${scenario.name}: measured on the local system (solid) and the referee's prediction (dashed)`,
        runs,
        predictions.map((p) => ({ label: runs.find((r) => r.policy === p.policy)!.label, run: p.runs[0]! })),
      ),
    );
    results.push({ scenario, runs, predictions, chart });
  }
  writeFileSync(
    join(o.out, 'report.md'),
    renderReport({
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
    startedAt: o.startedAt,
    machine: o.machine,
    settings: o.settings,
    scenarios: o.scenarios,
    predictions: results.map((r) => ({
      scenario: r.scenario.name,
      byPolicy: r.predictions.map((p) => ({
        policy: p.policy,
        cpuMeanMs: p.cpuMeanMs,
        median: p.median,
        seeds: p.runs.map((x) => ({ ...x, timeline: undefined })),
      })),
    })),
  };
  writeFileSync(join(o.out, 'results.json'), `${JSON.stringify(saved, null, 1)}\n`);
  o.say(`wrote ${o.out}/{report.md,results.json,timeline-*.svg/png}`);
}
