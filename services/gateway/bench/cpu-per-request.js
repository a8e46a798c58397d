// CPU cost per request of the gateway beside the images service (`npm run bench:cpu -w
// @laas/gateway`, after `npm run build`). Where the max-RPS benchmark (gateway-bench.js) needs a
// quiet machine, this one does not: it counts the CPU time each process spends over a k6
// constant-arrival-rate plateau (the open-loop load the max-RPS search offers, not a closed
// loop that batches requests), read from each process's own cgroup (cpuacct.usage, in ns; from
// /proc/<pid>/stat ticks where cgroups are not writable), which other work on the machine
// barely changes. The gateway keeps up with images when its CPU per request is below images' own.
//
// One gateway process per configuration of bench/configs.js (default, cors+limit, auth=all), and
// with --baseline another build's gateway in the default configuration. Each round measures
// images alone, then all the gateways at the same time (one k6 each, at the same rate), so their
// figures share the machine's conditions; the gateways' requests all reach the one images.
//
// Options: --rate 300 (RPS per process measured), --seconds 10, --rounds 5, --configs default,cors+limit,auth=all,
// --baseline <another build's gateway dist/main.js> (e.g. a copy of main's build, for a before/after).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { imagesService, startLimitedProcess } from '@laas/local';
import { runLocalPlateau } from '@laas/experiment';
import { freePort, startMongo, waitFor } from '@laas/testbed';
import { benchConfigs, chosenConfigs } from './configs.js';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '300' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    configs: { type: 'string', default: 'default,cors+limit,auth=all' },
    baseline: { type: 'string' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const say = (line) => process.stdout.write(`bench: ${line}\n`);
const TICK_NS = 1e9 / 100; // USER_HZ is 100 on Linux

/** CPU nanoseconds a process has used so far: its cgroup's cpuacct, else /proc (10 ms ticks). */
function cpuNs(proc) {
  const counted = proc.cgroup?.cpuUsageNs();
  if (counted !== undefined) return counted;
  const fields = readFileSync(`/proc/${proc.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_NS;
}

/** Runs one plateau against `side` and returns the CPU milliseconds per completed request. */
async function measure(side) {
  const before = cpuNs(side.proc);
  const plateau = await runLocalPlateau({
    baseUrl: side.url,
    path: side.path,
    headers: side.headers,
    rate,
    durationSec: seconds,
  });
  if (plateau.errorRate > 0.01)
    throw new Error(`${side.name}: ${(plateau.errorRate * 100).toFixed(1)}% errors`);
  return (cpuNs(side.proc) - before) / 1e6 / plateau.requests;
}

const stop = [];
try {
  const mongo = await startMongo();
  stop.push(() => mongo.stop());
  const env = imagesService.env({
    mongoUrl: mongo.url,
    mongoDb: 'laas_cpu_bench',
    serviceUrls: {},
    logLevel: 'warn',
  });
  execFileSync(process.execPath, [imagesService.setup.entry], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });
  const imagesPort = await freePort();
  const images = startLimitedProcess({
    name: 'cpu-bench-images',
    cmd: process.execPath,
    args: [imagesService.entry],
    env: { ...env, PORT: String(imagesPort), HOST: '127.0.0.1' },
  });
  stop.push(() => images.stop());
  const imagesUrl = `http://127.0.0.1:${imagesPort}`;
  await waitFor(async () => (await fetch(`${imagesUrl}/readyz`)).ok, { what: 'the images service' });

  const { secret, configs } = await benchConfigs();
  const names = chosenConfigs(values.configs, configs);
  if (values.baseline) {
    configs.baseline = { ...configs.default, main: resolve(values.baseline) };
    names.push('baseline');
  }
  const sides = [{ name: 'images', proc: images, url: imagesUrl, path: '/random?count=25', headers: {} }];
  for (const name of names) {
    const port = await freePort();
    const proc = startLimitedProcess({
      name: 'cpu-bench-gateway',
      cmd: process.execPath,
      // A config's own main (the control) is named relative to this folder; --baseline is absolute.
      args: [configs[name].main ? resolve(here, configs[name].main) : join(here, '..', 'dist', 'main.js')],
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        IMAGES_URL: imagesUrl,
        AUTH_URL: 'http://127.0.0.1:9', // not exercised by this benchmark
        JWT_SECRET: secret,
        ...configs[name].env,
      },
    });
    stop.push(() => proc.stop());
    const side = {
      name,
      proc,
      url: `http://127.0.0.1:${port}`,
      path: '/api/images/random?count=25',
      headers: configs[name].headers,
    };
    await waitFor(async () => (await fetch(`${side.url}${side.path}`, { headers: side.headers })).ok, {
      what: `the gateway (${name})`,
    });
    sides.push(side);
  }
  if (sides.some((s) => s.proc.cgroup?.cpuUsageNs() === undefined))
    say('WARNING: no cpuacct cgroup here: CPU read from /proc in 10 ms ticks');
  say(`warming up every process (JIT, pools): ${Math.min(seconds, 5)} s at ${rate} RPS each`);
  for (const side of sides)
    await runLocalPlateau({
      baseUrl: side.url,
      path: side.path,
      headers: side.headers,
      rate,
      durationSec: Math.min(seconds, 5),
    });

  const rows = [];
  const gateways = sides.slice(1);
  for (let round = 1; round <= Number(values.rounds); round++) {
    // Images alone first; then every gateway at once, each under its own k6 at the same rate, so
    // that whatever else the machine is doing at that moment weighs on all of them alike.
    const row = { images: await measure(sides[0]) };
    const perGateway = await Promise.all(gateways.map((side) => measure(side)));
    gateways.forEach((side, k) => (row[side.name] = perGateway[k]));
    rows.push(row);
    say(
      `round ${round}: CPU ms per request: ` +
        sides.map((s) => `${s.name} ${row[s.name].toFixed(3)}`).join(', ') +
        (row.baseline ? `; default / baseline ${(row.default / row.baseline).toFixed(2)}` : ''),
    );
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const i = median(rows.map((r) => r.images));
  say(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  say(
    `GET /random?count=25 at ${rate} RPS (k6, open loop), ${seconds} s x ${values.rounds} rounds, no CPU limit:`,
  );
  say(`  median CPU per request: images ${i.toFixed(3)} ms (at 0.25 CPU at most ${Math.floor(250 / i)} RPS)`);
  for (const name of names) {
    const g = median(rows.map((r) => r[name]));
    say(
      `  gateway ${name.padEnd(11)} ${g.toFixed(3)} ms (gateway / images = ${(g / i).toFixed(2)}; at 0.25 CPU at most ${Math.floor(250 / g)} RPS)`,
    );
  }
  if (values.baseline)
    say(
      `  default / baseline, median of the rounds' ratios: ${median(rows.map((r) => r.default / r.baseline)).toFixed(2)}`,
    );
} finally {
  while (stop.length > 0)
    await stop
      .pop()()
      .catch(() => undefined);
}
