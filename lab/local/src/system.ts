import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { AccountedGroup } from './accounting.js';
import { cgroupSupport, createAccountingGroup, sweepStaleCgroups } from './cgroup.js';
import { startMongo } from './mongo.js';
import type { MongoServer } from './mongo.js';
import { ReplicaPool } from './pool.js';
import { freePort } from './ports.js';
import { makeTempDir, removeTempDir } from './processes.js';
import type { Supervision } from './processes.js';
import { startPrometheus, writeFileSdGroups } from './prometheus.js';
import type { PrometheusServer } from './prometheus.js';
import type { Replica } from './replica.js';
import { startLocalNginx } from './routes.js';
import type { LocalNginx, ServiceRoute } from './routes.js';
import { LocalScaleTarget } from './scale-target.js';
import { SERVICES } from './services.js';
import type { ServiceContext, ServiceSpec } from './services.js';

const execFileAsync = promisify(execFile);

export interface LocalSystemOptions {
  /** Services to run, callees first (the last one is what the ingress URL serves). Default ['images']. */
  services?: string[];
  /** Initial replicas per service. Default 1. */
  replicas?: number | Record<string, number>;
  /** CPU limit of each replica in millicores (a pod's `250m` = 250). Default 250. */
  cpuMillis?: number;
  /** Memory limit of each replica in bytes. Default 256 MiB. */
  memoryBytes?: number;
  /** Use this MongoDB instead of starting FerretDB. */
  mongoUrl?: string;
  mongoDb?: string;
  /** Start Prometheus scraping every replica. Default true. */
  prometheus?: boolean;
  /** Prometheus scrape interval. Default '2s'. */
  scrapeInterval?: string;
  /** SHUTDOWN_GRACE_MS of the replicas. Default 10 000. */
  shutdownGraceMs?: number;
  logLevel?: string;
  /** Progress lines. Default: none. */
  log?: (line: string) => void;
}

export interface LocalSystem {
  /** The ingress: the nginx port of the last service (what clients call). */
  url: string;
  /** The nginx Service URL of each service. */
  serviceUrls: Record<string, string>;
  mongoUrl: string;
  mongoDb: string;
  prometheus?: PrometheusServer;
  /** The Prometheus file_sd_configs file listing every ready replica. */
  fileSdPath: string;
  /** Whether replicas really run under cgroup limits here. */
  limited: boolean;
  cpuMillis: number;
  pool(service: string): ReplicaPool;
  scaleTarget(service: string): LocalScaleTarget;
  /** The nginx upstreams in force, by service. */
  upstreams(): Record<string, string[]>;
  /**
   * The cgroups whose CPU time is counted: FerretDB, nginx and Prometheus (each in its own
   * group, unlimited) and every ready replica (its limited group). Empty where cpuacct is not
   * writable.
   */
  cpuGroups(): AccountedGroup[];
  /** Stops everything: replicas (drained), nginx, Prometheus, FerretDB. Safe to call twice. */
  stop(): Promise<void>;
}

/** file_sd_configs JSON with one group per replica (labels: service, replica), written atomically. */
export function writeReplicaTargets(path: string, replicas: readonly Replica[]): void {
  writeFileSdGroups(
    path,
    replicas.map((replica) => ({
      targets: [replica.address],
      labels: { service: replica.service, replica: replica.name },
    })),
  );
}

/**
 * Starts the whole system on this machine from real parts: FerretDB (seeded), N replicas of each
 * service as processes in their own cgroups, nginx in front of each service's ready replicas, and
 * Prometheus discovering the replicas through a file it re-reads as they come and go. Every
 * process is in a cgroup that counts its CPU time (`cpuGroups`), and holds this Node process
 * alive until `stop`.
 */
