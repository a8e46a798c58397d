// The gateway benchmark (`npm run bench:gateway -w @laas/experiment`, after `npm run build`): the max RPS
// of GET /random?count=25 with p99 < 300 ms and < 1% errors, in one run, side by side:
//   direct:  k6 -> images (0.25 CPU)
//   gateway: k6 -> gateway (0.25 CPU) -> images (0.25 CPU), as GET /api/images/random?count=25,
//            once per gateway configuration, each its own process and cgroup (bench/configs.js:
//            default; cors+limit; auth=all with a valid token on every request)
// and each ratio gateway / direct (the target is >= 0.9: the gateway must not be the bottleneck
// the scaling thesis's gateway was). Every search uses the same images process; within a round
// the searches run one after the other, in an order that rotates from round to round, so a
// change in the machine's other load affects all of them alike; the figures are medians over
// the rounds, and each round's ratios are printed too. In round 1 every search is preceded by an
// unjudged 10 s plateau at its start rate, which warms the fresh process.
//
// Options: --cpu 250m, --repeats 3, --plateau 5 (seconds), --configs default,cors+limit,auth=all,
// --json <file>, --baseline <another build's gateway dist/main.js> (searched like the others, in
// the configuration --baseline-config, default `default`: a before/after in one run). MONGO_URL: use that database (seeded first); default: start a FerretDB of our own.
// Built on the experiment's pieces: startReplica / startLimitedProcess (@laas/local, through
// stack.js) for cgroup-limited processes and measureMaxRps (@laas/experiment) for the k6 search.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseCpuMillis } from '@laas/local';
import { measureMaxRps, median, runLocalPlateau, waitUntilResponsive } from '@laas/experiment';
import { benchConfigs, chosenConfigs } from './configs.js';
import { PATH_DIRECT, PATH_GATEWAY, cleanupList, startGatewayProcess, startSeededImages } from './stack.js';

