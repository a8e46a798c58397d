// What every gateway benchmark starts (gateway-bench.js, cpu-per-request.js, profile.js): one
// seeded images service and gateway processes in the configurations of configs.js, each in a
// cgroup of its own (@laas/local), so the CPU each spends can be read from cpuacct.
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { imagesService, startLimitedProcess, startReplica } from '@laas/local';
import { freePort, startMongo, waitFor } from '@laas/testbed';
import { ORIGIN } from './configs.js';

const here = dirname(fileURLToPath(import.meta.url));
export const PATH_DIRECT = '/random?count=25';
export const PATH_GATEWAY = '/api/images/random?count=25';

/** Things to stop, last started first. */
export function cleanupList() {
  const list = [];
  return {
    push: (stop) => list.push(stop),
    async stopAll() {
      while (list.length > 0)
        await list
          .pop()()
          .catch(() => undefined);
    },
  };
}

/**
 * The images service, seeded, on a FerretDB of its own (or MONGO_URL's database), with at most
 * `cpuMillis` of CPU (undefined: unlimited).
 */
export async function startSeededImages({ cleanup, cpuMillis, db = 'laas_gateway_bench' }) {
  let mongoUrl = process.env.MONGO_URL;
  if (!mongoUrl) {
    const mongo = await startMongo();
    cleanup.push(() => mongo.stop());
    mongoUrl = mongo.url;
  }
  const env = imagesService.env({
    mongoUrl,
    mongoDb: process.env.MONGO_DB ?? db,
    serviceUrls: {},
    logLevel: 'warn',
  });
  execFileSync(process.execPath, [imagesService.setup.entry], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  const images = await startReplica({ spec: imagesService, name: 'bench-images', env, cpuMillis });
  cleanup.push(() => images.stop());
  return images;
}

/**
 * One gateway process in configuration `config` (configs.js) in front of `imagesUrl`, checked to
 * answer the benchmark request 200 with the configuration's headers (or a search means nothing).
 * `nodeArgs` go before the script (e.g. --cpu-prof).
 */
export async function startGatewayProcess({
  cleanup,
  name,
  config,
  imagesUrl,
  jwks,
  cpuMillis,
  nodeArgs = [],
}) {
  // The keys the gateway checks tokens with, served as auth serves them.
  const keys = http.createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(jwks));
  });
  await new Promise((ok) => keys.listen(0, '127.0.0.1', ok));
  cleanup.push(() => new Promise((ok) => keys.close(ok)));
  const port = await freePort();
  const proc = startLimitedProcess({
    name: 'bench-gateway',
    cmd: process.execPath,
    // A config's own main (the control) is named relative to this folder; --baseline is absolute.
    args: [
      ...nodeArgs,
      config.main
        ? resolve(here, config.main)
        : join(here, '..', '..', '..', 'services', 'gateway', 'dist', 'main.js'),
    ],
    env: {
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      IMAGES_URL: imagesUrl,
      AUTH_URL: 'http://127.0.0.1:9', // not exercised by the benchmarks
      JWKS_URL: `http://127.0.0.1:${keys.address().port}/.well-known/jwks.json`,
      ...config.env,
    },
    cpuMillis,
  });
  cleanup.push(() => proc.stop());
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}${PATH_GATEWAY}`)).status > 0, {
    what: `the gateway (${name})`,
  });
  const probe = await fetch(`${url}${PATH_GATEWAY}`, { headers: config.headers });
  if (probe.status !== 200)
    throw new Error(`gateway ${name} answered ${probe.status} to the benchmark request`);
  if (config.env.CORS_ORIGINS && probe.headers.get('access-control-allow-origin') !== ORIGIN)
    throw new Error(`gateway ${name} did not take the CORS step`);
  return { url, proc };
}
