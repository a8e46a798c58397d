#!/usr/bin/env node
/**
 * `npm run local`: the whole LaaS system on this machine, until Ctrl-C.
 *   node local/dist/main.js [--replicas 2] [--cpu 250m] [--memory 256Mi] [--services images,auth,gateway]
 *                           [--mongo-url mongodb://...] [--no-prometheus]
 */
import { parseArgs } from 'node:util';
import { parseCpuMillis, parseMemoryBytes } from './cgroup.js';
import { startLocalSystem } from './system.js';

const { values } = parseArgs({
  options: {
    replicas: { type: 'string', default: '1' },
    cpu: { type: 'string', default: '250m' },
    memory: { type: 'string', default: '256Mi' },
    services: { type: 'string', default: 'images,auth,gateway' },
    'mongo-url': { type: 'string' },
    'mongo-db': { type: 'string', default: 'laas' },
    'no-prometheus': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  process.stdout.write(
    'usage: npm run local -- [--replicas N] [--cpu 250m] [--memory 256Mi] [--services images,auth,gateway] [--mongo-url URL] [--mongo-db laas] [--no-prometheus]\n',
  );
  process.exit(0);
}

const log = (line: string): void => void process.stdout.write(`local: ${line}\n`);
const system = await startLocalSystem({
  services: values.services
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
  replicas: Number(values.replicas),
  cpuMillis: parseCpuMillis(values.cpu),
  memoryBytes: parseMemoryBytes(values.memory),
  mongoUrl: values['mongo-url'],
  mongoDb: values['mongo-db'],
  prometheus: !values['no-prometheus'],
  log,
});
log(
  `ready: ${system.url}/random?count=25${system.prometheus ? `  (Prometheus ${system.prometheus.url})` : ''}`,
);
if (system.serviceUrls['gateway']) log(`open the web page: ${system.serviceUrls['gateway']}/`);
log(
  system.limited
    ? `each replica limited to ${system.cpuMillis}m CPU`
    : 'replicas run WITHOUT CPU limits (cgroups not writable)',
);
log('Ctrl-C stops everything');

// The system's processes hold the event loop open until they are stopped: no timer needed.
let stopping = false;
const shutdown = (signal: string): void => {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping`);
  void system.stop().then(() => process.exit(0));
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
