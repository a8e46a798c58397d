// The images service with a large catalog (`npm run bench:images:million -w @laas/experiment`, after
// `npm run build`): bulk-loads N images (default 1,000,000) into a FerretDB of our own through
// the service's own insert path, then starts two images replicas side by side, each in its own
// cgroup at 250m: one on the 100-llama catalog, one on the N-image catalog. Reports the bulk
// insert time, how long the large replica takes to load its catalog (spawn to ready), its
// resident memory, and the max RPS of GET /random?count=25 of both (interleaved searches,
// median of --repeats), so the ratio shows what the catalog's size costs per request.
//
// Options: --images 1000000, --cpu 250m, --repeats 3, --plateau 5, --json <file>.
import { readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { MongoClient } from 'mongodb';
import { createLogger } from '@laas/shared';
import { ImageCatalog, ImageStore } from '@laas/images';
import { imagesService, parseCpuMillis, startReplica } from '@laas/local';
import { findMaxRps, median } from '@laas/experiment';
import { startMongo } from '@laas/testbed';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '1000000' },
    cpu: { type: 'string', default: '250m' },
    repeats: { type: 'string', default: '3' },
    plateau: { type: 'string', default: '5' },
    json: { type: 'string' },
  },
});
const total = Number(values.images);
const cpuMillis = parseCpuMillis(values.cpu);
const repeats = Number(values.repeats);
const say = (line) => process.stdout.write(`million: ${line}\n`);
const rssMb = (pid) => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) / 1024;
};

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (ticks of 1/100 s). */
const cpuSeconds = (pid) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const stop = [];
try {
  const mongo = await startMongo();
  stop.push(() => mongo.stop());
  const env = (db) =>
    imagesService.env({
      mongoUrl: mongo.url,
      mongoDb: db,
      serviceUrls: {},
      signingKeyFile: 'unused',
      logLevel: 'info',
    });

  // 1. The bulk load, through ImageStore.insert (what seed and uploads use), 10,000 per batch.
  const client = new MongoClient(mongo.url);
  const store = new ImageStore(client.db('laas_million'));
  await store.ensureIndexes();
  const writer = new ImageCatalog({
    store,
    logger: createLogger('million', 'silent'),
    refreshMs: 1000,
    memoryBudgetBytes: 0,
    now: Date.now,
  });
  const insertStarted = performance.now();
  const chunk = 100_000;
  for (let from = 0; from < total; from += chunk) {
    const urls = Array.from(
      { length: Math.min(chunk, total - from) },
      (_, i) => `https://llamas.laas.example/images/generated/llama-${String(from + i).padStart(7, '0')}.jpg`,
    );
    await writer.seed(urls, new Date());
    const seconds = (performance.now() - insertStarted) / 1000;
    say(
      `inserted ${from + urls.length} images in ${seconds.toFixed(1)} s (${((from + urls.length) / seconds).toFixed(0)}/s)`,
    );
  }
  const insertSeconds = (performance.now() - insertStarted) / 1000;
  await client.close();
  execFileSync(process.execPath, [imagesService.setup.entry], {
    env: { ...process.env, ...env('laas_small') },
    stdio: 'ignore',
  });

  // 2. The replicas: spawn to ready is the catalog's load (the service listens at once, and
  // readiness waits for the catalog).
  const loadStarted = performance.now();
  const large = await startReplica({
    spec: imagesService,
    name: 'million-large',
    env: env('laas_million'),
    cpuMillis,
    readyTimeoutMs: 900_000,
  });
  stop.push(() => large.stop());
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  // The replica's own share of the load (decoding the documents, filling the table); the rest
  // of the wall time is the database's scan, and the machine's other work.
  const loadCpuSeconds = cpuSeconds(large.process.pid);
  const small = await startReplica({
    spec: imagesService,
    name: 'million-small',
    env: env('laas_small'),
    cpuMillis,
  });
  stop.push(() => small.stop());
  const rssAfterLoad = { large: rssMb(large.process.pid), small: rssMb(small.process.pid) };
  say(
    `large replica ready in ${loadSeconds.toFixed(1)} s (${loadCpuSeconds.toFixed(1)} s of its own CPU); RSS ${rssAfterLoad.large.toFixed(0)} MB (small: ${rssAfterLoad.small.toFixed(0)} MB)`,
  );
  const loadedLine = large.process
    .logTail(50)
    .split('\n')
    .find((l) => l.includes('catalog loaded'));
  if (loadedLine) say(`large replica log: ${loadedLine}`);

  // 3. Max RPS of both, interleaved.
  const runs = { small: [], large: [] };
  for (let repeat = 1; repeat <= repeats; repeat++) {
    for (const [name, replica] of [
      ['small', small],
      ['large', large],
    ]) {
      const previous = runs[name].at(-1);
      const run = await findMaxRps({
        url: replica.url,
        startRps: previous || 1000,
        growth: previous ? 1.15 : 1.5,
        plateauSec: Number(values.plateau),
        warmupSec: repeat === 1 ? 3 : 0,
      });
      runs[name].push(run.maxRps);
      say(`${name} repeat ${repeat}: max ${run.maxRps} RPS`);
    }
  }
  const rssAfterLoadTest = { large: rssMb(large.process.pid), small: rssMb(small.process.pid) };
  const figures = {
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      node: process.version,
      loadAverage: os.loadavg(),
    },
    images: total,
    cpuMillis,
    bulkInsertSeconds: insertSeconds,
    catalogLoadSeconds: loadSeconds,
    catalogLoadReplicaCpuSeconds: loadCpuSeconds,
    rssMb: { afterLoad: rssAfterLoad, afterLoadTest: rssAfterLoadTest },
    maxRps: { small: median(runs.small), large: median(runs.large), runs },
    ratioLargeOverSmall: median(runs.small) > 0 ? median(runs.large) / median(runs.small) : 0,
  };
  say(
    `${total.toLocaleString('en')} images on FerretDB: bulk insert ${insertSeconds.toFixed(1)} s, replica load ${loadSeconds.toFixed(1)} s`,
  );
  say(
    `resident memory per replica: ${rssAfterLoadTest.large.toFixed(0)} MB with ${total.toLocaleString('en')} images, ${rssAfterLoadTest.small.toFixed(0)} MB with 100`,
  );
  say(
    `max RPS at ${cpuMillis}m, median of ${repeats}: ${figures.maxRps.large} with ${total.toLocaleString('en')} images, ${figures.maxRps.small} with 100 (ratio ${figures.ratioLargeOverSmall.toFixed(2)})`,
  );
  if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
} finally {
  while (stop.length > 0)
    await stop
      .pop()()
      .catch(() => undefined);
}
