import { join } from 'node:path';
import type { AccountedGroup } from './accounting.js';
import { cgroupSupport, sweepStaleCgroups } from './cgroup.js';
import { startDatabase, startIngress, startScraping, supervisor } from './infrastructure.js';
import type { ReplicaPool } from './pool.js';
import { makeTempDir, removeTempDir } from './processes.js';
import type { PrometheusServer } from './prometheus.js';
import type { LocalNginx } from './routes.js';
import { LocalScaleTarget } from './scale-target.js';
import type { Publisher } from './service-replicas.js';
import { publisher, startServices, writeSigningKey } from './service-replicas.js';
import { SERVICES } from './services.js';
import type { ServiceContext, ServiceSpec } from './services.js';
import { Teardown } from './teardown.js';

export { writeReplicaTargets } from './targets.js';

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

/**
 * Starts the whole system on this machine from real parts: FerretDB (seeded), N replicas of each
 * service as processes in their own cgroups, nginx in front of each service's ready replicas, and
 * Prometheus discovering the replicas through a file it re-reads as they come and go. Every
 * process is in a cgroup that counts its CPU time (`cpuGroups`), and holds this Node process
 * alive until `stop`. Whatever has started is stopped again, newest first, if a later phase fails.
 */
export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  const log = options.log ?? (() => undefined);
  const specs = serviceSpecs(options.services ?? ['images']);
  const cpuMillis = options.cpuMillis ?? 250;
  const support = cgroupSupport();
  if (!support.cpu) log(`warning: replicas run without CPU limits: ${support.reasons.join('; ')}`);
  sweepStaleCgroups();

  const teardown = new Teardown();
  try {
    const dir = makeTempDir('local-system');
    teardown.push(() => removeTempDir(dir));
    const sup = supervisor(teardown);
    const { mongoUrl, mongoDb } = await startDatabase(options, sup, teardown, log);
    const { nginx, routes, serviceUrls } = await startIngress(specs, sup, teardown, log);
    const { fileSdPath, prometheus } = await startScraping(options, dir, sup, teardown, log);
    const published = publisher(nginx, routes, fileSdPath);
    const url = serviceUrls[specs[specs.length - 1]!.name]!;
    const ctx: ServiceContext = {
      mongoUrl,
      mongoDb,
      serviceUrls: {},
      logLevel: options.logLevel ?? 'warn',
      signingKeyFile: writeSigningKey(join(dir, 'signing-key.pem')),
      publicUrl: url,
      ...(prometheus ? { prometheusUrl: prometheus.url } : {}),
    };
    const pools = await startServices(
      specs,
      ctx,
      serviceUrls,
      published.publish,
      { ...options, cpuMillis, log },
      teardown,
    );
    return handle({
      url,
      serviceUrls,
      mongoUrl,
      mongoDb,
      prometheus,
      fileSdPath,
      limited: support.cpu,
      cpuMillis,
      pools,
      nginx,
      published,
      infrastructure: sup.groups,
      teardown,
    });
  } catch (error) {
    await teardown.run();
    throw error;
  }
}

/** The specs of the named services, in the order given. */
function serviceSpecs(names: readonly string[]): ServiceSpec[] {
  return names.map((name) => {
    const spec = SERVICES[name];
    if (!spec) throw new Error(`unknown service "${name}" (known: ${Object.keys(SERVICES).join(', ')})`);
    return spec;
  });
}

type Started = Omit<LocalSystem, 'pool' | 'scaleTarget' | 'upstreams' | 'cpuGroups' | 'stop'> & {
  pools: ReadonlyMap<string, ReplicaPool>;
  nginx: LocalNginx;
  published: Publisher;
  infrastructure: readonly AccountedGroup[];
  teardown: Teardown;
};

/** The running system as its callers see it. */
function handle(s: Started): LocalSystem {
  const { pools, nginx, published, infrastructure, teardown, ...system } = s;
  const targets = new Map<string, LocalScaleTarget>();
  const poolOf = (service: string): ReplicaPool => {
    const pool = pools.get(service);
    if (!pool) throw new Error(`the local system runs no service "${service}"`);
    return pool;
  };
  return {
    ...system,
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
      ...[...published.ready.entries()].flatMap(([service, replicas]) =>
        replicas.flatMap((replica) =>
          replica.process.cgroup
            ? [{ name: replica.name, component: service, group: replica.process.cgroup }]
            : [],
        ),
      ),
    ],
    stop: () => teardown.once(),
  };
}
