// The closed-loop traces: the referee's shapes (autoscaler/referee/traces.ts), shortened to 4
// minutes and scaled to replicas at 100m, so one policy's run fits in about 5 minutes on a
// 2-core machine. They are the referee's `Trace` type, so the same object drives k6 here and the
// simulation's prediction (predict.ts).
//
// Scale: a replica at 250m served about 220 RPS within the objective (the 250m reference run, autoscaler/referee/data), so
// 100m would serve about 88 on an idle machine. On this shared machine (load average 15-18 on 2
// cores) a trial run measured one 100m replica saturating at 35-40 RPS (2.2 ms of CPU per
// request, and only 0.08 of its 0.1 core granted), so loads here peak at 50-80 RPS: 2-4
// replicas at the planned 70 % of 30 RPS; 5 replicas (0.5 core) + k6 + nginx + FerretDB fit.
import type { Trace } from '@laas/referee';

const between = (t: number, from: number, to: number): boolean => t >= from && t < to;

/** A scenario: the referee's trace, plus how the request-cost change is made on real replicas. */
export interface Scenario extends Trace {
  /** Path of the heavier request from `heavyFrom` seconds on (the request-cost change). */
  heavyPath?: string;
  heavyFrom?: number;
}

export const BASE_PATH = '/random?count=25';

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'step',
    description: '10 RPS, then 5x (50 RPS) from 60 s to 180 s, then back to 10 RPS until 240 s',
    durationSeconds: 240,
    rps: (t) => (between(t, 60, 180) ? 50 : 10),
    initialReplicas: 1,
    stepAt: 60,
  },
  {
    name: 'flash-crowd',
    description: '8 RPS, 10x (80 RPS) for 60 s at 60 s, then 8 RPS until 240 s',
    durationSeconds: 240,
    rps: (t) => (between(t, 60, 120) ? 80 : 8),
    initialReplicas: 1,
    stepAt: 60,
  },
  {
    name: 'ramp',
    description: '8 -> 80 RPS linearly over 240 s',
    durationSeconds: 240,
    rps: (t) => 8 + (72 * t) / 240,
    initialReplicas: 1,
  },
  {
    name: 'cost-change',
    description: '20 RPS throughout; from 60 s each request asks for 50 URLs instead of 25',
    durationSeconds: 240,
    rps: () => 20,
    // The simulation's stand-in: a count=50 request is assumed to cost about twice the CPU of count=25.
    costFactor: (t) => (t >= 60 ? 2 : 1),
    heavyPath: '/random?count=50',
    heavyFrom: 60,
    initialReplicas: 1,
    stepAt: 60,
  },
];

export function scenarioByName(name: string): Scenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) throw new Error(`unknown scenario "${name}" (known: ${SCENARIOS.map((x) => x.name).join(', ')})`);
  return s;
}

/**
 * The scenario with every rate times `factor` (`--load-scale`): the same shape, the same times.
 * At 5 the step goes 50 -> 250 RPS, the flash crowd 40 -> 400.
 */
export function atLoadScale(s: Scenario, factor: number): Scenario {
  if (!(Number.isFinite(factor) && factor > 0))
    throw new Error(`a load scale must be a number above 0, got ${factor}`);
  if (factor === 1) return s;
  return { ...s, description: `${s.description}, every rate x${factor}`, rps: (t) => s.rps(t) * factor };
}

/**
 * k6 stages sampled per second ([rps, seconds]; k6 ramps linearly from the previous stage's rate
 * within each). A flat stretch is one stage; a change is a 1 s ramp: 10 RPS for 60 s then 50 ->
 * [[10, 60], [50, 1], [50, 119], ...]. Rates are whole numbers: k6 refuses a fractional stage
 * target (the ramp's 8.3 RPS made it exit before its first request); a ramp of 0.3 RPS a second
 * becomes a stair of 1 RPS every 3 to 4 s, which k6 then ramps linearly.
 */
export function k6Stages(trace: Trace): [number, number][] {
  const at = (s: number): number => Math.round(trace.rps(s + 0.5));
  const out: [number, number][] = [];
  let from = at(0); // the rate the last stage ramps from
  for (let s = 0; s < trace.durationSeconds; s++) {
    const rps = at(s);
    const last = out[out.length - 1];
    if (last && last[0] === rps && from === rps) last[1]++;
    else {
      from = last ? last[0] : from;
      out.push([rps, 1]);
    }
  }
  return out;
}
