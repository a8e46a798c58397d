import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCpuMillis, REPO_ROOT } from '@laas/local';
import { K6_IMAGE } from './kube-environment.js';
import { DEFAULT_EXPERIMENT, formatDuration } from './run.js';
import type { ExperimentOptions, Progress } from './run.js';

export interface CliOptions {
  experiment: ExperimentOptions;
  /** local: the embedded system; cluster: any kubeconfig context; minikube: the same path as cluster. */
  target: 'local' | 'cluster' | 'minikube';
  dryRun: boolean;
  /** Output folder (default experiment/runs/<timestamp>). */
  out: string;
  /** cluster/minikube target: namespace, deployment, service URL as seen from inside the cluster. */
  namespace: string;
  deployment: string;
  serviceUrl: string;
  kubeconfig?: string;
  /** Kubeconfig context (cluster/minikube target; default the current one). */
  context?: string;
  /** k6 image of the plateau Jobs (cluster/minikube target). */
  k6Image?: string;
  /** Free text appended to report.md (a file path). */
  discussion?: string;
  /** Rewrite report.md and the charts of an earlier run from its results.json; measure nothing. */
  reportFrom?: string;
  /** Use this MongoDB instead of starting FerretDB (local target). */
  mongoUrl?: string;
  mongoDb?: string;
  /** Local target without a way to limit CPU: run anyway, the report marked unlimited. */
  allowUnlimited: boolean;
  help: boolean;
}

/** Where runs are written: experiment/runs/<timestamp>/ (the committed reference run is experiment/runs/reference/). */
export const RUNS_DIR = join(REPO_ROOT, 'experiment', 'runs');

export const USAGE = `usage: npm run experiment -- [options]
  --replicas 1,2,3,5     replica counts to measure
  --cpu 100m             CPU limit of each replica (250m: the original's)
  --repeats 3            searches per replica count (median and spread are reported)
  --plateau 8s           length of one constant-arrival-rate plateau
  --start 100            first offered rate (RPS) for one replica
  --resolution 0.05      stop bisecting when the pass/fail gap is within this fraction
  --max-steps 10         at most this many plateaus per search
  --target local         local (embedded system), cluster (any kubeconfig context) or minikube (the same path)
  --out DIR              output folder (default experiment/runs/<timestamp>)
  --discussion FILE      markdown appended to report.md
  --report-from DIR      rewrite DIR's report.md and charts from its results.json (with --discussion)
  --dry-run              print the command sequence, run nothing
 cluster and minikube targets (k6 runs as a Job in the cluster; --cpu is set on the Deployment):
  --namespace laas  --deployment laas-images  --service-url http://laas-images:4000
  --kubeconfig FILE  --context NAME (default: the current context)
  --k6-image IMAGE       k6 image of the Jobs (default ${K6_IMAGE}; the lab cluster: docker.io/laas/k6:dev)
 local target:
  --mongo-url URL        use this MongoDB instead of starting FerretDB
  --mongo-db NAME        database name (default laas)
  --allow-unlimited      where replicas cannot be CPU-limited (no root, no delegated cgroup), measure
                         anyway and mark the report unlimited (without it the run refuses to start)
`;

/** `8s`, `8`, `1m` -> seconds. */
export function parseSeconds(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new Error(`not a duration: "${text}" (use 8s)`);
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  return unit === 'ms' ? value / 1000 : unit === 'm' ? value * 60 : value;
}

export function timestampFolder(date = new Date()): string {
  return date.toISOString().replace(/[:]/g, '-').replace(/\..+$/, '');
}

export function parseCli(argv: string[]): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      replicas: { type: 'string' },
      cpu: { type: 'string' },
      repeats: { type: 'string' },
      plateau: { type: 'string' },
      start: { type: 'string' },
      resolution: { type: 'string' },
      target: { type: 'string', default: 'local' },
      out: { type: 'string' },
      discussion: { type: 'string' },
      'report-from': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      namespace: { type: 'string', default: 'laas' },
      deployment: { type: 'string', default: 'laas-images' },
      'service-url': { type: 'string', default: 'http://laas-images:4000' },
      kubeconfig: { type: 'string' },
      context: { type: 'string' },
      'k6-image': { type: 'string' },
      'mongo-url': { type: 'string' },
      'mongo-db': { type: 'string' },
      'max-steps': { type: 'string' },
      'allow-unlimited': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.target !== 'local' && values.target !== 'cluster' && values.target !== 'minikube') {
    throw new Error(`--target must be local, cluster or minikube, got "${values.target}"`);
  }
  const replicas = values.replicas
    ? values.replicas.split(',').map((s) => Number(s.trim()))
    : DEFAULT_EXPERIMENT.replicas;
  if (replicas.length === 0 || replicas.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new Error(`--replicas must be whole numbers >= 1, e.g. 1,2,3,5; got "${values.replicas}"`);
  }
  const experiment: ExperimentOptions = {
    ...DEFAULT_EXPERIMENT,
    replicas,
    cpuMillis: values.cpu ? parseCpuMillis(values.cpu) : DEFAULT_EXPERIMENT.cpuMillis,
    repeats: values.repeats ? Number(values.repeats) : DEFAULT_EXPERIMENT.repeats,
    plateauSec: values.plateau ? parseSeconds(values.plateau) : DEFAULT_EXPERIMENT.plateauSec,
    startRps: values.start ? Number(values.start) : DEFAULT_EXPERIMENT.startRps,
    resolution: values.resolution ? Number(values.resolution) : DEFAULT_EXPERIMENT.resolution,
    maxSteps: values['max-steps'] ? Number(values['max-steps']) : DEFAULT_EXPERIMENT.maxSteps,
  };
  if (!(experiment.repeats >= 1)) throw new Error('--repeats must be >= 1');
  if (!(experiment.plateauSec >= 1)) throw new Error('--plateau must be at least 1s');
  return {
    experiment,
    target: values.target,
    dryRun: values['dry-run'],
    out: values.out ?? join(RUNS_DIR, timestampFolder()),
    namespace: values.namespace,
    deployment: values.deployment,
    serviceUrl: values['service-url'],
    kubeconfig: values.kubeconfig,
    context: values.context,
    k6Image: values['k6-image'],
    discussion: values.discussion,
    reportFrom: values['report-from'],
    mongoUrl: values['mongo-url'],
    mongoDb: values['mongo-db'],
    allowUnlimited: values['allow-unlimited'],
    help: values.help,
  };
}

/** One progress line: "[2/4] 2 replicas · repeat 1/3 · step 3 · 180 RPS → pass p99 41 ms · ETA 7m10s". */
export function progressLine(p: Progress): string {
  const head = `[${p.pointIndex + 1}/${p.points}] ${p.replicas} replica${p.replicas === 1 ? '' : 's'} · repeat ${p.repeat}/${p.repeats} · step ${p.step} · ${p.rate} RPS`;
  const tail = `elapsed ${formatDuration(p.elapsedSec)} · ETA ${formatDuration(p.etaSec)}`;
  if (!p.result) return `${head} offered … · ${tail}`;
  const r = p.result;
  const verdict = r.passed ? 'pass' : `FAIL (${r.reasons.join('; ')})`;
  return `${head} → ${verdict} · p99 ${r.p99Ms.toFixed(1)} ms · ${r.achievedRps.toFixed(0)} RPS done · ${tail}`;
}
