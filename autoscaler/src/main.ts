#!/usr/bin/env node
// The operator's command line.
//
//   laas-autoscaler [--kubeconfig PATH] [--namespace NS] [--dry-run] [--port 8080]
//                   [--lease-namespace NS] [--identity ID] [--resync-seconds 5] [--log-level info]
//   laas-autoscaler manifests      # writes crd/ and rbac/ from src/api (for the chart)
//
// Without --kubeconfig it uses KUBECONFIG, then the in-cluster service account.
import { realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { writeManifests } from './api/manifests.js';
import { startOperator } from './operator.js';

const USAGE = `usage: laas-autoscaler [--kubeconfig PATH] [--namespace NS] [--dry-run] [--port N]
                       [--lease-namespace NS] [--identity ID] [--resync-seconds N] [--log-level LEVEL]
       laas-autoscaler manifests`;

export interface Config {
  kubeconfig?: string;
  namespace?: string;
  dryRun: boolean;
  port: number;
  leaseNamespace?: string;
  identity?: string;
  resyncSeconds: number;
  logLevel: string;
}

/** Validates the flags once, at boot; throws with the usage on anything wrong. */
export function parseConfig(argv: string[]): Config {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      'dry-run': { type: 'boolean', default: false },
      port: { type: 'string', default: '8080' },
      'lease-namespace': { type: 'string' },
      identity: { type: 'string' },
      'resync-seconds': { type: 'string', default: '5' },
      'log-level': { type: 'string', default: 'info' },
    },
    strict: true,
  });
  const port = Number(values.port);
  const resync = Number(values['resync-seconds']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port ${values.port} is not a port\n${USAGE}`);
  if (!(resync >= 1)) throw new Error(`--resync-seconds ${values['resync-seconds']} must be >= 1\n${USAGE}`);
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(values['log-level'])) {
    throw new Error(`--log-level ${values['log-level']} is not a pino level\n${USAGE}`);
  }
  return {
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    dryRun: values['dry-run'],
    port,
    ...(values['lease-namespace'] ? { leaseNamespace: values['lease-namespace'] } : {}),
    ...(values.identity ? { identity: values.identity } : {}),
    resyncSeconds: resync,
    logLevel: values['log-level'],
  };
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === 'manifests') {
    const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
    for (const path of writeManifests(packageDir)) console.log(`wrote ${path}`);
    return;
  }
  const config = parseConfig(argv);
  const log = pino({ level: config.logLevel, base: { component: 'laas-autoscaler' } });
  const kubeConfig = new KubeConfig();
  if (config.kubeconfig) kubeConfig.loadFromFile(config.kubeconfig);
  else kubeConfig.loadFromDefault();
  const operator = await startOperator({
    kubeConfig,
    ...(config.namespace ? { namespace: config.namespace } : {}),
    ...(config.leaseNamespace ? { leaseNamespace: config.leaseNamespace } : {}),
    ...(config.identity ? { identity: config.identity } : {}),
    dryRun: config.dryRun,
    log,
    resyncMs: config.resyncSeconds * 1000,
    httpPort: config.port,
  });
  log.info({ url: operator.url, namespace: config.namespace ?? '(all)', dryRun: config.dryRun }, 'started');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping: releasing the lease');
    operator.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ error: String(error) }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

// Run only as the entry point, not when imported (tests import parseConfig). realpath: npm's
// bin link (node_modules/.bin/laas-autoscaler) is a symlink to this file.
function isEntryPoint(): boolean {
  if (!process.argv[1]) return false;
  try {
    return realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1]);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
