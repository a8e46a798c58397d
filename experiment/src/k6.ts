import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandInCgroups, toolPath } from '@laas/local';
import type { CpuSplit } from '@laas/local';

/** The repo's loadtest/ folder (this file is experiment/src/k6.ts, or experiment/dist/k6.js once built). */
export const LOADTEST_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'charts',
  'laas',
  'files',
  'k6',
);
export const PLATEAU_SCRIPT = join(LOADTEST_DIR, 'plateau.js');
export const SMOKE_SCRIPT = join(LOADTEST_DIR, 'smoke.js');

/** The pass criteria of the experiment (the original LaaS goal: 99% of responses under 300 ms). */
export interface Criteria {
  /** p99 latency must stay below this. Default 300 ms. */
  p99Ms: number;
  /** Failed requests (non-2xx/3xx or transport errors) must stay below this fraction. Default 0.01. */
  maxErrorRate: number;
  /** Iterations k6 could not start (no free VU) must stay below this fraction of the offered ones. Default 0.01. */
  maxDroppedRate: number;
}

export const DEFAULT_CRITERIA: Criteria = { p99Ms: 300, maxErrorRate: 0.01, maxDroppedRate: 0.01 };

/** The parts of one k6 summary the experiment reads, plus the raw summary. */
export interface PlateauResult {
  /** Offered load, requests per second. */
  rate: number;
  durationSec: number;
  passed: boolean;
  /** Why the plateau failed ("p99 412 ms >= 300 ms"); empty when it passed. */
  reasons: string[];
  /** Requests completed per second over the plateau. */
  achievedRps: number;
  requests: number;
  errorRate: number;
  dropped: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** When the plateau started (ISO). */
  startedAt: string;
  /** The whole k6 summary (handleSummary's `data`). */
  summary: K6Summary;
  /** Where the machine's CPU went during the plateau (local target, where cgroups count it). */
  cpu?: CpuSplit;
}

export interface K6Metric {
  type?: string;
  values: Record<string, number>;
  thresholds?: Record<string, { ok: boolean }>;
}

export interface K6Summary {
  metrics: Record<string, K6Metric | undefined>;
  [key: string]: unknown;
}

function metricValue(summary: K6Summary, metric: string, key: string): number {
  return summary.metrics[metric]?.values[key] ?? 0;
}

/** Reads a k6 summary of one plateau at `rate` against the criteria. */
export function judgePlateau(
  summary: K6Summary,
  rate: number,
  durationSec: number,
  criteria: Criteria = DEFAULT_CRITERIA,
  startedAt = new Date().toISOString(),
): PlateauResult {
  const requests = metricValue(summary, 'http_reqs', 'count');
  const dropped = metricValue(summary, 'dropped_iterations', 'count');
  const errorRate = metricValue(summary, 'http_req_failed', 'rate');
  const p99Ms = metricValue(summary, 'http_req_duration', 'p(99)');
  const offered = rate * durationSec;
  const reasons: string[] = [];
  if (requests === 0) reasons.push('no request completed');
  if (p99Ms >= criteria.p99Ms) reasons.push(`p99 ${p99Ms.toFixed(0)} ms >= ${criteria.p99Ms} ms`);
  if (errorRate >= criteria.maxErrorRate)
    reasons.push(`errors ${(errorRate * 100).toFixed(2)}% >= ${criteria.maxErrorRate * 100}%`);
  if (offered > 0 && dropped / offered >= criteria.maxDroppedRate) {
    reasons.push(
      `${dropped} dropped iterations (${((dropped / offered) * 100).toFixed(1)}% of ${offered} offered)`,
    );
  }
  return {
    rate,
    durationSec,
    passed: reasons.length === 0,
    reasons,
    achievedRps: metricValue(summary, 'http_reqs', 'rate'),
    requests,
    errorRate,
    dropped,
    p50Ms: metricValue(summary, 'http_req_duration', 'p(50)'),
    p95Ms: metricValue(summary, 'http_req_duration', 'p(95)'),
    p99Ms,
    maxMs: metricValue(summary, 'http_req_duration', 'max'),
    startedAt,
    summary,
  };
}

const BEGIN = '@@LAAS_K6_SUMMARY_BEGIN@@';
const END = '@@LAAS_K6_SUMMARY_END@@';

