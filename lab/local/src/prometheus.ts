import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { httpText } from './http.js';
import { systemToolPath } from './tool-paths.js';
import { freePort } from './ports.js';
import { makeTempDir, removeTempDir, retryOnPortClash, spawnServer, waitUntilReady } from './processes.js';
import type { Supervision } from './processes.js';

export interface StartPrometheusOptions extends Supervision {
  /** Static `host:port` targets scraped at /metrics. */
  scrapeTargets?: string[];
  /**
   * A file_sd_configs file (JSON, see `writeFileSdGroups`). Prometheus watches it, so a runner
   * can add or remove replicas by rewriting it. Created empty when it does not exist yet.
   */
  fileSdPath?: string;
  /** Scrape (and rule evaluation) interval, e.g. '1s'. Default '1s'. */
  scrapeInterval?: string;
  /** Job label of the scraped series. Default 'laas'. */
  jobName?: string;
  /** Path scraped on each target. Default '/metrics'. */
  metricsPath?: string;
  timeoutMs?: number;
}

/** One element of a PromQL vector result. */
export interface PromSample {
  metric: Record<string, string>;
  /** [unix seconds, value as text] */
  value: [number, string];
}

export interface PromQueryData {
  resultType: 'vector' | 'matrix' | 'scalar' | 'string';
  // The shape of result depends on resultType; callers narrow it (see `queryVector`).
  result: unknown;
}

export interface PrometheusServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  configPath: string;
  /** Instant query; throws on a non-success status or an HTTP error. */
  query(promql: string): Promise<PromQueryData>;
  /** Instant query that must return a vector. */
  queryVector(promql: string): Promise<PromSample[]>;
  /** The single value of a one-series vector query, or undefined when the vector is empty. */
  queryValue(promql: string): Promise<number | undefined>;
  stop(): Promise<void>;
}

/** One target group of a file_sd_configs file: scraped addresses and the labels their series get. */
export interface FileSdGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * Writes a file_sd_configs file atomically (a temporary file renamed over it): Prometheus
 * re-reads the file whenever it changes and must never see half of it.
 */
export function writeFileSdGroups(path: string, groups: FileSdGroup[]): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(temp, `${JSON.stringify(groups, null, 2)}\n`);
  renameSync(temp, path);
}

/** The file_sd_configs file for `targets` sharing one set of labels (no group when there is no target). */
export function writeFileSdTargets(
  path: string,
  targets: string[],
  labels: Record<string, string> = {},
): void {
  writeFileSdGroups(path, targets.length > 0 ? [{ targets, labels }] : []);
}

/** prometheus.yml text for the options (YAML is a superset of JSON, so JSON it is). */
export function prometheusConfig(options: StartPrometheusOptions): string {
  const interval = options.scrapeInterval ?? '1s';
  const job: Record<string, unknown> = {
    job_name: options.jobName ?? 'laas',
    scrape_interval: interval,
    scrape_timeout: interval,
    metrics_path: options.metricsPath ?? '/metrics',
  };
  if (options.scrapeTargets && options.scrapeTargets.length > 0) {
    job.static_configs = [{ targets: options.scrapeTargets }];
  }
  if (options.fileSdPath) {
    job.file_sd_configs = [{ files: [options.fileSdPath], refresh_interval: interval }];
  }
  const config = {
    global: { scrape_interval: interval, evaluation_interval: interval },
    scrape_configs: [job],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/**
 * Starts our own Prometheus (never the packaged system service) on a free loopback port, with
 * its own config and TSDB folder. Ready once /-/ready answers 200.
 */
export async function startPrometheus(options: StartPrometheusOptions = {}): Promise<PrometheusServer> {
  const binary = systemToolPath('prometheus');
  if (!options.scrapeTargets?.length && !options.fileSdPath) {
    throw new Error('startPrometheus needs scrapeTargets or fileSdPath');
  }
  if (options.fileSdPath) {
    try {
      writeFileSync(options.fileSdPath, '[]\n', { flag: 'wx' });
    } catch {
      // exists already: keep its targets
    }
  }
  return retryOnPortClash(async () => {
    const dir = makeTempDir('prometheus');
    const configPath = join(dir, 'prometheus.yml');
    writeFileSync(configPath, prometheusConfig(options));
    const port = await freePort();
    const server = spawnServer({
      name: 'prometheus',
      command: binary,
      args: [
        `--config.file=${configPath}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.enable-lifecycle',
        '--storage.tsdb.retention.time=1d',
        '--log.level=warn',
      ],
      cwd: dir,
      logPath: join(dir, 'prometheus.log'),
      joinCgroups: options.joinCgroups,
      ref: options.ref,
    });
    const url = `http://127.0.0.1:${port}`;
    const stop = async (): Promise<void> => {
      await server.stop();
      removeTempDir(dir);
    };
    try {
      await waitUntilReady(
        server,
        async () => (await httpText(`${url}/-/ready`)).status === 200,
        `Prometheus ${url}/-/ready`,
        options.timeoutMs,
      );
    } catch (error) {
      await stop();
      throw error;
    }

    const query = async (promql: string): Promise<PromQueryData> => {
      const response = await httpText(`${url}/api/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: promql }).toString(),
      });
      let parsed: { status?: string; data?: PromQueryData; error?: string };
      try {
        parsed = JSON.parse(response.body) as typeof parsed;
      } catch {
        throw new Error(
          `Prometheus query ${promql}: HTTP ${response.status}, not JSON: ${response.body.slice(0, 200)}`,
        );
      }
      if (response.status !== 200 || parsed.status !== 'success' || !parsed.data) {
        throw new Error(
          `Prometheus query ${promql}: HTTP ${response.status}: ${parsed.error ?? response.body}`,
        );
      }
      return parsed.data;
    };
    const queryVector = async (promql: string): Promise<PromSample[]> => {
      const data = await query(promql);
      if (data.resultType !== 'vector') {
        throw new Error(`Prometheus query ${promql}: expected a vector, got a ${data.resultType}`);
      }
      return data.result as PromSample[];
    };
    const queryValue = async (promql: string): Promise<number | undefined> => {
      const vector = await queryVector(promql);
      if (vector.length > 1) {
        throw new Error(`Prometheus query ${promql}: expected at most one series, got ${vector.length}`);
      }
      const first = vector[0];
      return first === undefined ? undefined : Number(first.value[1]);
    };
    return { url, port, configPath, query, queryVector, queryValue, stop };
  });
}
