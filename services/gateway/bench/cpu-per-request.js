// CPU cost per request of the gateway beside the images service (`npm run bench:cpu -w
// @laas/gateway`, after `npm run build`). Where the max-RPS benchmark (gateway-bench.js) needs a
// quiet machine, this one does not: it counts the CPU time each process spends (utime + stime
// from /proc/<pid>/stat, Linux only) over N requests, which other work on the machine barely
// changes. The gateway can keep up with images when its CPU per request is below images' own.
//
// One gateway process per configuration of bench/configs.js (default, cors+limit, auth=all).
//
// Options: --requests 3000, --concurrency 8, --rounds 3, --configs default,cors+limit,auth=all,
// --baseline <another build's gateway dist/main.js> (measured side by side in the default
// configuration, e.g. the main branch's build, for a before/after).
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, startMongo, waitFor } from '@laas/testbed';
import { benchConfigs, chosenConfigs } from './configs.js';

const here = dirname(fileURLToPath(import.meta.url));
const services = join(here, '..', '..');
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    configs: { type: 'string', default: 'default,cors+limit,auth=all' },
    baseline: { type: 'string' },
  },
});
const requests = Number(values.requests);
const concurrency = Number(values.concurrency);
const say = (line) => process.stdout.write(`bench: ${line}\n`);
const TICK_MS = 1000 / 100; // USER_HZ is 100 on Linux

/** CPU milliseconds (user + system) a process has used so far. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

async function load(url, headers = {}) {
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent++ < requests) {
        const res = await fetch(url, { headers });
        if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
}

const children = [];
let mongo;
try {
  mongo = await startMongo();
  const env = {
    ...process.env,
    MONGO_URL: mongo.url,
    MONGO_DB: 'laas_cpu_bench',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
  };
  execFileSync(process.execPath, [join(services, 'images', 'dist', 'seed.js')], { env, stdio: 'ignore' });
  const imagesPort = await freePort();
  const images = spawn(process.execPath, [join(services, 'images', 'dist', 'main.js')], {
    env: { ...env, PORT: String(imagesPort) },
    stdio: 'ignore',
  });
  children.push(images);
  const { secret, configs: CONFIGS } = await benchConfigs();
  const names = chosenConfigs(values.configs, CONFIGS);
  if (values.baseline) {
    CONFIGS.baseline = { ...CONFIGS.default, main: values.baseline };
    names.push('baseline');
  }
  const gateways = {};
  for (const name of names) {
    const port = await freePort();
    const main = CONFIGS[name].main ?? join(services, 'gateway', 'dist', 'main.js');
    const child = spawn(process.execPath, [main], {
      env: {
        ...env,
        PORT: String(port),
        IMAGES_URL: `http://127.0.0.1:${imagesPort}`,
        JWT_SECRET: secret,
        ...CONFIGS[name].env,
      },
      stdio: 'ignore',
    });
    children.push(child);
    const url = `http://127.0.0.1:${port}/api/images/random?count=25`;
    await waitFor(async () => (await fetch(url, { headers: CONFIGS[name].headers })).ok, {
      what: `images and the gateway (${name})`,
    });
    await load(url, CONFIGS[name].headers); // warm-up: JIT, pools, caches
    gateways[name] = { child, url };
  }
  const direct = `http://127.0.0.1:${imagesPort}/random?count=25`;
  await load(direct);

  const rows = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    const before = cpuMs(images.pid);
    await load(direct);
    const row = { imagesAlone: (cpuMs(images.pid) - before) / requests };
    for (const name of names) {
      const { child, url } = gateways[name];
      const gatewayBefore = cpuMs(child.pid);
      await load(url, CONFIGS[name].headers);
      row[name] = (cpuMs(child.pid) - gatewayBefore) / requests;
    }
    rows.push(row);
    say(
      `round ${round}: images ${row.imagesAlone.toFixed(3)} ms CPU/request; gateway ` +
        names.map((n) => `${n} ${row[n].toFixed(3)}`).join(', '),
    );
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const i = median(rows.map((r) => r.imagesAlone));
  say(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  say(`GET /random?count=25, ${requests} requests x ${values.rounds} rounds, ${concurrency} concurrent:`);
  say(`  median CPU per request: images ${i.toFixed(3)} ms (at 0.25 CPU at most ${Math.floor(250 / i)} RPS)`);
  for (const name of names) {
    const g = median(rows.map((r) => r[name]));
    say(
      `  gateway ${name.padEnd(11)} ${g.toFixed(3)} ms (gateway / images = ${(g / i).toFixed(2)}; at 0.25 CPU at most ${Math.floor(250 / g)} RPS)`,
    );
  }
} finally {
  for (const child of children) child.kill('SIGTERM');
  await mongo?.stop();
}
