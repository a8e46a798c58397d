// The requests of a run: Poisson arrivals in time order, each routed and tallied.
import { binOf } from './sim-bins.js';
import type { Run } from './sim-run.js';
import { OBJECTIVE_SECONDS, TIMELINE_STEP } from './sim-run.js';
import { exponential } from './rng.js';

/**
 * Arrivals: Poisson, rate piecewise constant per second (exponential gaps are memoryless, so
 * restarting the draw at each second's boundary is exact). During the warm-up the rate is the
 * trace's starting one. Before each arrival the periodic events due by then run.
 */
export async function serveArrivals(
  run: Run,
  nextTick: () => number,
  runDue: (until: number) => Promise<void>,
): Promise<void> {
  const { trace, warm, total } = run;
  for (let second = 0; second < total; second++) {
    const lambda = trace.rps(second < warm ? 0 : second - warm + 0.5);
    let t = second;
    for (;;) {
      t += lambda > 0 ? exponential(run.arrivals, 1 / lambda) : Infinity;
      if (t >= second + 1) break;
      if (nextTick() <= t) await runDue(t);
      serve(run, second, t);
    }
  }
}

/**
 * One request arriving at t: routed now, its completion known now (see cluster.ts). Every
 * collector sees it; only after the warm-up is it counted against the policy.
 */
function serve(run: Run, second: number, t: number): void {
  const { warm, total, perStep } = run;
  run.now = t;
  const out = run.cluster.request(t);
  const bad = out.failed || out.latency > OBJECTIVE_SECONDS;
  const bin = binOf(out.failed ? 60 : out.latency);
  run.router[second]![bin]! += 1;
  // The queue-proxy counts a request as it arrives, whatever then happens to it.
  run.perSecond[second]! += 1;
  for (let s = second, from = t, to = t + out.latency; from < to && s <= total; s++) {
    const upTo = Math.min(to, s + 1);
    run.inFlightSeconds[s]! += upTo - from;
    from = upTo;
  }
  if (second < warm) return;
  run.requests++;
  if (out.failed) run.failed++;
  if (bad) run.violating++;
  const step = Math.floor((t - warm) / TIMELINE_STEP);
  perStep.arrivals[step]! += 1;
  if (bad) perStep.violating[step]! += 1;
  perStep.hist[step]![bin]! += 1;
}
