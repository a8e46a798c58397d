// CPU cost per request of the gateway beside the images service (`npm run bench:cpu -w
// @laas/gateway`, after `npm run build`). Where the max-RPS benchmark (gateway-bench.js) needs a
// quiet machine, this one does not: it counts the CPU time each process spends (utime + stime
// from /proc/<pid>/stat, Linux only) over N requests, which other work on the machine barely
// changes. The gateway can keep up with images when its CPU per request is below images' own.
//
// Options: --requests 3000, --concurrency 8, --rounds 3, --auth none|writes.
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, startMongo, waitFor } from '@laas/testbed';

const here = dirname(fileURLToPath(import.meta.url));
const services = join(here, '..', '..');
const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    auth: { type: 'string', default: 'writes' },
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

async function load(url) {
  let sent = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent++ < requests) {
        const res = await fetch(url);
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
  const gatewayPort = await freePort();
  const images = spawn(process.execPath, [join(services, 'images', 'dist', 'main.js')], {
    env: { ...env, PORT: String(imagesPort) },
    stdio: 'ignore',
  });
  children.push(images);
  const gateway = spawn(process.execPath, [join(services, 'gateway', 'dist', 'main.js')], {
    env: {
      ...env,
      PORT: String(gatewayPort),
      IMAGES_URL: `http://127.0.0.1:${imagesPort}`,
      GATEWAY_AUTH: values.auth,
      JWT_SECRET: randomBytes(32).toString('hex'),
    },
    stdio: 'ignore',
  });
  children.push(gateway);
  const direct = `http://127.0.0.1:${imagesPort}/random?count=25`;
  const through = `http://127.0.0.1:${gatewayPort}/api/images/random?count=25`;
  await waitFor(async () => (await fetch(through)).ok, { what: 'images and gateway' });
  await load(through); // warm-up: JIT, pools, caches

  const rows = [];
  for (let round = 1; round <= Number(values.rounds); round++) {
    let before = cpuMs(images.pid);
    await load(direct);
    const imagesAlone = (cpuMs(images.pid) - before) / requests;
    before = cpuMs(images.pid);
    const gatewayBefore = cpuMs(gateway.pid);
    await load(through);
    const imagesBehind = (cpuMs(images.pid) - before) / requests;
    const gatewayCost = (cpuMs(gateway.pid) - gatewayBefore) / requests;
    rows.push({ imagesAlone, imagesBehind, gatewayCost });
    say(
      `round ${round}: images alone ${imagesAlone.toFixed(3)} ms CPU/request; through the gateway: ` +
        `images ${imagesBehind.toFixed(3)}, gateway ${gatewayCost.toFixed(3)} ms CPU/request`,
    );
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const g = median(rows.map((r) => r.gatewayCost));
  const i = median(rows.map((r) => r.imagesAlone));
  say(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, load average ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  say(
    `GET /random?count=25, ${requests} requests x ${values.rounds} rounds, ${concurrency} concurrent, GATEWAY_AUTH=${values.auth}:`,
  );
  say(
    `  median CPU per request: images ${i.toFixed(3)} ms, gateway ${g.toFixed(3)} ms (gateway / images = ${(g / i).toFixed(2)})`,
  );
  say(
    `  at 0.25 CPU that is at most ${Math.floor(250 / i)} RPS for images and ${Math.floor(250 / g)} RPS for the gateway`,
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await mongo?.stop();
}
