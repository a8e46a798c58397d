#!/usr/bin/env node
/**
 * The lab cluster's ingress controller (see render.ts for what it supports and why it exists).
 * Runs as a node daemon in the node's network namespace, started by `up`:
 *
 *   node lab/cluster/dist/ingress/main.js --kubeconfig FILE --listen 198.19.255.2:80 --dir DIR
 *
 * Every 2 s it lists Ingresses and Services (plain HTTPS with the kubeconfig's client
 * certificate), renders the nginx config, and when it changed: tests it (`nginx -t`) and
 * reloads nginx (SIGHUP). It also sets each Ingress's status address to the node's, as
 * ingress-nginx does, so `kubectl get ingress` shows where to send requests.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, readKubeconfig } from '../api/client.js';
import { buildServers, isOurs, renderNginxConfig } from './render.js';
import type { IngressInfo, ServiceInfo } from './render.js';

function args(argv: string[]): { kubeconfig: string; listen: string; dir: string; nginx: string } {
  const get = (flag: string, fallback?: string): string => {
    const i = argv.indexOf(flag);
    const value = i >= 0 ? argv[i + 1] : fallback;
    if (!value) throw new Error(`ingress controller: missing ${flag}`);
    return value;
  };
  return {
    kubeconfig: get('--kubeconfig'),
    listen: get('--listen'),
    dir: get('--dir'),
    nginx: get('--nginx', '/usr/sbin/nginx'),
  };
}

async function main(): Promise<void> {
  const options = args(process.argv.slice(2));
  const api = readKubeconfig(options.kubeconfig);
  for (const sub of ['tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi'])
    mkdirSync(join(options.dir, sub), { recursive: true });
  const confPath = join(options.dir, 'nginx.conf');
  const nodeAddress = options.listen.replace(/:\d+$/, '');

  // The IngressClass users name in their Ingress (the chart: className nginx).
  await call(api, 'POST', '/apis/networking.k8s.io/v1/ingressclasses', {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'IngressClass',
    metadata: { name: 'nginx' },
    spec: { controller: 'laas.dev/lab-ingress-nginx' },
  }).catch((error: Error) => {
    if (!/HTTP 409/.test(error.message)) throw error;
  });

  let rendered = '';
  // A controller restarted after it died finds its nginx still serving (nginx outlives its
  // parent): it adopts that master, by its pid file, instead of starting a second one that
  // could not bind the port. The adopted one gets the next config as a reload, with no gap.
  let nginx: Nginx | undefined = adoptNginx(join(options.dir, 'nginx.pid'));
  if (nginx) console.log(`ingress: adopted the running nginx (pid ${nginx.pid})`);
  const stop = (): void => {
    if (nginx?.alive()) process.kill(nginx.pid, 'SIGQUIT');
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  for (;;) {
    try {
      const ingressList = (await call(api, 'GET', '/apis/networking.k8s.io/v1/ingresses')) as {
        items: IngressInfo[];
      };
      const serviceList = (await call(api, 'GET', '/api/v1/services')) as {
        items: {
          metadata: { namespace: string; name: string };
          spec: { clusterIP?: string; ports?: { name?: string; port: number }[] };
        }[];
      };
      const services: ServiceInfo[] = serviceList.items.map((s) => ({
        namespace: s.metadata.namespace,
        name: s.metadata.name,
        ...(s.spec.clusterIP ? { clusterIP: s.spec.clusterIP } : {}),
        ports: s.spec.ports ?? [],
      }));
      const text = renderNginxConfig(buildServers(ingressList.items, services), {
        listen: options.listen,
        dir: options.dir,
      });
      if (text !== rendered) {
        writeFileSync(`${confPath}.next`, text);
        const test = spawn(options.nginx, ['-t', '-q', '-c', `${confPath}.next`], { stdio: 'inherit' });
        const ok = await new Promise<boolean>((r) => test.on('close', (code) => r(code === 0)));
        if (ok) {
          writeFileSync(confPath, text);
          if (!nginx?.alive()) {
            nginx = spawnNginx(options.nginx, confPath);
            console.log(`ingress: nginx started on ${options.listen}`);
          } else {
            process.kill(nginx.pid, 'SIGHUP');
            console.log('ingress: nginx reloaded');
          }
          rendered = text;
        } else {
          console.error('ingress: the rendered config fails `nginx -t`; keeping the previous one');
        }
      }
      for (const ingress of ingressList.items.filter(isOurs)) {
        const current = (
          ingress as unknown as { status?: { loadBalancer?: { ingress?: { ip?: string }[] } } }
        ).status;
        if (current?.loadBalancer?.ingress?.[0]?.ip === nodeAddress) continue;
        await call(
          api,
          'PATCH',
          `/apis/networking.k8s.io/v1/namespaces/${ingress.metadata.namespace}/ingresses/${ingress.metadata.name}/status`,
          { status: { loadBalancer: { ingress: [{ ip: nodeAddress }] } } },
          'application/merge-patch+json',
        ).catch((error: Error) =>
          console.error(`ingress: status of ${ingress.metadata.name}: ${error.message}`),
        );
      }
    } catch (error) {
      console.error(`ingress: ${(error as Error).message}`);
    }
    if (nginx && !nginx.alive()) {
      console.error(`ingress: nginx (pid ${nginx.pid}) exited; restarting`);
      rendered = '';
    }
    await sleep(2_000);
  }
}

/** An nginx master: our child, or one adopted from an earlier run of the controller. */
interface Nginx {
  pid: number;
  alive(): boolean;
}

function spawnNginx(binary: string, confPath: string): Nginx {
  const child = spawn(binary, ['-c', confPath, '-g', 'daemon off;'], { stdio: 'inherit' });
  return {
    pid: child.pid ?? -1,
    alive: () => child.pid !== undefined && child.exitCode === null && child.signalCode === null,
  };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function adoptNginx(pidFile: string): Nginx | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processExists(pid)) return undefined;
  // The pid file may be stale and the pid reused: adopt only an nginx master.
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return undefined;
  }
  if (!cmdline.startsWith('nginx: master process')) return undefined;
  return { pid, alive: () => processExists(pid) };
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
