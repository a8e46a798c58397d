import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  freePort,
  makeTempDir,
  removeTempDir,
  spawnServer,
  systemToolPath,
  waitFor,
  waitUntilReady,
} from '@laas/testbed';

const execFileAsync = promisify(execFile);

/** One Kubernetes-like Service: a port on 127.0.0.1 in front of the ready replicas of a service. */
export interface ServiceRoute {
  service: string;
  port: number;
  /** `127.0.0.1:PORT` of each ready replica. */
  upstreams: string[];
}

/**
 * The `http { }` body for the routes: one upstream per service with `least_conn` (a new request
 * goes to the replica with the fewest active ones, which spreads load better than round-robin
 * when replicas are CPU-throttled at different moments) and a pool of idle keep-alive
 * connections to the replicas (without it every proxied request opens a new TCP connection).
 * A service with no ready replica gets a single `down` server entry, so nginx answers 502 for it.
 */
export function routesConfig(routes: ServiceRoute[], keepalive = 64): string {
  return routes
    .map((route) => {
      const servers =
        route.upstreams.length > 0
          ? route.upstreams.map((address) => `    server ${address} max_fails=0;`).join('\n')
          : '    server 127.0.0.1:9 down;';
      return `
  upstream ${route.service} {
    least_conn;
${servers}
    keepalive ${keepalive};
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:${route.port} backlog=4096;
    keepalive_requests 100000;
    location / {
      proxy_pass http://${route.service};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout;
    }
  }`;
    })
    .join('\n');
}

export interface LocalNginx {
  /** Master process id. */
  pid: number;
  /** Applies new routes: `nginx -t`, SIGHUP, waits for the new workers and for the old ones to exit. */
  update(routes: ServiceRoute[]): Promise<void>;
  /** The upstream addresses of the config in force, by service. */
  upstreams(): Record<string, string[]>;
  stop(): Promise<void>;
}

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after ')'.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) children.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return children;
}

/**
 * nginx as the Service/ingress of the local system: one worker (this is a 2-core machine shared
 * with the replicas and the load generator), a control port that answers the config generation
 * (how a reload is known to have taken effect), and reloads that drop no connection: SIGHUP
 * starts new workers and asks the old ones to finish their in-flight requests and exit;
 * `update` resolves only once they have, so a replica removed from the config receives no new
 * request from then on and can be stopped.
 */
export async function startLocalNginx(
  initial: ServiceRoute[],
  options: { workers?: number } = {},
): Promise<LocalNginx> {
  const binary = systemToolPath('nginx');
  const workers = options.workers ?? 1;
  const dir = makeTempDir('local-nginx');
  mkdirSync(join(dir, 'temp'), { recursive: true });
  const confPath = join(dir, 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  const controlPort = await freePort();
  let generation = 1;
  let current = initial;

  const conf = (routes: ServiceRoute[], gen: number): string => {
    const user = process.getuid?.() === 0 ? 'user root;\n' : '';
    const temp = join(dir, 'temp');
    return `${user}worker_processes ${workers};
worker_rlimit_nofile 65536;
pid ${join(dir, 'nginx.pid')};
error_log ${errorLog} warn;
events { worker_connections 16384; }
http {
  access_log off;
  client_body_temp_path ${temp}/client_body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  server {
    listen 127.0.0.1:${controlPort};
    location = /__laas/generation { return 200 "${gen}"; }
  }
${routesConfig(routes)}
}
`;
  };

  writeFileSync(confPath, conf(initial, generation));
  const server = spawnServer({
    name: 'nginx',
    command: binary,
    args: ['-p', dir, '-c', confPath, '-e', errorLog, '-g', 'daemon off;'],
    cwd: dir,
    logPath: join(dir, 'nginx.log'),
  });
  const stop = async (): Promise<void> => {
    await server.stop();
    removeTempDir(dir);
  };
  const controlUrl = `http://127.0.0.1:${controlPort}/__laas/generation`;
  const serves = async (wanted: number): Promise<boolean> => {
    const response = await fetch(controlUrl, { signal: AbortSignal.timeout(1_000) });
    return (await response.text()) === String(wanted);
  };
  try {
    await waitUntilReady(server, () => serves(generation), `nginx ${controlUrl}`);
  } catch (error) {
    await stop();
    throw error;
  }

  let queue: Promise<void> = Promise.resolve();
  const update = (routes: ServiceRoute[]): Promise<void> => {
    const run = async (): Promise<void> => {
      const candidate = generation + 1;
      const text = conf(routes, candidate);
      const testPath = join(dir, 'nginx.test.conf');
      writeFileSync(testPath, text);
      try {
        await execFileAsync(binary, ['-t', '-q', '-p', dir, '-c', testPath, '-e', errorLog]);
      } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? String(error);
        throw new Error(`nginx rejected the new config: ${stderr.trim()}`);
      }
      writeFileSync(confPath, text);
      generation = candidate;
      process.kill(server.pid, 'SIGHUP');
      await waitFor(() => serves(candidate), {
        what: `nginx to load config generation ${candidate}`,
        timeoutMs: 10_000,
      });
      current = routes;
      // Old workers finish their in-flight requests and exit; give them up to 15 s.
      await waitFor(() => childrenOf(server.pid).length <= workers, {
        what: 'the old nginx workers to exit',
        timeoutMs: 15_000,
        intervalMs: 50,
      }).catch(() => undefined);
    };
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };

  return {
    pid: server.pid,
    update,
    upstreams: () => Object.fromEntries(current.map((route) => [route.service, [...route.upstreams]])),
    stop,
  };
}
