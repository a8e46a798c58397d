// The replicas of each service: its one-off setup, then a pool scaled to its initial count, with
// each pool's ready set published to nginx and to Prometheus's target file.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ReplicaPool } from './pool.js';
import type { Replica } from './replica.js';
import type { LocalNginx, ServiceRoute } from './routes.js';
import type { ServiceContext, ServiceSpec } from './services.js';
import type { Teardown } from './teardown.js';
import { writeReplicaTargets } from './targets.js';

const execFileAsync = promisify(execFile);

export interface Publisher {
  /** The ready replicas by service, as last published. */
  readonly ready: ReadonlyMap<string, readonly Replica[]>;
  publish(service: string, replicas: readonly Replica[]): Promise<void>;
}

/**
 * Data flows one way: a pool hands its ready set here; nginx and Prometheus are rendered from
 * these sets (never read back from the pools).
 */
export function publisher(nginx: LocalNginx, routes: readonly ServiceRoute[], fileSdPath: string): Publisher {
  const ready = new Map<string, readonly Replica[]>();
  return {
    ready,
    publish: async (service, replicas) => {
      ready.set(service, replicas);
      await nginx.update(
        routes.map((route) => ({
          ...route,
          upstreams: (ready.get(route.service) ?? []).map((r) => r.address),
        })),
      );
      writeReplicaTargets(fileSdPath, [...ready.values()].flat());
    },
  };
}

/** A fresh Ed25519 key for auth, readable by this user only; answers its path. */
export function writeSigningKey(path: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return path;
}

export interface ReplicaOptions {
  replicas?: number | Record<string, number>;
  cpuMillis: number;
  memoryBytes?: number;
  shutdownGraceMs?: number;
  log: (line: string) => void;
}

/**
 * Starts each service in order, callees first: a service's environment sees the URLs of the
 * services started before it (`ctx.serviceUrls` grows as they start), so the gateway, started
 * last, finds images and auth. Replicas stop before what was started ahead of them.
 */
export async function startServices(
  specs: readonly ServiceSpec[],
  ctx: ServiceContext,
  serviceUrls: Record<string, string>,
  publish: Publisher['publish'],
  options: ReplicaOptions,
  teardown: Teardown,
): Promise<Map<string, ReplicaPool>> {
  const { log } = options;
  const pools = new Map<string, ReplicaPool>();
  teardown.push(async () => {
    await Promise.all([...pools.values()].map((pool) => pool.stop()));
  });
  for (const spec of specs) {
    const env = { ...spec.env(ctx) };
    if (spec.setup) {
      const { stdout } = await execFileAsync(
        process.execPath,
        [spec.setup.entry, ...(spec.setup.args ?? [])],
        {
          env: { ...process.env, ...env },
        },
      );
      log(`${spec.name} setup: ${stdout.trim()}`);
    }
    const pool = new ReplicaPool({
      spec,
      env,
      cpuMillis: options.cpuMillis,
      memoryBytes: options.memoryBytes ?? 256 * 2 ** 20,
      shutdownGraceMs: options.shutdownGraceMs,
      publish: (replicas) => publish(spec.name, replicas),
      ref: true,
      log,
    });
    pools.set(spec.name, pool);
    const count =
      typeof options.replicas === 'number' ? options.replicas : (options.replicas?.[spec.name] ?? 1);
    await pool.scale(count);
    ctx.serviceUrls[spec.name] = serviceUrls[spec.name]!;
  }
  return pools;
}
