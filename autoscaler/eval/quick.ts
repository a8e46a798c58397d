// Development aid: one run per family on one trace, printed.
import { IMAGES_250M } from './model.js';
import { POLICIES, BOUNDS } from './policies/index.js';
import { simulate } from './sim.js';
import { TRACES } from './traces.js';

const name = process.argv[2] ?? 'step-5x';
const trace = TRACES.find((t) => t.name === name)!;
for (const p of POLICIES) {
  for (const s of p.settings) {
    const t0 = performance.now();
    const r = await simulate(trace, p.make(s), 1, { model: IMAGES_250M, ...BOUNDS, timeline: false });
    console.log(
      `${p.family.padEnd(20)} ${s.padEnd(11)} req ${r.requests} viol ${r.violating} failed ${r.failed} rs ${r.replicaSeconds.toFixed(0)} flips ${r.directionChanges} events ${r.scaleEvents} rec ${r.recoverySeconds} ${(performance.now() - t0).toFixed(0)}ms`,
    );
  }
}
