import { freePort, retryOnPortClash, startNginxProcess } from '@laas/local';

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
  /**
   * Validates the new config (`nginx -t`), applies it (SIGHUP) and waits until the new workers
   * use it and the old ones are gone; concurrent calls are applied one at a time, in call order.
   */
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

/** Runs nginx with a proxy spec or a hand-written `http { }` body on a free loopback port. */
export async function startNginx(config: NginxConfig): Promise<NginxServer> {
  return retryOnPortClash(async () => {
    const port = await freePort();
    const render = (next: NginxConfig): string =>
      (typeof next === 'string' ? next : proxyHttpConfig(next)).replaceAll('{{port}}', String(port));
    const nginx = await startNginxProcess({ name: 'nginx', http: render(config) });
    return {
      url: `http://127.0.0.1:${port}`,
      port,
      reload: (next) => nginx.reload(render(next)),
      stop: () => nginx.stop(),
    };
  });
}
