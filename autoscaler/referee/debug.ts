// Development aid: one run's timeline, every 10 s, with our decider's reason.
import { IMAGES_250M } from './model.js';
import { BOUNDS, POLICIES } from './policies/index.js';
import type { Ours } from './policies/ours.js';
import type { World } from './policies/types.js';
import { WARMUP_SECONDS, simulate } from './sim.js';
import { TRACES } from './traces.js';

const [traceName = 'step-5x', family = 'laas (ours)', setting = '70%', seed = '1'] = process.argv.slice(2);
const trace = TRACES.find((t) => t.name === traceName)!;
const spec = POLICIES.find((p) => p.family === family)!;
const policy = spec.make(setting);
const reasons: string[] = []; // by trace second (negative during the warm-up: dropped)
const original = policy.evaluate.bind(policy);
(policy as { evaluate: (w: World) => Promise<void> }).evaluate = async (w: World) => {
  await original(w);
  const o = (policy as Ours).object;
  if (o) {
    const c = o.status?.conditions?.find((x) => x.type === 'ScalingActive');
    reasons[Math.floor(w.now - WARMUP_SECONDS)] =
      `${o.status?.desiredReplicas} cap=${o.status?.capacityEstimate}/${o.status?.capacitySource} ${c?.message ?? ''}`;
  }
};
const r = await simulate(trace, policy, Number(seed), {
  model: IMAGES_250M,
  ...BOUNDS,
  timeline: true,
  warmupSeconds: WARMUP_SECONDS,
});
for (const p of r.timeline) {
  if (p.t % 10 !== 0) continue;
  const why =
    reasons
      .slice(p.t, p.t + 10)
      .filter(Boolean)
      .at(-1) ?? '';
  console.log(
    `${p.t}s rps ${p.offeredRps.toFixed(0)} rep ${p.replicas} ready ${p.ready} p99 ${p.p99 === null ? '-' : (p.p99 * 1000).toFixed(0)} viol ${p.violating} | ${why.slice(0, 150)}`,
  );
}
console.log(`violating ${r.violating} / ${r.requests}, replica-s ${r.replicaSeconds.toFixed(0)}`);
