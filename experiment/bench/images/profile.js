// Where the images service spends its CPU (`npm run profile:images -w @laas/experiment`, after `npm run
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
import { freePort, profileReport, startMongo, summariseCpuProfile, waitFor } from '@laas/testbed';

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

const stop = [];
try {
  const mongo = await startMongo();
  stop.push(() => mongo.stop());
  const env = imagesService.env({
    mongoUrl: mongo.url,
    mongoDb: 'laas_profile',
    serviceUrls: {},
    signingKeyFile: 'unused-by-images',
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
  const summary = summariseCpuProfile(JSON.parse(readFileSync(join(out, file), 'utf8')));
  const requests = plateau.requests + rate * 5;
  say(
    `profile ${join(out, file)}: ${(summary.busyUs / 1e6).toFixed(2)} s busy of ${(summary.totalUs / 1e6).toFixed(2)} s, ` +
      `about ${(summary.busyUs / requests).toFixed(0)} µs of CPU per request (warm-up included)`,
  );
  for (const line of profileReport(summary, Number(values.top))) say(line);
} finally {
  while (stop.length > 0)
    await stop
      .pop()()
      .catch(() => undefined);
}
