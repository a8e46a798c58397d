import { startNginxProcess } from './nginx.js';
import type { Supervision } from './processes.js';

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
  /** Applies new routes (a serialised reload, see `NginxProcess.reload`). */
  update(routes: ServiceRoute[]): Promise<void>;
  /** The upstream addresses of the config in force, by service. */
  upstreams(): Record<string, string[]>;
  stop(): Promise<void>;
}

/**
 * nginx as the Services/ingress of the local system: one port per service in front of its ready
 * replicas. Reloads drop no connection: SIGHUP starts new workers and asks the old ones to finish
 * their in-flight requests and exit, and `update` resolves only once they have, so a replica
 * removed from the config receives no new request from then on and can be stopped.
 */
export async function startLocalNginx(
  initial: ServiceRoute[],
  options: Supervision & { workers?: number } = {},
): Promise<LocalNginx> {
  const nginx = await startNginxProcess({ ...options, name: 'local-nginx', http: routesConfig(initial) });
  let current = initial;
  return {
    pid: nginx.pid,
    update: async (routes) => {
      await nginx.reload(routesConfig(routes));
      current = routes;
    },
    upstreams: () => Object.fromEntries(current.map((route) => [route.service, [...route.upstreams]])),
    stop: () => nginx.stop(),
  };
}
