import { startLimitedProcess } from './limited-process.js';
import { freePort } from './ports.js';
import { waitFor } from './wait.js';
import type { LimitedProcess } from './limited-process.js';
import type { ServiceSpec } from './services.js';

export interface ReplicaOptions {
  spec: ServiceSpec;
  /** Replica name, e.g. images-3. */
  name: string;
  /** Extra environment (from `spec.env(ctx)`). */
  env: Record<string, string>;
  cpuMillis?: number;
  memoryBytes?: number;
  /** Drain time allowed on SIGTERM (SHUTDOWN_GRACE_MS). Default 10 s. */
  shutdownGraceMs?: number;
  readyTimeoutMs?: number;
  /** Keep this Node process alive while the replica runs (see `SpawnOptions.ref`). Default false. */
  ref?: boolean;
}

export interface Replica {
  name: string;
  service: string;
  port: number;
  /** `127.0.0.1:PORT` (nginx upstream and Prometheus target). */
  address: string;
  url: string;
  process: LimitedProcess;
  /** SIGTERM and wait for the drain (SIGKILL after the grace period plus a margin). */
  stop(): Promise<void>;
}

async function isReady(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  await response.arrayBuffer();
  return response.status === 200;
}

/**
 * Starts one replica of a service as a cgroup-limited process on a free loopback port and
 * resolves once its readiness endpoint answers 200 (like a pod that has become Ready).
 */
export async function startReplica(options: ReplicaOptions): Promise<Replica> {
  const graceMs = options.shutdownGraceMs ?? 10_000;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const proc = startLimitedProcess({
      name: options.name,
      cmd: process.execPath,
      args: [options.spec.entry],
      env: { ...options.env, PORT: String(port), HOST: '127.0.0.1', SHUTDOWN_GRACE_MS: String(graceMs) },
      cpuMillis: options.cpuMillis,
      memoryBytes: options.memoryBytes,
      ref: options.ref,
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitFor(() => isReady(`${url}${options.spec.readyPath}`), {
        what: `${options.name} ${url}${options.spec.readyPath}`,
        timeoutMs: options.readyTimeoutMs ?? 60_000,
        intervalMs: 100,
        abortIf: () => {
          const status = proc.exitStatus();
          return status === undefined ? undefined : `${options.name} ${status}`;
        },
      });
    } catch (error) {
      const tail = proc.logTail(20);
      await proc.stop(1_000);
      if (attempt < 3 && /EADDRINUSE/.test(tail)) continue;
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`${message}\n--- last lines of ${options.name}'s log ---\n${tail}`);
    }
    return {
      name: options.name,
      service: options.spec.name,
      port,
      address: `127.0.0.1:${port}`,
      url,
      process: proc,
      stop: () => proc.stop(graceMs + 2_000),
    };
  }
}
