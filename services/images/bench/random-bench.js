// The images benchmark (`npm run bench -w @laas/images`, after `npm run build`): the max RPS of
// GET /random?count=25 with p99 < 300 ms and < 1% errors (k6 constant-arrival-rate plateaus, the
// experiment's search) for three servers, each ONE process in its own cgroup limited to 250m
// (a pod's `cpu: 250m`), started side by side in one run:
//   1. the images service (a seeded FerretDB, its catalog warm in memory),
//   2. a plain Express 5 app returning the same JSON from memory (express-server.js),
//   3. bare node:http returning the same JSON (bare-server.js).
// The searches are interleaved (images, Express, bare, then again), so a change in the load of
// this shared machine touches all three alike, and it prints the medians and the ratios
// images/Express and images/bare.
//
// Max RPS at a quota is only the quota's figure while the machine has CPU to spare: on a loaded
// machine the three processes get less than their quota and the search measures the machine.
// So every plateau also reads the CPU time the process used (utime + stime, /proc/<pid>/stat)
// per request answered, and the bench reports it at the highest passing plateau: a figure the
// machine's load moves much less, and the one the quota divides (250m / CPU per request = the
// max RPS the quota allows).
//
// Options: --cpu 250m, --repeats 3, --plateau 5 (seconds), --json <file> (write the figures).
// MONGO_URL: use that database (seeded first); default: start a FerretDB of our own.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { imagesService, parseCpuMillis, startLimitedProcess, startReplica } from '@laas/local';
import { findMaxRps, median } from '@laas/experiment';
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

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat (fields 14 and 15, in ticks of 1/100 s). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const cleanup = [];
const stopAll = async () => {
  while (cleanup.length > 0)
    await cleanup
      .pop()()
      .catch(() => undefined);
};

