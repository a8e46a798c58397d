// A worker thread of the referee: runs the jobs it is sent, answers with their results.
import { parentPort } from 'node:worker_threads';
import { IMAGES_250M } from './model.js';
import { BOUNDS, POLICIES } from './policies/index.js';
import { WARMUP_SECONDS, simulate } from './sim.js';
import type { Job } from './jobs.js';
import { TRACES } from './traces.js';

parentPort!.on('message', (job: Job) => {
  void (async () => {
    const trace = TRACES.find((t) => t.name === job.trace)!;
    const family = POLICIES.find((p) => p.family === job.family)!;
    const result = await simulate(trace, family.make(job.setting), job.seed, {
      model: IMAGES_250M,
      ...BOUNDS,
      timeline: job.timeline,
      warmupSeconds: WARMUP_SECONDS,
    });
    parentPort!.postMessage({ id: job.id, result });
  })();
});