/** The summary that plateau.js prints between markers when it has no SUMMARY_PATH (the Job's logs). */
export function summaryFromLogs(logs: string): K6Summary {
  const start = logs.lastIndexOf(BEGIN);
  const end = logs.lastIndexOf(END);
  if (start < 0 || end < start) throw new Error('no k6 summary in the logs (did the k6 Job finish?)');
  return JSON.parse(logs.slice(start + BEGIN.length, end)) as K6Summary;
}

export interface K6RunOptions {
  script: string;
  env: Record<string, string>;
  /** Give up after this long. */
  timeoutMs?: number;
  /** `cgroup.procs` files k6 joins before it starts (to count its CPU time). */
  joinCgroups?: string[];
}

export interface K6RunResult {
  /** k6's exit code: 0 passed, 99 thresholds crossed, others are errors. */
  code: number;
  stdout: string;
  stderr: string;
  summary?: K6Summary;
}

/** Runs `k6 run` on a script with `-e` variables, and reads the summary the script wrote to SUMMARY_PATH. */
export async function runK6(options: K6RunOptions): Promise<K6RunResult> {
  const dir = mkdtempSync(join(tmpdir(), 'laas-k6-'));
  const summaryPath = join(dir, 'summary.json');
  const env = { SUMMARY_PATH: summaryPath, ...options.env };
  const args = [
    'run',
    '--quiet',
    '--no-usage-report',
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    options.script,
  ];
  try {
    const command = commandInCgroups(
      toolPath('k6'),
      args,
      { ...process.env, K6_NO_USAGE_REPORT: 'true' },
      options.joinCgroups,
    );
    const result = await new Promise<K6RunResult>((resolveRun) => {
      execFile(
        command.command,
        command.args,
        {
          cwd: dir,
          timeout: options.timeoutMs ?? 120_000,
          maxBuffer: 64 * 1024 * 1024,
          env: command.env,
        },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
          resolveRun({ code, stdout, stderr });
        },
      );
    });
    try {
      result.summary = JSON.parse(readFileSync(summaryPath, 'utf8')) as K6Summary;
    } catch {
      // no summary: k6 failed before the end of the run (reported through code/stderr)
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface PlateauOptions {
  /** Base URL, e.g. http://127.0.0.1:8080 (load tests only target 127.0.0.1 here). */
  baseUrl: string;
  /** Default /random?count=25. */
  path?: string;
  rate: number;
  durationSec: number;
  criteria?: Criteria;
  /** Headers on every request (an Authorization token, an Origin); plateau.js reads them as HEADERS. */
  headers?: Record<string, string>;
}

/** A function that runs one plateau (locally with k6, or as an in-cluster Job). */
export type PlateauRunner = (options: PlateauOptions) => Promise<PlateauResult>;

/** A runner of constant-arrival-rate plateaus with the local k6, in the given cgroups. */
export function localPlateauRunner(joinCgroups: string[] = []): PlateauRunner {
  return (options) => runLocalK6Plateau(options, joinCgroups);
}

/** Runs one constant-arrival-rate plateau with the local k6 and judges it. */
export const runLocalPlateau: PlateauRunner = localPlateauRunner();

async function runLocalK6Plateau(options: PlateauOptions, joinCgroups: string[]): Promise<PlateauResult> {
  const startedAt = new Date().toISOString();
  const result = await runK6({
    joinCgroups,
    script: PLATEAU_SCRIPT,
    env: {
      BASE_URL: options.baseUrl,
      TARGET_PATH: options.path ?? '/random?count=25',
      RATE: String(Math.round(options.rate)),
      DURATION: `${options.durationSec}s`,
      ...(options.headers ? { HEADERS: JSON.stringify(options.headers) } : {}),
    },
    timeoutMs: (options.durationSec + 60) * 1000,
  });
  if (!result.summary) {
    throw new Error(`k6 exited with code ${result.code} without a summary:\n${result.stderr.slice(-2000)}`);
  }
  return judgePlateau(
    result.summary,
    Math.round(options.rate),
    options.durationSec,
    options.criteria ?? DEFAULT_CRITERIA,
    startedAt,
  );
}
