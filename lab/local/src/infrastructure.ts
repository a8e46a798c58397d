// The processes every service relies on, started before the replicas: FerretDB, nginx, Prometheus.
// Each runs in an accounting group of its own (it limits nothing) so its CPU time is counted.
import { join } from 'node:path';
import type { AccountedGroup } from './accounting.js';
import { createAccountingGroup } from './cgroup.js';
import { startMongo } from './mongo.js';
import { freePort } from './ports.js';
import type { Supervision } from './processes.js';
import { startPrometheus } from './prometheus.js';
import type { PrometheusServer } from './prometheus.js';
import { startLocalNginx } from './routes.js';
import type { LocalNginx, ServiceRoute } from './routes.js';
import type { ServiceSpec } from './services.js';
import type { Teardown } from './teardown.js';
import { writeReplicaTargets } from './targets.js';

type Log = (line: string) => void;

export interface Supervisor {
  /** The supervision of one infrastructure process, in a new accounting group where possible. */
  supervise(component: string): Supervision;
  /** The groups created so far. */
  readonly groups: AccountedGroup[];
}

export function supervisor(teardown: Teardown): Supervisor {
  const groups: AccountedGroup[] = [];
  return {
    groups,
    supervise: (component) => {
      const group = createAccountingGroup(component);
      if (group) {
        groups.push({ name: component, component, group });
        teardown.push(() => group.remove());
      }
      return { joinCgroups: group?.procsFiles, ref: true };
    },
  };
}

/** The database: the given MongoDB, or FerretDB started here. */
export async function startDatabase(
  given: { mongoUrl?: string; mongoDb?: string },
  sup: Supervisor,
  teardown: Teardown,
  log: Log,
): Promise<{ mongoUrl: string; mongoDb: string }> {
  const mongoDb = given.mongoDb ?? 'laas';
  if (given.mongoUrl) return { mongoUrl: given.mongoUrl, mongoDb };
  const mongo = await startMongo(sup.supervise('ferretdb'));
  teardown.push(() => mongo.stop());
  log(`FerretDB on ${mongo.url}`);
  return { mongoUrl: mongo.url, mongoDb };
}

/** nginx with one port per service, each with no upstreams until its replicas are ready. */
export async function startIngress(
  specs: readonly ServiceSpec[],
  sup: Supervisor,
  teardown: Teardown,
  log: Log,
): Promise<{ nginx: LocalNginx; routes: ServiceRoute[]; serviceUrls: Record<string, string> }> {
  const routes: ServiceRoute[] = [];
  for (const spec of specs) routes.push({ service: spec.name, port: await freePort(), upstreams: [] });
  const nginx = await startLocalNginx(routes, sup.supervise('nginx'));
  teardown.push(() => nginx.stop());
  const serviceUrls = Object.fromEntries(routes.map((r) => [r.service, `http://127.0.0.1:${r.port}`]));
  log(`nginx: ${routes.map((r) => `${r.service} on 127.0.0.1:${r.port}`).join(', ')}`);
  return { nginx, routes, serviceUrls };
}

/**
 * Prometheus discovering the replicas through a file_sd file, empty until replicas are ready;
 * the file is written even without Prometheus, for whoever reads it.
 */
export async function startScraping(
  options: { prometheus?: boolean; scrapeInterval?: string },
  dir: string,
  sup: Supervisor,
  teardown: Teardown,
  log: Log,
): Promise<{ fileSdPath: string; prometheus: PrometheusServer | undefined }> {
  const fileSdPath = join(dir, 'targets.json');
  writeReplicaTargets(fileSdPath, []);
  if (!(options.prometheus ?? true)) return { fileSdPath, prometheus: undefined };
  const prometheus = await startPrometheus({
    fileSdPath,
    scrapeInterval: options.scrapeInterval ?? '2s',
    jobName: 'laas',
    ...sup.supervise('prometheus'),
  });
  teardown.push(() => prometheus.stop());
  log(`Prometheus on ${prometheus.url}`);
  return { fileSdPath, prometheus };
}
