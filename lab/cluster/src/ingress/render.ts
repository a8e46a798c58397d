/**
 * The lab cluster's ingress controller, pure part: Ingress and Service objects in, an nginx
 * configuration out. Debian's nginx has no Lua, so ingress-nginx cannot run here; this renders
 * the subset of the Ingress API the chart uses into a plain nginx config, and proxies to the
 * Services' cluster IPs (kube-proxy then spreads requests over the ready endpoints).
 *
 * Supported: class `nginx` (spec.ingressClassName or the legacy kubernetes.io/ingress.class
 * annotation), host rules and rules without a host, pathType Exact / Prefix /
 * ImplementationSpecific (as Prefix), service backends by port number or name, defaultBackend,
 * and the annotations nginx.ingress.kubernetes.io/proxy-body-size, proxy-read-timeout and
 * proxy-send-timeout. Not supported (ignored): TLS, rewrites, resource backends.
 */

export const INGRESS_CLASS = 'nginx';

export interface ServicePort {
  name?: string;
  port: number;
}
export interface ServiceInfo {
  namespace: string;
  name: string;
  clusterIP?: string;
  ports: ServicePort[];
}
export interface IngressBackend {
  service?: { name: string; port?: { number?: number; name?: string } };
}
export interface IngressPath {
  path?: string;
  pathType?: string;
  backend: IngressBackend;
}
export interface IngressInfo {
  metadata: { namespace: string; name: string; annotations?: Record<string, string> };
  spec: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    rules?: { host?: string; http?: { paths: IngressPath[] } }[];
  };
}

export function isOurs(ingress: IngressInfo): boolean {
  const byField = ingress.spec.ingressClassName;
  const byAnnotation = ingress.metadata.annotations?.['kubernetes.io/ingress.class'];
  return (byField ?? byAnnotation) === INGRESS_CLASS;
}

export interface Location {
  /** nginx location modifier and path: "= /api", "/api/". */
  match: string;
  /** http://198.19.0.23:80, or undefined when the backend Service is missing (answers 503). */
  upstream?: string;
  /** For the comment: namespace/ingress -> service:port. */
  source: string;
  bodySize: string;
  readTimeout: string;
  sendTimeout: string;
}

export interface Server {
  /** undefined: rules without a host (the default server). */
  host?: string;
  locations: Location[];
}

function upstreamOf(
  namespace: string,
  backend: IngressBackend,
  services: ServiceInfo[],
): { upstream?: string; label: string } {
  const ref = backend.service;
  if (!ref) return { label: '(no service backend)' };
  const service = services.find((s) => s.namespace === namespace && s.name === ref.name);
  const wanted = ref.port?.number ?? ref.port?.name ?? '?';
  const label = `${ref.name}:${wanted}`;
  if (!service?.clusterIP || service.clusterIP === 'None') return { label };
  const port = ref.port?.number ?? service.ports.find((p) => p.name === ref.port?.name)?.port;
  if (port === undefined) return { label };
  return { upstream: `http://${service.clusterIP}:${port}`, label };
}

/** nginx locations for one Ingress path, per Kubernetes' path-type semantics. */
export function locationMatches(path: string | undefined, pathType: string | undefined): string[] {
  const p = path && path.startsWith('/') ? path : '/';
  if (pathType === 'Exact') return [`= ${p}`];
  // Prefix: element-wise, so /api matches /api and /api/x but not /apix.
  if (p === '/') return ['/'];
  const trimmed = p.replace(/\/+$/, '');
  return [`= ${trimmed}`, `${trimmed}/`];
}

