#!/usr/bin/env node
/**
 * Closed-loop runs on the local system (`npm run experiment -- --scenario step --autoscaler both`):
 *   --scenario step[,flash-crowd,ramp,cost-change]   traces (scenarios.ts)
 *   --autoscaler laas|hpa|both                       which controllers, one run each, in that order
 *   --cpu 100m  --seeds 10 (for the prediction)  --out <dir>  --discussion <file.md>
 * Writes <out>/{results.json, report.md, timeline-<scenario>.svg/.png}.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeChart } from '@laas/plot';
import { REPO_ROOT, parseCpuMillis } from '@laas/local';
import { timestampFolder } from '../cli.js';
import { timelineSpec } from './charts.js';
import type { PolicyName } from './controllers.js';
import { predict } from './predict.js';
import { renderReport } from './report.js';
import type { ScenarioResult } from './report.js';
import { DEFAULT_SETTINGS, runPolicy } from './run.js';
import type { PolicyRun } from './run.js';
import { scenarioByName } from './scenarios.js';

export const CLOSED_LOOP_USAGE =
  'usage: npm run experiment -- --scenario step[,flash-crowd,ramp,cost-change] --autoscaler laas|hpa|both [--cpu 100m] [--seeds 10] [--out DIR] [--discussion FILE]\n';

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
  const out = values.out ?? join(REPO_ROOT, 'experiments', `closed-loop-${timestampFolder()}`);
  mkdirSync(out, { recursive: true });
  const say = (line: string): void => void process.stdout.write(`closed-loop: ${line}\n`);
  const startedAt = new Date().toISOString();
  const loadStart = loadavg();

  // k6's per-request CSV (tens of MB) stays out of the results folder.
  const work = mkdtempSync(join(tmpdir(), 'laas-closed-loop-'));
  const results: ScenarioResult[] = [];
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
          `  ${run.label}: ${m.violating}/${m.requests} violating, ${m.replicaSeconds} replica-s, ${m.directionChanges} direction changes, recover ${m.recoverySeconds ?? '–'} s`,
        );
        runs.push(run);
      }
      const predictions = [];
      for (const policy of policies) predictions.push(await predict(scenario, policy, settings, seeds));
      const chart = `timeline-${scenario.name}`;
      await writeChart(
        join(out, chart),
        timelineSpec(
          `${scenario.name}: measured on the local system (solid) and the referee's prediction (dashed)`,
          runs,
          predictions.map((p) => ({
            label: runs.find((r) => r.policy === p.policy)!.label,
            run: p.runs[0]!,
          })),
        ),
      );
      results.push({ scenario, runs, predictions, chart });
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const command = `npm run experiment -- ${argv.join(' ')}`;
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}; load average ${loadStart.map((x) => x.toFixed(1)).join('/')} at the start, ${loadavg()
    .map((x) => x.toFixed(1))
    .join('/')} at the end (a machine shared with other jobs: absolute latencies are noisy)`;
  writeFileSync(
    join(out, 'report.md'),
    renderReport({
      command,
      startedAt,
      machine,
      settings,
      results,
      discussion: values.discussion ? readFileSync(values.discussion, 'utf8') : undefined,
    }),
  );
  writeFileSync(
    join(out, 'results.json'),
    `${JSON.stringify(
      {
        command,
        startedAt,
        machine,
        settings,
        scenarios: results.map((r) => ({
          scenario: r.scenario.name,
          description: r.scenario.description,
          runs: r.runs,
          predictions: r.predictions.map((p) => ({
            policy: p.policy,
            median: p.median,
            seeds: p.runs.map((x) => ({ ...x, timeline: undefined })),
            seed1Timeline: p.runs[0]?.timeline,
          })),
        })),
      },
      null,
      1,
    )}\n`,
  );
  say(`wrote ${out}/{report.md,results.json,timeline-*.svg/png}`);
}