const { values } = parseArgs({
  options: {
    cpu: { type: 'string', default: '250m' },
    repeats: { type: 'string', default: '3' },
    plateau: { type: 'string', default: '5' },
    configs: { type: 'string', default: 'default,cors+limit,auth=all' },
    json: { type: 'string' },
    baseline: { type: 'string' },
    'baseline-config': { type: 'string', default: 'default' },
  },
});
const cpuMillis = parseCpuMillis(values.cpu);
const repeats = Number(values.repeats);
const plateauSec = Number(values.plateau);
const WARMUP_SEC = 10;
const say = (line) => process.stdout.write(`bench: ${line}\n`);
const cleanup = cleanupList();
try {
  const images = await startSeededImages({ cleanup, cpuMillis });
  const { jwks, configs: CONFIGS } = await benchConfigs();
  const names = chosenConfigs(values.configs, CONFIGS);
  if (values.baseline) {
    CONFIGS.baseline = { ...CONFIGS[values['baseline-config']], main: resolve(values.baseline) };
    names.push('baseline');
  }
  const gateways = {};
  for (const name of names)
    gateways[name] = await startGatewayProcess({
      cleanup,
      name,
      config: CONFIGS[name],
      imagesUrl: images.url,
      jwks,
      cpuMillis,
    });
  if (!images.process.limited || Object.values(gateways).some((g) => !g.proc.limited))
    say('WARNING: cgroups are not writable here: the processes run WITHOUT a CPU limit');

  // Each later search of a side starts at that side's best result so far with a small growth
  // factor (1.15), as measureMaxRps does for its own repeats. Every plateau also reads the CPU time of the
  // processes on the path from their cgroups (cpuacct): the CPU per request at the max is the
  // figure a loaded machine distorts least.
  const cpuNs = (proc) => proc.cgroup?.cpuUsageNs();
  const search = async (label, round, url, path, headers, previous, startRps, procs) => {
    const narrowed = previous !== undefined && previous > 0;
    if (round === 1) {
      // Every process is fresh in round 1, and its first plateau near the max used to fail in
      // every configuration alike (a cold JIT and an upstream pool still opening sockets under
      // a 0.25 CPU quota, most likely; which of the two was not measured). A failed plateau caps
      // the search: 836 RPS (0.9 x images' 929) fails -> 557 passes -> bisecting ends at 802,
      // a ratio of 0.86, in 8 of the 9 round-1 searches of runs 10-12 (README). So round 1 runs an
      // unjudged plateau at the search's own start rate, then lets images settle.
      await runLocalPlateau({ baseUrl: url, path, headers, rate: startRps, durationSec: WARMUP_SEC });
      await waitUntilResponsive(`${images.url}${PATH_DIRECT}`);
    }
    let before = {};
    const cpuAt = new Map(); // offered rate -> { [process]: µs of CPU per request }
    const result = await measureMaxRps({
      url,
      path,
      headers,
      startRps: narrowed ? previous : startRps,
      growth: narrowed ? 1.15 : undefined,
      plateauSec,
      repeats: 1,
      onStep: (step) => {
        if (!step.result) {
          before = Object.fromEntries(Object.entries(procs).map(([n, p]) => [n, cpuNs(p)]));
          return;
        }
        const r = step.result;
        const us = {};
        for (const [n, p] of Object.entries(procs)) {
          const now = cpuNs(p);
          if (now !== undefined && before[n] !== undefined && r.requests > 0)
            us[n] = (now - before[n]) / 1e3 / r.requests;
        }
        cpuAt.set(r.rate, us);
        const cpu = Object.entries(us)
          .map(([n, v]) => `${n} ${v.toFixed(0)} µs`)
          .join(', ');
        say(
          `${label} round ${round}/${repeats} step ${step.step}: ${r.rate} RPS offered -> ` +
            `${r.passed ? 'pass' : 'FAIL'} (p99 ${r.p99Ms.toFixed(1)} ms, errors ${(r.errorRate * 100).toFixed(2)}%, dropped ${r.dropped}` +
            `${cpu ? `; CPU per request ${cpu}` : ''})`,
        );
      },
    });
    const run = result.runs[0];
    return { ...run, cpuAtMax: run.atMax ? cpuAt.get(run.atMax.rate) : undefined };
  };
  const runs = { direct: [], ...Object.fromEntries(names.map((n) => [n, []])) };
  // The order of the searches rotates each round (round 1: direct, default, cors+limit,
  // auth=all; round 2 starts at default, ...), and images is let settle before every search: a
  // search ends on overloaded plateaus, and the next one must not start on their backlog.
  const sides = ['direct', ...names];
  for (let round = 1; round <= repeats; round++) {
    const order = sides.map((_, i) => sides[(i + round - 1) % sides.length]);
    for (const side of order) {
      await waitUntilResponsive(`${images.url}${PATH_DIRECT}`);
      // From the side's best result so far: one round hit by the machine's other load must not
      // pin the later rounds low (they only climb by 1.15 a step from where they start).
      const previous = runs[side].length > 0 ? Math.max(...runs[side].map((r) => r.maxRps)) : undefined;
      if (side === 'direct') {
        runs.direct.push(
          await search('images direct', round, images.url, PATH_DIRECT, {}, previous, 300, {
            images: images.process,
          }),
        );
        continue;
      }
      const start = Math.max(20, Math.round((runs.direct.at(-1)?.maxRps ?? 300) * 0.9));
      runs[side].push(
        await search(
          `gateway ${side}`,
          round,
          gateways[side].url,
          PATH_GATEWAY,
          CONFIGS[side].headers,
          previous,
          start,
          { gateway: gateways[side].proc, images: images.process },
        ),
      );
    }
  }
  const summarise = (list) => {
    const values = list.map((r) => r.maxRps);
    const mid = median(values);
    return {
      median: mid,
      min: Math.min(...values),
      max: Math.max(...values),
      runs: list,
      medianRun: [...list].sort((a, b) => Math.abs(a.maxRps - mid) - Math.abs(b.maxRps - mid))[0],
    };
  };
  const direct = summarise(runs.direct);
  const results = Object.fromEntries(names.map((n) => [n, summarise(runs[n])]));
  const ratio = (r) => (direct.median > 0 ? r.median / direct.median : 0);
  // Ratios of each round's pair too: the spread shows how much the machine's other load moved.
  const roundRatios = (name) =>
    runs[name].map((r, i) => (runs.direct[i].maxRps > 0 ? r.maxRps / runs.direct[i].maxRps : 0));

  // The median over the rounds of a process's CPU per request at each search's max.
  const cpuAtMax = (r, proc) => {
    const us = r.runs.map((run) => run.cpuAtMax?.[proc]).filter((v) => v !== undefined);
    return us.length > 0 ? median(us) : undefined;
  };
  const describe = (r) => {
    const cpu = ['gateway', 'images']
      .map((proc) => [proc, cpuAtMax(r, proc)])
      .filter(([, us]) => us !== undefined)
      .map(([proc, us]) => `${proc} ${us.toFixed(0)} µs`)
      .join(', ');
    return (
      `${r.median} RPS (median of ${r.runs.length}; min ${r.min}, max ${r.max}; p99 at max ${r.medianRun.atMax?.p99Ms.toFixed(1) ?? '-'} ms` +
      `${cpu ? `; CPU per request at max: ${cpu}` : ''})`
    );
  };
  say(
    `machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}, ` +
      `load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (other work on the machine skews every figure; read the ratios)`,
  );
  say(`GET ${PATH_DIRECT}, p99 < 300 ms, errors < 1%, each process at ${cpuMillis}m CPU:`);
  say(`  images alone              ${describe(direct)}`);
  for (const name of names) {
    const perRound = roundRatios(name)
      .map((x) => x.toFixed(2))
      .join(' ');
    say(`  gateway ${name.padEnd(11)} -> images ${describe(results[name])}`);
    say(
      `    ratio gateway / direct = ${ratio(results[name]).toFixed(2)} (target >= 0.90; per round ${perRound})`,
    );
  }
  if (values.json) {
    const strip = (r) => ({
      median: r.median,
      min: r.min,
      max: r.max,
      cpuUsPerRequestAtMax: { gateway: cpuAtMax(r, 'gateway'), images: cpuAtMax(r, 'images') },
      runs: r.runs.map((run) => ({
        maxRps: run.maxRps,
        cpuUsPerRequestAtMax: run.cpuAtMax,
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
          limited: images.process.limited && Object.values(gateways).every((g) => g.proc.limited),
          direct: strip(direct),
          gateway: Object.fromEntries(
            names.map((n) => [
              n,
              { ...strip(results[n]), ratio: ratio(results[n]), roundRatios: roundRatios(n) },
            ]),
          ),
        },
        null,
        2,
      )}\n`,
    );
  }
} finally {
  await cleanup.stopAll();
}