export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  const log = options.log ?? (() => undefined);
  const names = options.services ?? ['images'];
  const specs: ServiceSpec[] = names.map((name) => {
    const spec = SERVICES[name];
    if (!spec) throw new Error(`unknown service "${name}" (known: ${Object.keys(SERVICES).join(', ')})`);
    return spec;
  });
  const cpuMillis = options.cpuMillis ?? 250;
  const support = cgroupSupport();
  if (!support.cpu) log(`warning: replicas run without CPU limits: ${support.reasons.join('; ')}`);
  sweepStaleCgroups();

  const stack: (() => Promise<void>)[] = [];
  const stopAll = async (): Promise<void> => {
    while (stack.length > 0)
      await stack
        .pop()?.()
        .catch(() => undefined);
  };
  try {
    const dir = makeTempDir('local-system');
    stack.push(() => Promise.resolve(removeTempDir(dir)));

    // One accounting group per infrastructure process (limits nothing; removed on stop).
    const infrastructure: AccountedGroup[] = [];
    const supervise = (component: string): Supervision => {
      const group = createAccountingGroup(component);
      if (group) {
        infrastructure.push({ name: component, component, group });
        stack.push(() => Promise.resolve(group.remove()));
      }
      return { joinCgroups: group?.procsFiles, ref: true };
    };

    let mongo: MongoServer | undefined;
    let mongoUrl = options.mongoUrl;
    if (!mongoUrl) {
      mongo = await startMongo(supervise('ferretdb'));
      stack.push(() => mongo!.stop());
      mongoUrl = mongo.url;
      log(`FerretDB on ${mongoUrl}`);
    }
    const mongoDb = options.mongoDb ?? 'laas';

    const routes: ServiceRoute[] = [];
    for (const spec of specs) routes.push({ service: spec.name, port: await freePort(), upstreams: [] });
    const nginx: LocalNginx = await startLocalNginx(routes, supervise('nginx'));
    stack.push(() => nginx.stop());
    const serviceUrls = Object.fromEntries(routes.map((r) => [r.service, `http://127.0.0.1:${r.port}`]));
    log(`nginx: ${routes.map((r) => `${r.service} on 127.0.0.1:${r.port}`).join(', ')}`);

    const fileSdPath = join(dir, 'targets.json');
    writeReplicaTargets(fileSdPath, []);
    let prometheus: PrometheusServer | undefined;
    if (options.prometheus ?? true) {
      prometheus = await startPrometheus({
        fileSdPath,
        scrapeInterval: options.scrapeInterval ?? '2s',
        jobName: 'laas',
        ...supervise('prometheus'),
      });
      stack.push(() => prometheus!.stop());
      log(`Prometheus on ${prometheus.url}`);
    }

    const pools = new Map<string, ReplicaPool>();
    // Data flows one way: a pool hands its ready set here; nginx and Prometheus are rendered
    // from these sets (never read back from the pools).
    const ready = new Map<string, readonly Replica[]>();
    const publish = async (service: string, replicas: readonly Replica[]): Promise<void> => {
      ready.set(service, replicas);
      await nginx.update(
        routes.map((route) => ({
          ...route,
          upstreams: (ready.get(route.service) ?? []).map((r) => r.address),
        })),
      );
      writeReplicaTargets(fileSdPath, [...ready.values()].flat());
    };
    // Replicas stop before nginx (the stack unwinds in reverse).
    stack.push(async () => {
      await Promise.all([...pools.values()].map((pool) => pool.stop()));
    });

    const ctx: ServiceContext = {
      mongoUrl,
      mongoDb,
      serviceUrls: {},
      logLevel: options.logLevel ?? 'warn',
      signingKeyFile: writeSigningKey(join(dir, 'signing-key.pem')),
      publicUrl: serviceUrls[specs[specs.length - 1]!.name]!,
      ...(prometheus ? { prometheusUrl: prometheus.url } : {}),
    };
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
        cpuMillis,
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

    const targets = new Map<string, LocalScaleTarget>();
    const poolOf = (service: string): ReplicaPool => {
      const pool = pools.get(service);
      if (!pool) throw new Error(`the local system runs no service "${service}"`);
      return pool;
    };
    let stopped: Promise<void> | undefined;
    return {
      url: serviceUrls[specs[specs.length - 1]!.name]!,
      serviceUrls,
      mongoUrl,
      mongoDb,
      prometheus,
      fileSdPath,
      limited: support.cpu,
      cpuMillis,
      pool: poolOf,
      scaleTarget: (service) => {
        let target = targets.get(service);
        if (!target) {
          target = new LocalScaleTarget(poolOf(service));
          targets.set(service, target);
        }
        return target;
      },
      upstreams: () => nginx.upstreams(),
      cpuGroups: () => [
        ...infrastructure,
        ...[...ready.entries()].flatMap(([service, replicas]) =>
          replicas.flatMap((replica) =>
            replica.process.cgroup
              ? [{ name: replica.name, component: service, group: replica.process.cgroup }]
              : [],
          ),
        ),
      ],
      stop: () => (stopped ??= stopAll()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** A fresh Ed25519 key for auth, readable by this user only; answers its path. */
function writeSigningKey(path: string): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return path;
}
