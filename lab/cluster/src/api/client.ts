import { readFileSync } from 'node:fs';
import { request } from 'node:https';

/**
 * A minimal Kubernetes API client for the node daemons (ingress controller, NetworkPolicy
 * enforcer): the admin kubeconfig's client certificate, JSON over HTTPS, no dependencies.
 */
export interface Api {
  server: string;
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export function readKubeconfig(path: string): Api {
  const config = JSON.parse(readFileSync(path, 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data': string } }[];
    users: { user: { 'client-certificate-data': string; 'client-key-data': string } }[];
  };
  const cluster = config.clusters[0]?.cluster;
  const user = config.users[0]?.user;
  if (!cluster || !user) throw new Error(`${path}: no cluster or user`);
  const b = (s: string): Buffer => Buffer.from(s, 'base64');
  return {
    server: cluster.server,
    ca: b(cluster['certificate-authority-data']),
    cert: b(user['client-certificate-data']),
    key: b(user['client-key-data']),
  };
}

export function call(
  api: Api,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<unknown> {
  return new Promise((resolveBody, reject) => {
    const req = request(
      new URL(path, api.server),
      {
        method,
        ca: api.ca,
        cert: api.cert,
        key: api.key,
        timeout: 10_000,
        headers: body ? { 'content-type': contentType } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if ((res.statusCode ?? 0) >= 300)
            reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`));
          else resolveBody(text ? JSON.parse(text) : undefined);
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}
