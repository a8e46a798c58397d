// The referee's work list and a pool of worker threads to run it.
import { Worker } from 'node:worker_threads';
import { POLICIES } from './policies/index.js';
import type { RunResult } from './sim.js';
import { TRACES } from './traces.js';

export interface Job {
  id: number;
  trace: string;
  family: string;
  setting: string;
  seed: number;
  timeline: boolean;
}

export interface Plan {
  seeds: number;
  traces?: readonly string[];
  /** Settings per family (the first n); all when absent. */
  settings?: number;
}

/** Every trace x family x setting x seed; timelines for seed 1 at each family's first (default) setting. */
export function jobs(plan: Plan): Job[] {
  const out: Job[] = [];
  for (const trace of TRACES) {
    if (plan.traces && !plan.traces.includes(trace.name)) continue;
    for (const family of POLICIES) {
      const settings = family.settings.slice(0, plan.settings ?? family.settings.length);
      settings.forEach((setting, i) => {
        for (let seed = 1; seed <= plan.seeds; seed++) {
          out.push({
            id: out.length,
            trace: trace.name,
            family: family.family,
            setting,
            seed,
            timeline: seed === 1 && i === 0,
          });
        }
      });
    }
  }
  return out;
}

/** Runs the jobs on `workers` threads; results in job order. */
export async function runAll(
  list: readonly Job[],
  workers: number,
  progress?: (done: number) => void,
): Promise<RunResult[]> {
  const results: RunResult[] = new Array<RunResult>(list.length);
  let next = 0;
  let done = 0;
  const url = new URL('./worker.js', import.meta.url);
  await Promise.all(
    Array.from({ length: Math.max(1, Math.min(workers, list.length)) }, async () => {
      const w = new Worker(url);
      try {
        for (;;) {
          const job = list[next++];
          if (!job) break;
          const result = await new Promise<RunResult>((resolve, reject) => {
            const onMessage = (m: { id: number; result: RunResult }) => {
              w.off('error', reject);
              resolve(m.result);
            };
            w.once('message', onMessage);
            w.once('error', reject);
            w.postMessage(job);
          });
          results[job.id] = result;
          progress?.(++done);
        }
      } finally {
        await w.terminate();
      }
    }),
  );
  return results;
}
