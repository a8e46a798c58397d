// The images benchmark (`npm run bench -w @laas/images`, after `npm run build`):
// the max RPS of GET /random?count=25 with p99 < 300 ms and < 1% errors, for ONE images process
// limited to 0.25 CPU (a pod's `cpu: 250m`, a cgroup CFS quota), beside a bare node:http server
// returning the same JSON under the same limit, in the same run. Prints both and their ratio:
// how much of the quarter-core budget Express, validation, metrics and the database round trip
// take compared with Node's HTTP stack alone.
//
// Options: --cpu 250m, --repeats 3, --plateau 5 (seconds), --json <file> (write the figures).
// MONGO_URL: use that database (seeded first); default: start a FerretDB of our own.
// Built on the experiment's pieces: startLimitedProcess (@laas/local) and measureMaxRps
// (@laas/experiment), the same ones the scaling experiment uses.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { imagesService, parseCpuMillis, startLimitedProcess, startReplica } from '@laas/local';
import { measureMaxRps } from '@laas/experiment';
import { freePort, startMongo, waitFor } from '@laas/testbed';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    cpu: { type: 'string', default: '250m' },
    repeats: { type: 'string', default: '3' },
    plateau: { type: 'string', default: '5' },
    json: { type: 'string' },
  },
});
const cpuMillis = parseCpuMillis(values.cpu);
const repeats = Number(values.repeats);
const plateauSec = Number(values.plateau);
const say = (line) => process.stdout.write(`bench: ${line}\n`);

const cleanup = [];
const stopAll = async () => {
  while (cleanup.length > 0)
    await cleanup
      .pop()()
      .catch(() => undefined);
};

const loadAtStart = os.loadavg().map((v) => Number(v.toFixed(2)));
try {
  let mongoUrl = process.env.MONGO_URL;
  if (!mongoUrl) {
    const mongo = await startMongo();
    cleanup.push(() => mongo.stop());
    mongoUrl = mongo.url;
  }
  const env = imagesService.env({
    mongoUrl,
    mongoDb: process.env.MONGO_DB ?? 'laas_bench',
    serviceUrls: {},
    jwtSecret: 'unused-by-images',
    logLevel: 'warn',
  });
  execFileSync(process.execPath, [imagesService.setup.entry], {
    env: { ...process.env, ...env },
    stdio: 'ignore',
  });

  const images = await startReplica({ spec: imagesService, name: 'bench-images', env, cpuMillis });
  cleanup.push(() => images.stop());
  const barePort = await freePort();
  const bare = startLimitedProcess({
    name: 'bench-bare',
    cmd: process.execPath,
    args: [join(here, 'bare-server.js')],
    env: { PORT: String(barePort) },
    cpuMillis,
  });
  cleanup.push(() => bare.stop());
  const bareUrl = `http://127.0.0.1:${barePort}`;
  await waitFor(async () => (await fetch(`${bareUrl}/readyz`)).ok, { what: 'the bare server' });
  if (!images.process.limited)
    say('WARNING: cgroups are not writable here: both servers run WITHOUT a CPU limit');

  const measure = (name, url, startRps) =>
    measureMaxRps({
      url,
      startRps,
      plateauSec,
      repeats,
      warmupSec: 3,
      onRepeatStep: (repeat, step) => {
        if (step.result) {
          const r = step.result;
          say(
            `${name} repeat ${repeat}/${repeats} step ${step.step}: ${r.rate} RPS offered -> ` +
              `${r.passed ? 'pass' : 'FAIL'} (p99 ${r.p99Ms.toFixed(1)} ms, errors ${(r.errorRate * 100).toFixed(2)}%, dropped ${r.dropped})`,
          );
        }
      },
    });

  const imagesResult = await measure('images', images.url, 100);
  const bareResult = await measure('bare node:http', bareUrl, 1000);
  const ratio = imagesResult.median > 0 ? bareResult.median / imagesResult.median : Infinity;

  const describe = (r) =>
    `${r.median} RPS (median of ${r.runs.length}; min ${r.min}, max ${r.max}; p99 at max ${r.medianRun.atMax?.p99Ms.toFixed(1) ?? '-'} ms)`;
  say(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}; load average at the start ${loadAtStart.join(' / ')}`,
  );
  say(`GET /random?count=25, one process at ${cpuMillis}m CPU, p99 < 300 ms, errors < 1%:`);
  say(`  images service   ${describe(imagesResult)}`);
  say(`  bare node:http   ${describe(bareResult)}`);
  say(`  ratio bare / images = ${ratio.toFixed(2)}`);
  if (values.json) {
    const strip = (r) => ({
      median: r.median,
      min: r.min,
      max: r.max,
      runs: r.runs.map((run) => ({
        maxRps: run.maxRps,
        steps: run.steps.map((step) =>
          Object.fromEntries(Object.entries(step).filter(([key]) => key !== 'summary')),
        ),
      })),
    });
    writeFileSync(
      values.json,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: {
            cpu: os.cpus()[0]?.model,
            cores: os.cpus().length,
            memoryBytes: os.totalmem(),
            node: process.version,
          },
          loadAverageAtStart: loadAtStart,
          cpuMillis,
          limited: images.process.limited,
          images: strip(imagesResult),
          bare: strip(bareResult),
          ratio,
        },
        null,
        2,
      )}\n`,
    );
  }
} finally {
  await stopAll();
}