/** Servers and their locations from the Ingresses of our class, longest paths first. */
export function buildServers(ingresses: IngressInfo[], services: ServiceInfo[]): Server[] {
  const servers = new Map<string, Server>();
  const serverFor = (host: string | undefined): Server => {
    const key = host ?? '';
    let server = servers.get(key);
    if (!server) {
      server = { ...(host ? { host } : {}), locations: [] };
      servers.set(key, server);
    }
    return server;
  };
  const sorted = ingresses
    .filter(isOurs)
    .sort((a, b) =>
      `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(
        `${b.metadata.namespace}/${b.metadata.name}`,
      ),
    );
  for (const ingress of sorted) {
    const { namespace, name, annotations = {} } = ingress.metadata;
    const settings = {
      bodySize: annotations['nginx.ingress.kubernetes.io/proxy-body-size'] ?? '1m',
      readTimeout: `${annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'] ?? '60'}s`,
      sendTimeout: `${annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'] ?? '60'}s`,
    };
    const add = (server: Server, match: string, backend: IngressBackend): void => {
      if (server.locations.some((l) => l.match === match)) return; // first Ingress (by name) wins
      const { upstream, label } = upstreamOf(namespace, backend, services);
      server.locations.push({
        match,
        ...(upstream ? { upstream } : {}),
        source: `${namespace}/${name} -> ${label}`,
        ...settings,
      });
    };
    for (const rule of ingress.spec.rules ?? []) {
      const server = serverFor(rule.host);
      for (const path of rule.http?.paths ?? []) {
        for (const match of locationMatches(path.path, path.pathType)) add(server, match, path.backend);
      }
    }
    if (ingress.spec.defaultBackend) add(serverFor(undefined), '/', ingress.spec.defaultBackend);
  }
  for (const server of servers.values()) {
    server.locations.sort((a, b) => b.match.length - a.match.length || a.match.localeCompare(b.match));
  }
  return [...servers.values()].sort((a, b) => (a.host ?? '').localeCompare(b.host ?? ''));
}

export interface RenderOptions {
  /** Address nginx listens on, e.g. 198.19.255.2:80. */
  listen: string;
  /** Folder for the pid file, temp files and logs. */
  dir: string;
}

function renderLocation(location: Location): string {
  const body = location.upstream
    ? [
        `proxy_pass ${location.upstream};`,
        'proxy_http_version 1.1;',
        'proxy_set_header Host $host;',
        'proxy_set_header X-Real-IP $remote_addr;',
        'proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
        'proxy_set_header X-Forwarded-Proto $scheme;',
        'proxy_set_header X-Forwarded-Host $host;',
        'proxy_set_header Connection "";',
        `client_max_body_size ${location.bodySize};`,
        `proxy_read_timeout ${location.readTimeout};`,
        `proxy_send_timeout ${location.sendTimeout};`,
      ]
    : ['return 503;'];
  return [
    `    # ${location.source}`,
    `    location ${location.match} {`,
    ...body.map((l) => `      ${l}`),
    '    }',
  ].join('\n');
}

export function renderNginxConfig(servers: Server[], options: RenderOptions): string {
  const d = options.dir;
  const hasDefault = servers.some((s) => s.host === undefined);
  const blocks = servers.map((server) =>
    [
      '  server {',
      server.host
        ? `    listen ${options.listen};\n    server_name ${server.host};`
        : `    listen ${options.listen} default_server;\n    server_name _;`,
      ...server.locations.map(renderLocation),
      ...(server.locations.some((l) => l.match === '/')
        ? []
        : ['    location / {\n      return 404;\n    }']),
      '  }',
    ].join('\n'),
  );
  if (!hasDefault) {
    blocks.unshift(
      `  server {\n    listen ${options.listen} default_server;\n    server_name _;\n    return 404;\n  }`,
    );
  }
  return `# Rendered by the lab cluster's ingress controller (cluster/src/ingress); do not edit.
worker_processes 1;
user root;
pid ${d}/nginx.pid;
error_log ${d}/error.log warn;
events {
  worker_connections 1024;
}
http {
  access_log ${d}/access.log;
  client_body_temp_path ${d}/tmp/body;
  proxy_temp_path ${d}/tmp/proxy;
  fastcgi_temp_path ${d}/tmp/fastcgi;
  uwsgi_temp_path ${d}/tmp/uwsgi;
  scgi_temp_path ${d}/tmp/scgi;
  proxy_buffering off;
  server_tokens off;
${blocks.join('\n')}
}
`;
}
