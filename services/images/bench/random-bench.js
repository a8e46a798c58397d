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
// So every plateau also reads the CPU time the process used (utime + stime, /proc/<pid>/stat),
// and the bench reports, at each search's highest passing plateau, the CPU per request and the
// share of the quota used. A share near 100% says the quota was the limit; a low share says the
// machine was (then trust the CPU per request more than the RPS).
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
    signingKeyFile: 'unused-by-images',
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
      let before = { cpu: 0, at: 0 };
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
            before = { cpu: cpuSeconds(server.process.pid), at: performance.now() };
            return;
          }
          const seconds = (performance.now() - before.at) / 1000;
          const point = {
            rps: r.requests / seconds,
            cpuPerSec: (cpuSeconds(server.process.pid) - before.cpu) / seconds,
          };
          cpu[server.name].push(point);
          const us = r.requests > 0 ? (point.cpuPerSec * 1e6) / point.rps : 0;
          say(
            `${server.name.padEnd(7)} repeat ${repeat}/${repeats} step ${step.step}: ${r.rate} RPS offered -> ` +
              `${r.passed ? 'pass' : 'FAIL'} (p99 ${r.p99Ms.toFixed(1)} ms, errors ${(r.errorRate * 100).toFixed(2)}%, dropped ${r.dropped}, ${us.toFixed(0)} µs CPU per request)`,
          );
        },
      });
      results[server.name].push(run);
      say(`${server.name} repeat ${repeat}: max ${run.maxRps} RPS`);
    }
  }

  const figures = Object.fromEntries(
    servers.map(({ name }) => {
      const runs = results[name].map((r) => r.maxRps);
      // The plateaus of every search, in order (failed ones too), each with its CPU reading.
      const steps = results[name].flatMap((run) => run.steps);
      const atMax = results[name].map((run) => {
        const i = steps.findIndex((step) => step === run.atMax);
        const point = cpu[name][i];
        return point && point.rps > 0
          ? {
              usPerRequest: (point.cpuPerSec * 1e6) / point.rps,
              quotaShare: point.cpuPerSec / (cpuMillis / 1000),
            }
          : { usPerRequest: 0, quotaShare: 0 };
      });
      return [
        name,
        {
          median: median(runs),
          min: Math.min(...runs),
          max: Math.max(...runs),
          runs,
          atMax,
          usPerRequestAtMax: median(atMax.map((m) => m.usPerRequest)),
          quotaShareAtMax: median(atMax.map((m) => m.quotaShare)),
        },
      ];
    }),
  );
  const ratio = (a, b) => (figures[b].median > 0 ? figures[a].median / figures[b].median : 0);
  // The same ratio within each repeat (measured minutes apart at most), then their median.
  const perRepeat = (a, b) =>
    median(results[a].map((r, i) => (results[b][i].maxRps > 0 ? r.maxRps / results[b][i].maxRps : 0)));
  // By CPU: cheaper per request is faster at the same quota, so the inverse ratio of the costs.
  const cpuRatio = (a, b) =>
    figures[a].usPerRequestAtMax > 0 ? figures[b].usPerRequestAtMax / figures[a].usPerRequestAtMax : 0;
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
        `at the max ${f.usPerRequestAtMax.toFixed(0)} µs CPU per request, ${(f.quotaShareAtMax * 100).toFixed(0)}% of the quota used`,
    );
  }
  say(
    `  max RPS:  images / Express = ${ratios.imagesOverExpress.toFixed(2)} (per repeat, median ${ratios.imagesOverExpressPerRepeat.toFixed(2)}); ` +
      `images / bare = ${ratios.imagesOverBare.toFixed(2)} (per repeat, median ${ratios.imagesOverBarePerRepeat.toFixed(2)})`,
  );
  say(
    `  by CPU per request at the max (inverse): images / Express = ${ratios.imagesOverExpressByCpu.toFixed(2)}; ` +
      `images / bare = ${ratios.imagesOverBareByCpu.toFixed(2)}`,
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
