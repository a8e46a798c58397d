import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { httpText } from './http.js';
import { systemToolPath } from './paths.js';
import { freePort } from './ports.js';
import { makeTempDir, removeTempDir, retryOnPortClash, spawnServer, waitUntilReady } from './processes.js';
import { waitFor } from './wait.js';

const execFileAsync = promisify(execFile);

/** A reverse proxy to `upstreams` (`host:port`), round-robin, on the nginx port. */
export interface NginxProxyConfig {
  upstreams: string[];
}

/**
 * Either a proxy spec, or the text that goes inside nginx's `http { }` block (server and
 * upstream blocks) where `{{port}}` stands for the port picked for nginx:
 * `server { listen 127.0.0.1:{{port}}; location / { return 200 "hi"; } }`.
 */
export type NginxConfig = NginxProxyConfig | string;

export interface NginxServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Validates the new config (`nginx -t`), applies it (SIGHUP) and waits until workers use it. */
  reload(config: NginxConfig): Promise<void>;
  stop(): Promise<void>;
}

export function proxyHttpConfig(config: NginxProxyConfig): string {
  if (config.upstreams.length === 0) throw new Error('startNginx: upstreams is empty');
  const servers = config.upstreams.map((upstream) => `    server ${upstream};`).join('\n');
  return `
  upstream laas_upstream {
${servers}
    keepalive 16;
  }
  server {
    listen 127.0.0.1:{{port}};
    location / {
      proxy_pass http://laas_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    }
  }
`;
}

/**
 * The whole nginx.conf: every path inside `dir`, one worker, plus a control server on
 * `controlPort` that answers the config generation (how `reload` knows it took effect).
 */
function nginxConf(
  dir: string,
  port: number,
  controlPort: number,
  generation: number,
  config: NginxConfig,
): string {
  const http = (typeof config === 'string' ? config : proxyHttpConfig(config)).replaceAll(
    '{{port}}',
    String(port),
  );
  // As root, workers would switch to `nobody`, who cannot read our private temp folder.
  const user = process.getuid?.() === 0 ? 'user root;\n' : '';
  const temp = join(dir, 'temp');
  return `${user}worker_processes 1;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${temp}/client_body;
  proxy_temp_path ${temp}/proxy;
  fastcgi_temp_path ${temp}/fastcgi;
  uwsgi_temp_path ${temp}/uwsgi;
  scgi_temp_path ${temp}/scgi;
  server {
    listen 127.0.0.1:${controlPort};
    location = /__testbed/generation { return 200 "${generation}"; }
  }
${http}
}
`;
}

/** Runs nginx in the foreground as the current user, with its prefix, logs and temp files in a temporary folder. */
export async function startNginx(config: NginxConfig): Promise<NginxServer> {
  const binary = systemToolPath('nginx');
  return retryOnPortClash(async () => {
    const dir = makeTempDir('nginx');
    mkdirSync(join(dir, 'temp'), { recursive: true });
    const confPath = join(dir, 'nginx.conf');
    const port = await freePort();
    const controlPort = await freePort();
    let generation = 1;
    writeFileSync(confPath, nginxConf(dir, port, controlPort, generation, config));
    const baseArgs = ['-p', dir, '-c', confPath, '-e', join(dir, 'error.log')];
    const server = spawnServer({
      name: 'nginx',
      command: binary,
      args: [...baseArgs, '-g', 'daemon off;'],
      cwd: dir,
      logPath: join(dir, 'nginx.log'),
    });
    const stop = async (): Promise<void> => {
      await server.stop();
      removeTempDir(dir);
    };
    const controlUrl = `http://127.0.0.1:${controlPort}/__testbed/generation`;
    const servesGeneration = async (wanted: number): Promise<boolean> =>
      (await httpText(controlUrl)).body === String(wanted);
    try {
      await waitUntilReady(server, () => servesGeneration(generation), `nginx to serve ${controlUrl}`);
    } catch (error) {
      await stop();
      throw error;
    }

    const reload = async (next: NginxConfig): Promise<void> => {
      const candidate = generation + 1;
      const text = nginxConf(dir, port, controlPort, candidate, next);
      const testPath = join(dir, 'nginx.test.conf');
      writeFileSync(testPath, text);
      try {
        await execFileAsync(binary, ['-t', '-q', '-p', dir, '-c', testPath, '-e', join(dir, 'error.log')]);
      } catch (error) {
        const stderr = (error as { stderr?: string }).stderr ?? String(error);
        throw new Error(`nginx rejected the new config: ${stderr.trim()}`);
      }
      writeFileSync(confPath, text);
      generation = candidate;
      process.kill(server.pid, 'SIGHUP');
      await waitFor(() => servesGeneration(candidate), {
        what: `nginx to load config generation ${candidate}`,
        timeoutMs: 10_000,
      });
    };
    return { url: `http://127.0.0.1:${port}`, port, reload, stop };
  });
}
