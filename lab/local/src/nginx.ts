import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';
import { makeTempDir, removeTempDir, spawnServer, waitUntilReady } from './processes.js';
import type { Supervision } from './processes.js';
import { systemToolPath } from './tool-paths.js';
import { waitFor } from './wait.js';

const execFileAsync = promisify(execFile);

export interface NginxProcessOptions extends Supervision {
  /** What goes inside nginx's `http { }` block after the control server (upstreams, servers). */
  http: string;
  /** Worker processes. Default 1 (a 2-core machine shared with the replicas and the load generator). */
  workers?: number;
  /** Prefix of the temporary folder (config, logs, pid). Default 'nginx'. */
  name?: string;
}

export interface NginxProcess {
  /** Master process id. */
  pid: number;
  /** The config generation in force (1 at start, +1 per applied reload). */
  generation(): number;
  /**
   * Replaces the `http { }` body: `nginx -t` on the new text, then SIGHUP, then waits until the
   * new workers answer with the new generation and the old ones have finished their in-flight
   * requests and exited. Calls are applied one at a time, in the order they were made; a
   * rejected config leaves the one in force untouched.
   */
  reload(http: string): Promise<void>;
  /** Stops nginx (the whole process group) and removes its folder. */
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
 * nginx in the foreground as the current user, every path inside a temporary folder, with a
 * control server that answers the config generation: that is how a reload is known to have
 * taken effect. The one writer of nginx configs for the local system (Services and ingress)
 * and the test bed's proxy.
 */
export async function startNginxProcess(options: NginxProcessOptions): Promise<NginxProcess> {
  const binary = systemToolPath('nginx');
  const workers = options.workers ?? 1;
  const dir = makeTempDir(options.name ?? 'nginx');
  const temp = join(dir, 'temp');
  mkdirSync(temp, { recursive: true });
  const confPath = join(dir, 'nginx.conf');
  const errorLog = join(dir, 'error.log');
  const controlPort = await freePort();
  let generation = 1;

  const conf = (http: string, gen: number): string => {
    // As root, workers would switch to `nobody`, who cannot read our private temp folder.
    const user = process.getuid?.() === 0 ? 'user root;\n' : '';
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
${http}
}
`;
  };

  writeFileSync(confPath, conf(options.http, generation));
  const server = spawnServer({
    name: 'nginx',
    command: binary,
    args: ['-p', dir, '-c', confPath, '-e', errorLog, '-g', 'daemon off;'],
    cwd: dir,
    logPath: join(dir, 'nginx.log'),
    joinCgroups: options.joinCgroups,
    ref: options.ref,
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

  const apply = async (http: string): Promise<void> => {
    const candidate = generation + 1;
    const text = conf(http, candidate);
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
    // Old workers finish their in-flight requests and exit; give them up to 15 s.
    await waitFor(() => childrenOf(server.pid).length <= workers, {
      what: 'the old nginx workers to exit',
      timeoutMs: 15_000,
      intervalMs: 50,
    }).catch(() => undefined);
  };

  // One reload at a time: two interleaved ones would both write generation n+1 and the
  // second's wait could be satisfied by the first's config.
  let queue: Promise<void> = Promise.resolve();
  const reload = (http: string): Promise<void> => {
    const run = (): Promise<void> => apply(http);
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };

  return { pid: server.pid, generation: () => generation, reload, stop };
}
