// The images benchmark (`npm run bench:images -w @laas/experiment`, after `npm run build`): the max RPS of
// GET /random?count=25 with p99 < 300 ms and < 1% errors (k6 constant-arrival-rate plateaus, the
// experiment's search) for three servers returning the same bytes, each ONE process in its own
// cgroup limited to 250m (a pod's `cpu: 250m`), started side by side in one run:
//   1. the images service (a seeded FerretDB, its catalog warm in memory),
//   2. a plain Express 5 app returning the same JSON and headers from memory (express-server.js),
//   3. bare node:http doing the same (bare-server.js): the floor.
// Before measuring it checks that the three answer alike: the same header names and values
// (but the request id and the date), 25 distinct URLs from the same 100.
//
// Every server first gets an unjudged warm-up plateau (its JIT and connections warm). The
// searches then alternate (images, Express, bare, and again), so a change in the load of this
// shared machine touches all three alike. A failed plateau is confirmed once, after the server
// has drained its backlog, before it caps a search: on a shared machine one plateau can fail
// because something else ran, and a single failure would set the max.
//
// Max RPS at a quota is only the quota's figure while the machine has CPU to spare: on a loaded
// machine the processes get less than their quota and the search measures the machine. So every
// plateau also reads the CPU time the process used (utime + stime, /proc/<pid>/stat), and the
// bench reports, at each search's highest passing plateau, the CPU per request and the share of
// the quota used. A share near 100% says the quota was the limit; a low share says the machine was
// (then trust the CPU per request more than the RPS).
//
// Options: --cpu 250m, --repeats 3, --plateau 5 (seconds), --warmup 5 (seconds),
// --json <file> (write the figures). MONGO_URL: use that database (seeded first); default: start a
// FerretDB of our own.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { imagesService, parseCpuMillis, startLimitedProcess, startReplica } from '@laas/local';
import { findMaxRps, median, runLocalPlateau, waitUntilResponsive } from '@laas/experiment';
import { freePort, startMongo, waitFor } from '@laas/testbed';
import { URLS } from './sample-urls.js';

/** The original LaaS images-service at 250m on this machine kind (DESIGN.md): a reference, not measured here. */
const ORIGINAL_LAAS_RPS = 533;
const PATH = '/random?count=25';

const here = dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    cpu: { type: 'string', default: '250m' },
    repeats: { type: 'string', default: '3' },
    plateau: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '5' },
    json: { type: 'string' },
  },
});
const cpuMillis = parseCpuMillis(values.cpu);
const repeats = Number(values.repeats);
const plateauSec = Number(values.plateau);
const warmupSec = Number(values.warmup);
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

/**
 * Checks that the servers return the same bytes: the same headers (names and values, but the
 * request id's value and the date) and 25 distinct URLs of the same catalog. Throws otherwise.
 */
