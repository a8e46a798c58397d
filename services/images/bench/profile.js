// Where the images service spends its CPU (`npm run profile -w @laas/images`, after `npm run
// build`): one images process (a seeded FerretDB, the catalog warm) under `node --cpu-prof`,
// WITHOUT a CPU limit, held at a constant rate of GET /random?count=25 by k6, then stopped; the
// profile's self time is summed by function and by where the code lives (Express, prom-client,
// node internals, this service...). Prints the top entries and writes the .cpuprofile.
//
// Options: --rate 300 (RPS), --seconds 20, --top 25, --out <folder> (default a temporary one).
import { readdirSync, readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { imagesService, startLimitedProcess } from '@laas/local';
import { runLocalPlateau } from '@laas/experiment';
import { freePort, startMongo, waitFor } from '@laas/testbed';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '20' },
    top: { type: 'string', default: '25' },
    out: { type: 'string' },
  },
});
const out = values.out ?? mkdtempSync(join(tmpdir(), 'images-profile-'));
const say = (line) => process.stdout.write(`profile: ${line}\n`);

/** Self time (µs) by function and by area, from a .cpuprofile (samples x time deltas). */
export function summarise(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const functions = new Map();
  const areas = new Map();
  let total = 0;
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = `${functionName || '(anonymous)'} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
    areas.set(areaOf(functionName, url), (areas.get(areaOf(functionName, url)) ?? 0) + us);
    total += us;
  }
  return { total, functions, areas };
}

function shortUrl(url) {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const services = url.indexOf('/services/');
  return services >= 0 ? url.slice(services + 1) : url;
}

function areaOf(functionName, url) {
  if (functionName === '(idle)' || functionName === '(program)' || functionName === '(garbage collector)')
    return functionName;
  if (url === '') return '(native: V8 builtins, JSON, syscalls)';
  if (url.startsWith('node:')) return 'node internals (http, net, streams)';
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (match) return `npm: ${match[1]}`;
  if (url.includes('/services/shared/')) return '@laas/shared';
  if (url.includes('/services/images/')) return '@laas/images';
  return url;
}

const stop = [];
try {
  const mongo = await startMongo();
  stop.push(() => mongo.stop());
  const env = imagesService.env({
    mongoUrl: mongo.url,
    mongoDb: 'laas_profile',
    serviceUrls: {},
    jwtSecret: 'unused-by-images',
    logLevel: 'warn',
  });
  execFileSync(process.execPath, [imagesService.setup.entry], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  const port = await freePort();
  const images = startLimitedProcess({
    name: 'profile-images',
    cmd: process.execPath,
    args: ['--cpu-prof', `--cpu-prof-dir=${out}`, imagesService.entry],
    env: { ...env, PORT: String(port), HOST: '127.0.0.1' },
  });
  stop.push(() => images.stop());
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/readyz`)).ok, { what: 'the images service' });
  const rate = Number(values.rate);
  const seconds = Number(values.seconds);
  say(`warming up, then ${seconds} s at ${rate} RPS of GET /random?count=25`);
  await runLocalPlateau({ baseUrl: url, rate, durationSec: 5 });
  const plateau = await runLocalPlateau({ baseUrl: url, rate, durationSec: seconds });
  say(
    `plateau: ${plateau.requests} requests, p99 ${plateau.p99Ms.toFixed(1)} ms, errors ${(plateau.errorRate * 100).toFixed(2)}%`,
  );
  await images.stop();
  stop.pop();

  const file = readdirSync(out).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${out}`);
  const { total, functions, areas } = summarise(JSON.parse(readFileSync(join(out, file), 'utf8')));
  const busy = total - (areas.get('(idle)') ?? 0);
  const requests = plateau.requests + rate * 5;
  say(
    `profile ${join(out, file)}: ${(busy / 1e6).toFixed(2)} s busy of ${(total / 1e6).toFixed(2)} s, ` +
      `about ${(busy / requests).toFixed(0)} µs of CPU per request (warm-up included)`,
  );
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
  while (stop.length > 0)
    await stop
      .pop()()
      .catch(() => undefined);
}