/** A baseline server in its own cgroup, on a free port, once it answers /readyz. */
async function startBaseline(name, script) {
  const port = await freePort();
  const proc = startLimitedProcess({
    name: `bench-${name}`,
    cmd: process.execPath,
    args: [join(here, script)],
    env: { PORT: String(port) },
    cpuMillis,
  });
  cleanup.push(() => proc.stop());
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/readyz`)).ok, { what: `the ${name} server` });
  return { name, url, process: proc };
}

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

  const replica = await startReplica({ spec: imagesService, name: 'bench-images', env, cpuMillis });
  cleanup.push(() => replica.stop());
  const servers = [
    { name: 'images', url: replica.url, process: replica.process },
    await startBaseline('express', 'express-server.js'),
    await startBaseline('bare', 'bare-server.js'),
  ];
  for (const server of servers)
    if (!server.process.limited)
      say(`WARNING: cgroups are not writable here: ${server.name} runs WITHOUT a CPU limit`);

  const results = Object.fromEntries(servers.map((s) => [s.name, []]));
  const cpu = Object.fromEntries(servers.map((s) => [s.name, []]));
  for (let repeat = 1; repeat <= repeats; repeat++) {
    for (const server of servers) {
      let cpuBefore = 0;
      const cpuByRate = new Map();
      const previous = results[server.name].at(-1);
      const run = await findMaxRps({
        url: server.url,
        startRps: previous?.maxRps || 1000,
        growth: previous?.maxRps ? 1.15 : 1.5,
        plateauSec,
        warmupSec: repeat === 1 ? 3 : 0,
        onStep: (step) => {
          const r = step.result;
          if (!r) {
            cpuBefore = cpuSeconds(server.process.pid);
            return;
          }
          const us = r.requests > 0 ? ((cpuSeconds(server.process.pid) - cpuBefore) * 1e6) / r.requests : 0;
          cpuByRate.set(r.rate, us);
          say(
            `${server.name.padEnd(7)} repeat ${repeat}/${repeats} step ${step.step}: ${r.rate} RPS offered -> ` +
              `${r.passed ? 'pass' : 'FAIL'} (p99 ${r.p99Ms.toFixed(1)} ms, errors ${(r.errorRate * 100).toFixed(2)}%, dropped ${r.dropped}, ${us.toFixed(0)} µs CPU per request)`,
          );
        },
      });
      results[server.name].push(run);
      cpu[server.name].push(cpuByRate.get(run.maxRps) ?? 0);
      say(
        `${server.name} repeat ${repeat}: max ${run.maxRps} RPS, ${(cpuByRate.get(run.maxRps) ?? 0).toFixed(0)} µs CPU per request there`,
      );
    }
  }

  const figures = Object.fromEntries(
    servers.map(({ name }) => {
      const runs = results[name].map((r) => r.maxRps);
      const us = cpu[name];
      return [
        name,
        {
          median: median(runs),
          min: Math.min(...runs),
          max: Math.max(...runs),
          runs,
          cpuUsPerRequest: { median: median(us), runs: us },
          // What the quota allows at that CPU cost: 250m = 250,000 µs of CPU per second.
          quotaRps: median(us) > 0 ? (cpuMillis * 1000) / median(us) : 0,
        },
      ];
    }),
  );
  const ratio = (a, b) => (figures[b].median > 0 ? figures[a].median / figures[b].median : 0);
  // The same ratio within each repeat (measured minutes apart at most), then their median.
  const perRepeat = (a, b) =>
    median(results[a].map((r, i) => (results[b][i].maxRps > 0 ? r.maxRps / results[b][i].maxRps : 0)));
  // CPU per request: the inverse ratio (cheaper is faster), Express's cost over images'.
  const cpuRatio = (a, b) =>
    figures[a].cpuUsPerRequest.median > 0
      ? figures[b].cpuUsPerRequest.median / figures[a].cpuUsPerRequest.median
      : 0;
  const ratios = {
    imagesOverExpress: ratio('images', 'express'),
    imagesOverBare: ratio('images', 'bare'),
    imagesOverExpressPerRepeat: perRepeat('images', 'express'),
    imagesOverBarePerRepeat: perRepeat('images', 'bare'),
    imagesOverExpressByCpu: cpuRatio('images', 'express'),
    imagesOverBareByCpu: cpuRatio('images', 'bare'),
  };
  say(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}; ` +
      `load average at the start ${loadAtStart.join(' / ')} (a shared machine: read the ratios)`,
  );
  say(
    `GET /random?count=25, one process each at ${cpuMillis}m CPU, p99 < 300 ms, errors < 1%, median of ${repeats}:`,
  );
  for (const { name } of servers) {
    const f = figures[name];
    say(
      `  ${name.padEnd(8)} max ${String(f.median).padStart(6)} RPS (runs ${f.runs.join(', ')}); ` +
        `${f.cpuUsPerRequest.median.toFixed(0)} µs CPU per request at the max (runs ${f.cpuUsPerRequest.runs.map((u) => u.toFixed(0)).join(', ')}) ` +
        `-> ${f.quotaRps.toFixed(0)} RPS at the quota`,
    );
  }
  say(
    `  max RPS:  images / Express = ${ratios.imagesOverExpress.toFixed(2)} (per repeat, median ${ratios.imagesOverExpressPerRepeat.toFixed(2)}); ` +
      `images / bare = ${ratios.imagesOverBare.toFixed(2)} (per repeat, median ${ratios.imagesOverBarePerRepeat.toFixed(2)})`,
  );
  say(
    `  CPU per request: images / Express = ${ratios.imagesOverExpressByCpu.toFixed(2)}; images / bare = ${ratios.imagesOverBareByCpu.toFixed(2)}`,
  );
  if (values.json) {
    const steps = (name) =>
      results[name].map((run) => ({
        maxRps: run.maxRps,
        steps: run.steps.map((step) =>
          Object.fromEntries(Object.entries(step).filter(([key]) => key !== 'summary')),
        ),
      }));
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
          limited: servers.every((s) => s.process.limited),
          figures,
          ratios,
          runs: Object.fromEntries(servers.map(({ name }) => [name, steps(name)])),
        },
        null,
        2,
      )}\n`,
    );
  }
} finally {
  await stopAll();
}
