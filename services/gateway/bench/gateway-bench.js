// The gateway benchmark (`npm run bench -w @laas/gateway`, after `npm run build`): the max RPS
// of GET /random?count=25 with p99 < 300 ms and < 1% errors, in one run, two ways:
//   direct:  k6 -> images (0.25 CPU)
//   gateway: k6 -> gateway (0.25 CPU) -> images (0.25 CPU), as GET /api/images/random?count=25
// and their ratio gateway / direct (the target is >= 0.9: the gateway must not be the
// bottleneck the scaling thesis's gateway was). Both measurements use the same images process.
//
// Options: --cpu 250m, --repeats 3, --plateau 5 (seconds), --auth writes|none (GATEWAY_AUTH; the
// k6 plateau script sends no token, so "all" cannot be measured with it), --json <file>.
// MONGO_URL: use that database (seeded first); default: start a FerretDB of our own.
// Built on the experiment's pieces: startReplica / startLimitedProcess (@laas/local) for
// cgroup-limited processes and measureMaxRps (@laas/experiment) for the k6 max-RPS search.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { imagesService, parseCpuMillis, startLimitedProcess, startReplica } from '@laas/local';
import { measureMaxRps, median } from '@laas/experiment';
import { freePort, startMongo, waitFor } from '@laas/testbed';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    cpu: { type: 'string', default: '250m' },
    repeats: { type: 'string', default: '3' },
    plateau: { type: 'string', default: '5' },
    auth: { type: 'string', default: 'writes' },
    json: { type: 'string' },
  },
});
const cpuMillis = parseCpuMillis(values.cpu);
const repeats = Number(values.repeats);
const plateauSec = Number(values.plateau);
const say = (line) => process.stdout.write(`bench: ${line}\n`);
const PATH_DIRECT = '/random?count=25';
const PATH_GATEWAY = '/api/images/random?count=25';

const cleanup = [];
const stopAll = async () => {
  while (cleanup.length > 0)
    await cleanup
      .pop()()
      .catch(() => undefined);
};

try {
  let mongoUrl = process.env.MONGO_URL;
  if (!mongoUrl) {
    const mongo = await startMongo();
    cleanup.push(() => mongo.stop());
    mongoUrl = mongo.url;
  }
  const imagesEnv = imagesService.env({
    mongoUrl,
    mongoDb: process.env.MONGO_DB ?? 'laas_gateway_bench',
    serviceUrls: {},
    logLevel: 'warn',
  });
  execFileSync(process.execPath, [imagesService.setup.entry], {
    env: { ...process.env, ...imagesEnv },
    stdio: 'ignore',
  });
  const images = await startReplica({ spec: imagesService, name: 'bench-images', env: imagesEnv, cpuMillis });
  cleanup.push(() => images.stop());

  const secret = randomBytes(32).toString('hex');
  const gatewayPort = await freePort();
  const gateway = startLimitedProcess({
    name: 'bench-gateway',
    cmd: process.execPath,
    args: [join(here, '..', 'dist', 'main.js')],
    env: {
      PORT: String(gatewayPort),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      IMAGES_URL: images.url,
      AUTH_URL: 'http://127.0.0.1:9', // not exercised by this benchmark
      GATEWAY_AUTH: values.auth,
      JWT_SECRET: secret,
    },
    cpuMillis,
  });
  cleanup.push(() => gateway.stop());
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  await waitFor(async () => (await fetch(`${gatewayUrl}/readyz`)).ok, { what: 'the gateway' });
  if (!images.process.limited || !gateway.limited)
    say('WARNING: cgroups are not writable here: the processes run WITHOUT a CPU limit');

  // The two searches alternate (direct, gateway, direct, gateway, ...) so that a change in the
  // machine's other load during the run affects both sides alike. Each later search starts at
  // the previous result of the same side with a small growth factor (1.15), as measureMaxRps
  // does for its own repeats.
  const search = async (name, round, url, path, previous, startRps) => {
    const narrowed = previous !== undefined && previous.median > 0;
    const result = await measureMaxRps({
      url,
      path,
      startRps: narrowed ? previous.median : startRps,
      growth: narrowed ? 1.15 : undefined,
      plateauSec,
      repeats: 1,
      warmupSec: round === 1 ? 3 : 0,
      onStep: (step) => {
        if (!step.result) return;
        const r = step.result;
        say(
          `${name} round ${round}/${repeats} step ${step.step}: ${r.rate} RPS offered -> ` +
            `${r.passed ? 'pass' : 'FAIL'} (p99 ${r.p99Ms.toFixed(1)} ms, errors ${(r.errorRate * 100).toFixed(2)}%, dropped ${r.dropped})`,
        );
      },
    });
    return result.runs[0];
  };
  const directRuns = [];
  const gatewayRuns = [];
  for (let round = 1; round <= repeats; round++) {
    const lastDirect = directRuns.at(-1);
    directRuns.push(
      await search(
        'images direct',
        round,
        images.url,
        PATH_DIRECT,
        lastDirect && { median: lastDirect.maxRps },
        300,
      ),
    );
    const lastGateway = gatewayRuns.at(-1);
    const start = Math.max(20, Math.round(directRuns.at(-1).maxRps * 0.9));
    gatewayRuns.push(
      await search(
        'through gateway',
        round,
        gatewayUrl,
        PATH_GATEWAY,
        lastGateway && { median: lastGateway.maxRps },
        start,
      ),
    );
  }
  const summarise = (runs) => {
    const values = runs.map((r) => r.maxRps);
    const mid = median(values);
    return {
      median: mid,
      min: Math.min(...values),
      max: Math.max(...values),
      runs,
      medianRun: [...runs].sort((a, b) => Math.abs(a.maxRps - mid) - Math.abs(b.maxRps - mid))[0],
    };
  };
  const direct = summarise(directRuns);
  const through = summarise(gatewayRuns);
  const ratio = direct.median > 0 ? through.median / direct.median : 0;

  const describe = (r) =>
    `${r.median} RPS (median of ${r.runs.length}; min ${r.min}, max ${r.max}; p99 at max ${r.medianRun.atMax?.p99Ms.toFixed(1) ?? '-'} ms)`;
  say(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (other work on the machine skews both figures)`,
  );
  say(
    `GET ${PATH_DIRECT}, p99 < 300 ms, errors < 1%, each process at ${cpuMillis}m CPU, GATEWAY_AUTH=${values.auth}:`,
  );
  say(`  images alone              ${describe(direct)}`);
  say(`  gateway -> images         ${describe(through)}`);
  say(`  ratio gateway / direct = ${ratio.toFixed(2)} (target >= 0.90)`);
  if (values.json) {
    const strip = (r) => ({
      median: r.median,
      min: r.min,
      max: r.max,
      runs: r.runs.map((run) => ({
        maxRps: run.maxRps,
        steps: run.steps.map((step) => ({ ...step, summary: undefined })),
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
            node: process.version,
            loadavg: os.loadavg(),
          },
          cpuMillis,
          gatewayAuth: values.auth,
          limited: images.process.limited && gateway.limited,
          direct: strip(direct),
          gateway: strip(through),
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
