#!/usr/bin/env node
/**
 * `npm run experiment -- [--replicas 1,2,3,5] [--cpu 100m] [--repeats 3] [--plateau 8s]
 *                         [--target local|cluster|minikube] [--context NAME] [--dry-run]`
 * Measures the max sustained RPS of GET /random?count=25 per replica count and writes
 * experiment/runs/<timestamp>/{results.json, report.md, chart.svg/png, cpu.svg/png}.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli, progressLine, USAGE } from './cli.js';
import { closedLoopMain } from './closed-loop/main.js';
import type { CliOptions } from './cli.js';
import { startLocalEnvironment } from './local-environment.js';
import { createKubeEnvironment, dryRunKube } from './kube-environment.js';
import { cgroupSupport } from '@laas/local';
import { decideLimits } from './limits.js';
import { writeReport } from './report.js';
import { formatDuration, runExperiment } from './run.js';
import type { ExperimentResults, ExperimentEnvironment } from './run.js';

const say = (line: string): void => void process.stdout.write(`experiment: ${line}\n`);

function printLocalPlan(cli: CliOptions): void {
  const o = cli.experiment;
  say('dry run (local target): the sequence is');
  say(`  start FerretDB, seed 100 llamas, start nginx (least_conn, keep-alive) and Prometheus (file SD)`);
  for (const n of o.replicas) {
    say(
      `  LocalScaleTarget.scale(${n}): start replicas at ${o.cpuMillis}m CPU (cfs_quota_us ${o.cpuMillis * 100}/100000), wait for /readyz, reload nginx; or unroute, reload, SIGTERM, drain`,
    );
    say(
      `  ${o.repeats} x search: k6 run charts/laas/files/k6/plateau.js RATE=<r> DURATION=${o.plateauSec}s per step (x1.5 until a plateau fails, then bisect to ${o.resolution * 100}%)`,
    );
  }
  say(`  write ${cli.out}/{results.json,report.md,chart.svg,chart.png,cpu.svg,cpu.png}; stop everything`);
}

async function main(): Promise<void> {
  // Closed-loop runs (an autoscaler scaling the local system under a k6 trace): closed-loop/main.ts.
  if (process.argv.some((a) => a.startsWith('--scenario') || a.startsWith('--autoscaler'))) {
    await closedLoopMain(process.argv.slice(2));
    return;
  }
  const cli = parseCli(process.argv.slice(2));
  if (cli.help) {
    process.stdout.write(USAGE);
    return;
  }
  const o = cli.experiment;
  if (cli.reportFrom) {
    const results = JSON.parse(
      readFileSync(join(cli.reportFrom, 'results.json'), 'utf8'),
    ) as ExperimentResults;
    const discussion = cli.discussion ? readFileSync(cli.discussion, 'utf8') : '';
    const files = await writeReport(cli.reportFrom, results, discussion);
    say(
      `rewrote ${[files.reportMd, ...files.charts.flatMap((c) => [c.svg, c.png ?? []].flat())].join(', ')}`,
    );
    return;
  }
  if (cli.dryRun) {
    if (cli.target === 'local') {
      printLocalPlan(cli);
      return;
    }
    say(
      `dry run (${cli.target} target): namespace ${cli.namespace}, deployment ${cli.deployment}; writes are validated by the API server (dryRun=All)`,
    );
    await dryRunKube({
      name: cli.target,
      namespace: cli.namespace,
      deployment: cli.deployment,
      serviceUrl: cli.serviceUrl,
      kubeconfig: cli.kubeconfig,
      context: cli.context,
      k6Image: cli.k6Image,
      cpuMillis: o.cpuMillis,
      replicas: o.replicas,
      rate: o.startRps,
      durationSec: o.plateauSec,
      path: o.path,
    });
    say(
      'dry run done: each plateau of the real run repeats the Job create / wait / logs / delete above at the rate the search picks',
    );
    return;
  }

  const limits = decideLimits({
    target: cli.target,
    support: cgroupSupport(),
    allowUnlimited: cli.allowUnlimited,
  });
  if (!limits.run) {
    process.stderr.write(`experiment: ${limits.message}\n`);
    process.exit(2);
  }
  if (limits.warning) say(`warning: ${limits.warning}`);
  say(
    `replicas ${o.replicas.join(',')} at ${o.cpuMillis}m CPU each, ${o.repeats} repeats, ${o.plateauSec}s plateaus, target ${cli.target}`,
  );
  let environment: ExperimentEnvironment;
  if (cli.target === 'local') {
    environment = await startLocalEnvironment({
      cpuMillis: o.cpuMillis,
      mongoUrl: cli.mongoUrl,
      mongoDb: cli.mongoDb,
      log: (line) => say(line),
    });
  } else {
    // cluster and minikube: one path (k6 Jobs in the cluster); only the context differs.
    const kube = createKubeEnvironment({
      name: cli.target,
      namespace: cli.namespace,
      deployment: cli.deployment,
      serviceUrl: cli.serviceUrl,
      kubeconfig: cli.kubeconfig,
      context: cli.context,
      k6Image: cli.k6Image,
      cpuMillis: o.cpuMillis,
      print: (line) => say(line.split('\n')[0]!),
    });
    await kube.prepare();
    environment = kube;
  }
  let interrupted = false;
  const onSignal = (signal: string): void => {
    if (interrupted) return;
    interrupted = true;
    say(`${signal}: stopping`);
    void environment.stop().then(() => process.exit(130));
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  try {
    const results = await runExperiment(o, environment, (progress) => {
      if (progress.result) say(progressLine(progress));
    });
    const discussion =
      cli.discussion && existsSync(cli.discussion) ? readFileSync(cli.discussion, 'utf8') : '';
    const files = await writeReport(cli.out, results, discussion);
    say(`done in ${formatDuration(results.durationSec)}:`);
    for (const point of results.points) {
      say(
        `  ${point.replicas} replica(s): ${point.maxRps} RPS (range ${point.min}-${point.max}), p99 ${point.atMax?.p99Ms.toFixed(1) ?? '-'} ms, efficiency ${point.efficiency !== undefined ? (point.efficiency * 100).toFixed(0) : '-'}%`,
      );
    }
    say(
      `wrote ${[files.resultsJson, files.reportMd, ...files.charts.flatMap((c) => [c.svg, c.png ?? []].flat())].join(', ')}`,
    );
  } finally {
    await environment.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(
      `experiment: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
