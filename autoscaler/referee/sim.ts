// One run: a trace, a policy, a seed -> what the users got (SLO-violating requests) and what it
// cost (replica-seconds), plus a timeline. Time is simulated seconds; nothing here reads a clock.
//
// The loop generates Poisson arrivals in time order; between arrivals it runs the periodic
// events that are due: Prometheus scrapes (every 5 s, each replica at its own offset, as
// Prometheus spreads its targets), metrics-server scrapes (every 15 s), and the policy's own
// evaluation period. A request is routed at its arrival and its completion time is known then
// (see cluster.ts); counters include it only once that time has passed.
//
// A warm start: with `warmupSeconds` W the run first serves the trace's starting load for W
// seconds, unmeasured, so that every series, rate() window and controller history (the HPA's
// recommendations, KEDA's failure count, the KPA's windows, our decider's memory) is that of a
// system long in its steady state. Policies see simulation time, which starts at -W on the
// trace's clock: the trace's t = 0 is simulation time W.
//
// The phases, each in a sibling file: set-up (sim-run.ts), the world a policy sees
// (sim-world.ts), the arrivals (sim-arrivals.ts) with the periodic events due between them
// (sim-events.ts), and measuring (sim-measure.ts).
import type { Policy } from './policies/types.js';
import { BUCKETS } from './promql.js';
import { serveArrivals } from './sim-arrivals.js';
import { runDue, schedule } from './sim-events.js';
import { measure } from './sim-measure.js';
import { setUp } from './sim-run.js';
import type { RunOptions, RunResult } from './sim-types.js';
import { worldOf } from './sim-world.js';
import type { Trace } from './traces.js';

export { METRICS_SERVER_SECONDS, OBJECTIVE_SECONDS, SCRAPE_SECONDS } from './sim-run.js';
export type { RunOptions, RunResult, TimelinePoint } from './sim-types.js';

/** The referee's warm-up: ten times the longest window any policy reads (the KPA's 60 s). */
export const WARMUP_SECONDS = 600;

export async function simulate(
  trace: Trace,
  policy: Policy,
  seed: number,
  o: RunOptions,
): Promise<RunResult> {
  const run = setUp(trace, seed, o);
  const world = worldOf(run);
  const due = schedule(policy, o.failoverAt);
  const runDueUntil = (until: number): Promise<void> => runDue(run, due, policy, world, until);
  await serveArrivals(run, () => due.nextTick, runDueUntil);
  await runDueUntil(run.total);
  return measure(run, policy, seed, o.timeline);
}

export { BUCKETS };
