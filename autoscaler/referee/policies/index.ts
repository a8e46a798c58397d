// Every policy at several settings of the knobs its users turn, so that each draws a Pareto front,
// not a point, and no baseline has a smaller grid than ours (4 settings): each baseline's grid
// spans at least ours' per-replica load and adds the knob that trades cost for safety.
// A replica serves about 220 RPS within the objective (1.1 ms of CPU per request at 250m would
// saturate at 227), so
//   ours        plans 60-90 % of the configured 220 RPS            = 132-198 RPS per replica;
//   KEDA        AverageValue 100-200 RPS per replica, HPA scale-down stabilisation 300 s or 60 s;
//   KPA (RPS)   target 150-290 RPS x its utilisation 0.7            = 105-203 RPS per replica,
//               panic threshold 200 % (default) or 150 %;
//   KPA (conc.) target 100 in flight (Knative's default) down to 15, x 0.7;
//   HPA (CPU)   50-90 % of 250m at 1.1 ms per request              = 114-205 RPS per replica,
//               scale-down stabilisation 300 s or 60 s;
//   Heroku      p95 goals 50-200 ms (its own latency target; it has no RPS setting).
// Listed cheapest-risk first: `--settings n` runs the first n of each family.
import type { Bounds, Policy } from './types.js';
import { Heroku, HpaCpu, Keda, Kpa } from './baselines.js';
import { CPU_REQUEST_CORES } from './baselines.js';
import { Ours } from './ours.js';

export const BOUNDS: Bounds = { minReplicas: 1, maxReplicas: 30 };
/** Configured capacity for ours (the experiment's 1-replica figure), and fallback replicas for ours and KEDA. */
export const CAPACITY_RPS = 220;
export const FALLBACK_REPLICAS = 6;

export interface PolicySpec {
  family: string;
  settings: readonly string[];
  make(setting: string): Policy;
}

/** A family from its settings' factories; each setting names itself (Policy.setting). */
function family(name: string, factories: readonly (() => Policy)[]): PolicySpec {
  const byName = new Map(factories.map((f) => [f().setting, f] as const));
  return {
    family: name,
    settings: [...byName.keys()],
    make: (s) => {
      const f = byName.get(s);
      if (f === undefined) throw new Error(`unknown setting ${s} of ${name}`);
      return f();
    },
  };
}

const grid = <A, B>(as: readonly A[], bs: readonly B[]): [A, B][] =>
  bs.flatMap((b) => as.map((a) => [a, b] as [A, B]));

export const POLICIES: readonly PolicySpec[] = [
  family(
    'laas (ours)',
    [0.7, 0.6, 0.8, 0.9].map(
      (u) => () =>
        new Ours(
          { targetUtilization: u, rpsPerReplica: CAPACITY_RPS, fallbackReplicas: FALLBACK_REPLICAS },
          BOUNDS,
        ),
    ),
  ),
  family(
    'KEDA (HPA on RPS)',
    grid([150, 120, 175, 200, 100], [300, 60]).map(
      ([rps, down]) =>
        () =>
          new Keda(rps, BOUNDS, FALLBACK_REPLICAS, down),
    ),
  ),
  family(
    'Knative KPA',
    grid([210, 170, 250, 290, 150], [2, 1.5]).map(
      ([rps, panic]) =>
        () =>
          new Kpa(rps, BOUNDS, 'rps', panic),
    ),
  ),
  family(
    'Knative KPA (concurrency)',
    [100, 50, 30, 15].map((c) => () => new Kpa(c, BOUNDS, 'concurrency')),
  ),
  family(
    'HPA (CPU)',
    grid([65, 50, 80, 90, 40], [300, 60]).map(
      ([pct, down]) =>
        () =>
          new HpaCpu(pct, BOUNDS, CPU_REQUEST_CORES, down),
    ),
  ),
  family(
    'Heroku (p95)',
    [100, 50, 150, 200].map((ms) => () => new Heroku(ms, BOUNDS)),
  ),
];
