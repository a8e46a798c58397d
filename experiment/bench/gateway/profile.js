// Where the gateway spends its CPU (`npm run profile:gateway -w @laas/experiment`, after `npm run build`):
// one images process and one gateway process under `node --cpu-prof`, both WITHOUT a CPU limit,
// the gateway held at a constant rate of GET /api/images/random?count=25 by k6 in one
// configuration of bench/configs.js, then stopped. The profile's self time is summed by function
// and by where the code lives (node internals, undici, prom-client, @laas/shared, the gateway),
// and the gateway's CPU per request is read from its cgroup (cpuacct) over the measured plateau.
//
// Options: --rate 300 (RPS), --seconds 20, --top 25, --config default, --out <folder> (default a
// temporary one).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runLocalPlateau } from '@laas/experiment';
import { profileReport, summariseCpuProfile } from '@laas/testbed';
import { benchConfigs } from './configs.js';
import { PATH_GATEWAY, cleanupList, startGatewayProcess, startSeededImages } from './stack.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '20' },
    top: { type: 'string', default: '25' },
    config: { type: 'string', default: 'default' },
    out: { type: 'string' },
  },
});
const out = values.out ?? mkdtempSync(join(tmpdir(), 'gateway-profile-'));
const say = (line) => process.stdout.write(`profile: ${line}\n`);

const cleanup = cleanupList();
try {
  const images = await startSeededImages({ cleanup, db: 'laas_gateway_profile' });
  const { jwks, configs } = await benchConfigs();
  const config = configs[values.config];
  if (!config) throw new Error(`unknown configuration ${values.config}: ${Object.keys(configs).join(', ')}`);
  const { url, proc: gateway } = await startGatewayProcess({
    cleanup,
    name: values.config,
    config,
    imagesUrl: images.url,
    jwks,
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${out}`],
  });
  const path = PATH_GATEWAY;
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  say(`warming up, then ${seconds} s at ${rate} RPS of GET ${path} (${values.config})`);
  await runLocalPlateau({ baseUrl: url, path, headers: config.headers, rate, durationSec: 5 });
  const cpuBefore = gateway.cgroup?.cpuUsageNs();
  const plateau = await runLocalPlateau({
    baseUrl: url,
    path,
    headers: config.headers,
    rate,
    durationSec: seconds,
  });
  const cpuAfter = gateway.cgroup?.cpuUsageNs();
  say(
    `plateau: ${plateau.requests} requests, p99 ${plateau.p99Ms.toFixed(1)} ms, errors ${(plateau.errorRate * 100).toFixed(2)}%`,
  );
  if (cpuBefore !== undefined && cpuAfter !== undefined && plateau.requests > 0)
    say(
      `gateway CPU per request (cpuacct, this plateau): ${((cpuAfter - cpuBefore) / 1e3 / plateau.requests).toFixed(0)} µs`,
    );
  await gateway.stop(); // writes the profile

  const file = readdirSync(out).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${out}`);
  const summary = summariseCpuProfile(JSON.parse(readFileSync(join(out, file), 'utf8')));
  say(
    `profile ${join(out, file)}: ${(summary.busyUs / 1e6).toFixed(2)} s busy of ${(summary.totalUs / 1e6).toFixed(2)} s`,
  );
  for (const line of profileReport(summary, Number(values.top))) say(line);
} finally {
  await cleanup.stopAll();
}
