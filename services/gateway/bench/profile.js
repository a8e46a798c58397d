// Where the gateway spends its CPU (`npm run profile -w @laas/gateway`, after `npm run build`):
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

/** Where a profile node's code lives, for the by-area sum. */
function areaOf(functionName, url) {
  if (['(idle)', '(program)', '(garbage collector)'].includes(functionName)) return functionName;
  if (url === '') return '(native: V8 builtins, JSON, syscalls)';
  if (url.startsWith('node:')) return 'node internals (http, net, streams)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return `npm: ${match[1]}`;
  for (const service of ['shared', 'gateway'])
    if (url.includes(`/services/${service}/`)) return `@laas/${service}`;
  return url;
}

/** Self time (µs) by function and by area, from a .cpuprofile (samples x time deltas). */
function summarise(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map();
  const areas = new Map();
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  let total = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const { functionName, url, lineNumber } = byId.get(id);
    const at = url.replace(/^.*node_modules\//, '').replace(/^.*\/services\//, 'services/');
    add(functions, `${functionName || '(anonymous)'} ${at}${url ? `:${lineNumber + 1}` : ''}`, us);
    add(areas, areaOf(functionName, url), us);
    total += us;
  });
  return { total, functions, areas };
}

const cleanup = cleanupList();
try {
  const images = await startSeededImages({ cleanup, db: 'laas_gateway_profile' });
  const { secret, configs } = await benchConfigs();
  const config = configs[values.config];
  if (!config) throw new Error(`unknown configuration ${values.config}: ${Object.keys(configs).join(', ')}`);
  const { url, proc: gateway } = await startGatewayProcess({
    cleanup,
    name: values.config,
    config,
    imagesUrl: images.url,
    secret,
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
  const { total, functions, areas } = summarise(JSON.parse(readFileSync(join(out, file), 'utf8')));
  const busy = total - (areas.get('(idle)') ?? 0);
  say(`profile ${join(out, file)}: ${(busy / 1e6).toFixed(2)} s busy of ${(total / 1e6).toFixed(2)} s`);
  const pct = (us) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
  say('self time by area (% of busy time):');
  for (const [area, us] of [...areas].filter(([a]) => a !== '(idle)').sort((a, b) => b[1] - a[1]))
    say(`  ${pct(us)}  ${area}`);
  say(`top ${values.top} functions by self time (% of busy time):`);
  for (const [name, us] of [...functions]
    .filter(([n]) => !n.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(values.top)))
    say(`  ${pct(us)}  ${name}`);
} finally {
  await cleanup.stopAll();
}