async function checkSameAnswers(servers) {
  const catalog = new Set(URLS);
  const shapes = [];
  for (const server of servers) {
    const lengths = [];
    let headers = '';
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${server.url}${PATH}`);
      const text = await res.text();
      const { message } = JSON.parse(text);
      const strange = message.filter((url) => !catalog.has(url));
      if (res.status !== 200 || message.length !== 25 || new Set(message).size !== 25 || strange.length > 0)
        throw new Error(
          `${server.name} answered ${res.status} with ${message.length} URLs, e.g. ${strange[0]}`,
        );
      lengths.push(Buffer.byteLength(text));
      headers = [...res.headers]
        .filter(([name]) => name !== 'date')
        .map(
          ([name, value]) =>
            `${name}: ${name === 'x-request-id' ? value.replace(/[0-9a-f]/g, 'x') : name === 'content-length' ? 'N' : value}`,
        )
        .sort()
        .join(', ');
    }
    shapes.push({
      name: server.name,
      headers,
      meanBytes: lengths.reduce((a, b) => a + b, 0) / lengths.length,
    });
  }
  for (const shape of shapes.slice(1))
    if (shape.headers !== shapes[0].headers)
      throw new Error(
        `different headers:\n  ${shapes[0].name}: ${shapes[0].headers}\n  ${shape.name}: ${shape.headers}`,
      );
  say(`same answers: headers [${shapes[0].headers}]; 25 distinct URLs of the same ${URLS.length}`);
  say(`  mean body bytes: ${shapes.map((s) => `${s.name} ${s.meanBytes.toFixed(0)}`).join(', ')}`);
}

/**
 * The plateau runner of one server's searches: k6 at the rate, the process's CPU read around
 * it, and a failed plateau confirmed once after the server has drained its backlog. Every
 * attempt is logged and kept (`attempts`), with the CPU it cost.
 */
function confirmingRunner(server, attempts, label) {
  const attempt = async (options) => {
    const cpuBefore = cpuSeconds(server.process.pid);
    const started = performance.now();
    const result = await runLocalPlateau(options);
    const seconds = (performance.now() - started) / 1000;
    const cpu = cpuSeconds(server.process.pid) - cpuBefore;
    const point = { result, rps: result.requests / seconds, cpuPerSec: cpu / seconds };
    attempts.push(point);
    const us = result.requests > 0 ? (cpu * 1e6) / result.requests : 0;
    say(
      `${server.name.padEnd(7)} ${label()} ${options.rate} RPS -> ${result.passed ? 'pass' : 'FAIL'} ` +
        `(p99 ${result.p99Ms.toFixed(1)} ms, errors ${(result.errorRate * 100).toFixed(2)}%, dropped ${result.dropped}, ` +
        `${us.toFixed(0)} µs CPU per request, ${(((point.cpuPerSec * 1000) / cpuMillis) * 100).toFixed(0)}% of the quota)`,
    );
    return result;
  };
  return async (options) => {
    const first = await attempt(options);
    if (first.passed) return first;
    await sleep(2000);
    await waitUntilResponsive(`${server.url}${PATH}`);
    say(`${server.name.padEnd(7)} confirming the failure at ${options.rate} RPS`);
    return attempt(options);
  };
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
  await checkSameAnswers(servers);

  for (const server of servers) {
    say(`${server.name}: warm-up, ${warmupSec} s at 500 RPS (not judged)`);
    await runLocalPlateau({ baseUrl: server.url, path: PATH, rate: 500, durationSec: warmupSec });
    await waitUntilResponsive(`${server.url}${PATH}`);
  }

  const results = Object.fromEntries(servers.map((s) => [s.name, []]));
  const attempts = Object.fromEntries(servers.map((s) => [s.name, []]));
  for (let repeat = 1; repeat <= repeats; repeat++) {
    for (const server of servers) {
      const previous = results[server.name].at(-1);
      let step = 0;
      const run = await findMaxRps({
        url: server.url,
        path: PATH,
        startRps: previous?.maxRps || 1000,
        growth: previous?.maxRps ? 1.15 : 1.5,
        plateauSec,
        runPlateau: confirmingRunner(
          server,
          attempts[server.name],
          () => `repeat ${repeat}/${repeats} step ${step}:`,
        ),
        onStep: (s) => {
          if (!s.result) step = s.step;
        },
      });
      results[server.name].push(run);
      say(`${server.name} repeat ${repeat}: max ${run.maxRps} RPS`);
    }
  }

  const figures = Object.fromEntries(
    servers.map(({ name }) => {
      const runs = results[name].map((r) => r.maxRps);
      const atMax = results[name].map((run) => {
        const point = attempts[name].find((a) => a.result === run.atMax);
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
    imagesOverBare: ratio('images', 'bare'),
    imagesOverExpress: ratio('images', 'express'),
    imagesOverBarePerRepeat: perRepeat('images', 'bare'),
    imagesOverExpressPerRepeat: perRepeat('images', 'express'),
    imagesOverBareByCpu: cpuRatio('images', 'bare'),
    imagesOverExpressByCpu: cpuRatio('images', 'express'),
    imagesOverOriginalLaas: figures.images.median / ORIGINAL_LAAS_RPS,
  };
  const loadAtEnd = os.loadavg().map((v) => Number(v.toFixed(2)));
  say(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}; ` +
      `load average at the start ${loadAtStart.join(' / ')}, at the end ${loadAtEnd.join(' / ')} (1/5/15 min)`,
  );
  say(`GET ${PATH}, one process each at ${cpuMillis}m CPU, p99 < 300 ms, errors < 1%, median of ${repeats}:`);
  for (const { name } of servers) {
    const f = figures[name];
    say(
      `  ${name.padEnd(8)} max ${String(f.median).padStart(6)} RPS (runs ${f.runs.join(', ')}); ` +
        `at the max ${f.usPerRequestAtMax.toFixed(0)} µs CPU per request (runs ${f.atMax.map((m) => m.usPerRequest.toFixed(0)).join(', ')}), ` +
        `${(f.quotaShareAtMax * 100).toFixed(0)}% of the quota used`,
    );
  }
  say(
    `  images / bare    = ${ratios.imagesOverBare.toFixed(2)} by max RPS (per repeat, median ${ratios.imagesOverBarePerRepeat.toFixed(2)}), ` +
      `${ratios.imagesOverBareByCpu.toFixed(2)} by CPU per request (inverse)`,
  );
  say(
    `  images / Express = ${ratios.imagesOverExpress.toFixed(2)} by max RPS (per repeat, median ${ratios.imagesOverExpressPerRepeat.toFixed(2)}), ` +
      `${ratios.imagesOverExpressByCpu.toFixed(2)} by CPU per request (inverse)`,
  );
  say(
    `  images / the original LaaS images-service's ${ORIGINAL_LAAS_RPS} RPS (a reference from another run, not measured here) = ` +
      `${ratios.imagesOverOriginalLaas.toFixed(2)}`,
  );
  if (values.json) {
    const steps = (name) =>
      results[name].map((run) => ({
        maxRps: run.maxRps,
        stoppedBecause: run.stoppedBecause,
        steps: run.steps.map((s) =>
          Object.fromEntries(Object.entries(s).filter(([key]) => key !== 'summary')),
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
          loadAverageAtEnd: loadAtEnd,
          cpuMillis,
          limited: servers.every((s) => s.process.limited),
          figures,
          ratios,
          attempts: Object.fromEntries(
            servers.map(({ name }) => [
              name,
              attempts[name].map((a) => ({
                rate: a.result.rate,
                passed: a.result.passed,
                p99Ms: a.result.p99Ms,
                rps: a.rps,
                cpuPerSec: a.cpuPerSec,
              })),
            ]),
          ),
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
