// Fits the request cost of the simulated replica to the measured images service: the
// 1-replica plateaus of autoscaler/referee/data/reference-250m-results.json (the 250m reference run of e5e1759) (k6 constant-arrival-rate -> nginx ->
// one images replica at 250m -> FerretDB; 8 s per plateau; p50/p95/p99 as k6 measured them).
// For each candidate (mean CPU per request, its cv, the off-CPU wait) it simulates the same
// plateaus (Poisson arrivals, 5 seeds of 60 s each) and scores the squared log error of
// p50/p95/p99 over every passed plateau; the best candidate is printed. `npm run fit -w @laas/referee`.
import { readFileSync } from 'node:fs';
import { Cluster } from './cluster.js';
import { IMAGES_250M } from './model.js';
import type { ServiceModel } from './model.js';
import { exponential, seeded } from './rng.js';

export interface Plateau {
  rate: number;
  p50: number;
  p95: number;
  p99: number;
}

interface Step {
  rate: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  passed: boolean;
}

export function measuredPlateaus(path: string): Plateau[] {
  const r = JSON.parse(readFileSync(path, 'utf8')) as {
    points: { replicas: number; repeats: { steps: Step[] }[] }[];
  };
  const one = r.points.find((p) => p.replicas === 1);
  if (!one) throw new Error(`${path}: no 1-replica point`);
  return one.repeats
    .flatMap((rep) => rep.steps)
    .filter((s) => s.passed)
    .map((s) => ({ rate: s.rate, p50: s.p50Ms / 1000, p95: s.p95Ms / 1000, p99: s.p99Ms / 1000 }));
}

const quantile = (sorted: Float64Array, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

/** Simulated p50/p95/p99 of one replica at a constant Poisson rate. */
export function simulatePlateau(model: ServiceModel, rate: number, seconds: number, seed: number): Plateau {
  const arrivals = seeded(seed);
  const cluster = new Cluster(model, seeded(seed + 1), 1, 0);
  const latencies: number[] = [];
  let t = 0;
  for (;;) {
    t += exponential(arrivals, 1 / rate);
    if (t >= seconds) break;
    const o = cluster.request(t);
    latencies.push(o.failed ? 60 : o.latency);
  }
  const sorted = Float64Array.from(latencies).sort();
  return { rate, p50: quantile(sorted, 0.5), p95: quantile(sorted, 0.95), p99: quantile(sorted, 0.99) };
}

export function score(model: ServiceModel, plateaus: readonly Plateau[], seeds = 5): number {
  let err = 0;
  for (const p of plateaus) {
    const sims = Array.from({ length: seeds }, (_, i) => simulatePlateau(model, p.rate, 60, 1000 + i));
    const mean = (k: 'p50' | 'p95' | 'p99') => sims.reduce((a, s) => a + s[k], 0) / sims.length;
    for (const k of ['p50', 'p95', 'p99'] as const) err += Math.log(mean(k) / p[k]) ** 2;
  }
  return err / (plateaus.length * 3);
}

if (process.argv[1]?.endsWith('fit.js')) {
  const path = process.argv[2] ?? new URL('../data/reference-250m-results.json', import.meta.url).pathname;
  const plateaus = measuredPlateaus(path);
  let best: { model: ServiceModel; err: number } | null = null;
  const bursts = [
    [0, 0],
    [0.005, 10],
    [0.005, 25],
    [0.01, 10],
    [0.01, 25],
    [0.02, 10],
    [0.02, 25],
  ] as const;
  for (const cpuMeanMs of [0.9, 1.0, 1.1])
    for (const cpuCv of [0.5, 1, 2])
      for (const waitMs of [1.5, 2.5])
        for (const [burstProbability, burstMs] of bursts) {
          const model = { ...IMAGES_250M, cpuMeanMs, cpuCv, waitMs, burstProbability, burstMs };
          const err = score(model, plateaus);
          if (!best || err < best.err) best = { model, err };
        }
  const m = best!.model;
  console.log(
    `best: cpuMeanMs ${m.cpuMeanMs} cpuCv ${m.cpuCv} waitMs ${m.waitMs} burst ${m.burstProbability} x ${m.burstMs} ms rms log error ${Math.sqrt(best!.err).toFixed(3)}`,
  );
  console.log('rate  measured p50/p95/p99 ms  simulated p50/p95/p99 ms');
  for (const p of plateaus) {
    const s = simulatePlateau(m, p.rate, 60, 1000);
    const ms = (x: number) => (x * 1000).toFixed(1);
    console.log(`${p.rate}  ${ms(p.p50)}/${ms(p.p95)}/${ms(p.p99)}  ${ms(s.p50)}/${ms(s.p95)}/${ms(s.p99)}`);
  }
}
