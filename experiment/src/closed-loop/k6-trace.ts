// Runs charts/laas/files/k6/trace.js with k6 in the background and turns its per-request CSV into per-second
// counts: what the users got, measured at the client (queueing in nginx and in k6 included).
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { toolPath } from '@laas/testbed';
import { LOADTEST_DIR } from '../k6.js';
import type { Scenario } from './scenarios.js';
import { BASE_PATH, k6Stages } from './scenarios.js';

export const TRACE_SCRIPT = join(LOADTEST_DIR, 'trace.js');

/** One request as k6 reported it. */
export interface RequestRecord {
  /** Epoch ms the request ended (k6's sample time). */
  endMs: number;
  durationMs: number;
  failed: boolean;
}

export interface K6Trace {
  /** Resolves when k6 exits, with its exit code and the tail of stderr. */
  done: Promise<{ code: number; stderr: string }>;
  csvPath: string;
  stop(): void;
}

export function startK6Trace(options: {
  baseUrl: string;
  scenario: Scenario;
  dir: string;
  timeoutMs?: number;
}): K6Trace {
  const csvPath = join(options.dir, 'k6.csv');
  const s = options.scenario;
  const env: Record<string, string> = {
    BASE_URL: options.baseUrl,
    STAGES: JSON.stringify(k6Stages(s)),
    TARGET_PATH: BASE_PATH,
    ...(s.heavyPath && s.heavyFrom !== undefined
      ? { HEAVY_PATH: s.heavyPath, HEAVY_FROM: String(s.heavyFrom) }
      : {}),
  };
  const args = [
    'run',
    '--quiet',
    '--no-usage-report',
    '--no-summary',
    '--out',
    `csv=${csvPath}`,
    ...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
    TRACE_SCRIPT,
  ];
  const child = spawn(toolPath('k6'), args, {
    cwd: options.dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, K6_NO_USAGE_REPORT: 'true', K6_CSV_TIME_FORMAT: 'unix_milli' },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? (s.durationSeconds + 60) * 1000);
  const done = new Promise<{ code: number; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, stderr });
    });
  });
  return { done, csvPath, stop: () => void child.kill('SIGTERM') };
}

/**
 * Reads k6's CSV: one row per metric sample. A request is its http_req_duration row (value in
 * ms), tagged expected_response=false when it failed (a non-2xx/3xx status, or a transport error
 * such as the 5 s timeout). dropped_iterations rows are requests k6 could not even start (no
 * free VU): they count as failed at their second.
 */
export async function readK6Csv(path: string): Promise<RequestRecord[]> {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  const parser = new K6CsvParser(path);
  for await (const line of lines) parser.line(line);
  return parser.records;
}

/**
 * The same rows out of text that also holds other lines (a pod's log: k6's warnings on stderr
 * come before and among the CSV rows grep passed on): everything before the header, and any line
 * that is not a row of a known metric, is skipped.
 */
export function recordsFromLog(text: string): RequestRecord[] {
  const parser = new K6CsvParser('the k6 log');
  let header = false;
  for (const line of text.split('\n')) {
    if (!header) {
      header = line.startsWith('metric_name,');
      if (header) parser.line(line);
      continue;
    }
    if (line.startsWith('http_req_duration,') || line.startsWith('dropped_iterations,')) parser.line(line);
  }
  if (!header) throw new Error('the k6 log holds no CSV header (k6 did not start, or grep found no rows)');
  return parser.records;
}

/** One CSV, line by line: the header first (to find the expected_response column), then rows. */
class K6CsvParser {
  readonly records: RequestRecord[] = [];
  private expected = -1;

  constructor(private readonly source: string) {}

  line(line: string): void {
    const cols = line.split(',');
    if (this.expected < 0) {
      this.expected = cols.indexOf('expected_response');
      if (this.expected < 0) throw new Error(`${this.source}: no expected_response column (k6 systemTags)`);
      return;
    }
    const metric = cols[0];
    const ts = Number(cols[1]);
    const value = Number(cols[2]);
    if (metric === 'http_req_duration') {
      this.records.push({ endMs: ts, durationMs: value, failed: cols[this.expected] !== 'true' });
    } else if (metric === 'dropped_iterations') {
      for (let i = 0; i < value; i++) this.records.push({ endMs: ts, durationMs: 0, failed: true });
    }
  }
}
