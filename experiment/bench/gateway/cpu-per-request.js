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
// Options: --rate 200 (RPS per process measured), --seconds 10, --rounds 5, --configs default,cors+limit,auth=all,
// --baseline <another build's gateway dist/main.js> (e.g. a copy of main's build, for a before/after).
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runLocalPlateau } from '@laas/experiment';
import { benchConfigs, chosenConfigs } from './configs.js';
import { PATH_DIRECT, PATH_GATEWAY, cleanupList, startGatewayProcess, startSeededImages } from './stack.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
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

/** Runs one plateau against `side` and returns the CPU milliseconds per request. */
async function measure(side) {
  const before = cpuNs(side.proc);
  const plateau = await runLocalPlateau({
    baseUrl: side.url,
    path: side.path,
    headers: side.headers,
    rate,
    durationSec: seconds,
  });
  // Failed requests (timeouts when the machine is overloaded) cost CPU too: counted, and said.
  if (plateau.errorRate > 0.01)
    say(
      `  ${side.name}: ${(plateau.errorRate * 100).toFixed(1)}% errors in this plateau (machine overloaded?)`,
    );
  return (cpuNs(side.proc) - before) / 1e6 / plateau.requests;
}

const cleanup = cleanupList();
try {
  const images = await startSeededImages({ cleanup, db: 'laas_cpu_bench' });
  const { jwks, configs } = await benchConfigs();
  const names = chosenConfigs(values.configs, configs);
  if (values.baseline) {
    configs.baseline = { ...configs.default, main: resolve(values.baseline) };
    names.push('baseline');
  }
  const sides = [{ name: 'images', proc: images.process, url: images.url, path: PATH_DIRECT, headers: {} }];
  for (const name of names) {
    const config = configs[name];
    const { url, proc } = await startGatewayProcess({ cleanup, name, config, imagesUrl: images.url, jwks });
    sides.push({ name, proc, url, path: PATH_GATEWAY, headers: config.headers });
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
  // No capacity is derived from these figures: the CPU per request falls as the rate rises
  // (batching in the event loop), so a figure at 200 RPS says little about one at saturation.
  // Compare the ratios.
  say(`  median CPU per request: images ${i.toFixed(3)} ms`);
  for (const name of names) {
    const g = median(rows.map((r) => r[name]));
    say(`  gateway ${name.padEnd(11)} ${g.toFixed(3)} ms (gateway / images = ${(g / i).toFixed(2)})`);
  }
  if (values.baseline)
    say(
      `  default / baseline, median of the rounds' ratios: ${median(rows.map((r) => r.default / r.baseline)).toFixed(2)}`,
    );
} finally {
  await cleanup.stopAll();
}
