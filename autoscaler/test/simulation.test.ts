// A load trace fed through the decider and through an HPA-like baseline over the same queueing
// model (test/support/simulation.ts). Both plan for 70% of the ~85 RPS a replica serves within
// 300 ms. Figures from this run are recorded in autoscaler/README.md.
import { spec } from './support/fixtures.js';
import { hpaLike, ours, simulate } from './support/simulation.js';

// 40 minutes: quiet 150 RPS, a ramp to 600 over 5 minutes, a step to 1000 for one minute, a
// wobble of +-15% every 20 s around 500, then a drop to 150. Deterministic: no randomness.
function trace(t: number): number {
  if (t < 300) return 150;
  if (t < 600) return 150 + (450 * (t - 300)) / 300;
  if (t < 900) return 600;
  if (t < 960) return 1000;
  if (t < 1800) return 500 * (Math.floor(t / 20) % 2 ? 1.15 : 0.85);
  return 150;
}

const SECONDS = 2400;
const baseline = simulate(trace, SECONDS, 2, hpaLike(85 * 0.7, 1, 50));

describe('over a 40-minute trace with 20 s replica start-up, against an HPA-like baseline', () => {
  test.each([
    { label: 'with a configured capacity of 85 RPS per replica', capacity: { rpsPerReplica: 85 } },
    { label: 'with the capacity learned from p99', capacity: {} },
  ])(
    '$label the decider breaches the objective for at most half as long, flaps no more, and costs at most 15% more replica-seconds',
    ({ capacity }) => {
      const result = simulate(trace, SECONDS, 2, ours(spec({ capacity })));
      console.log(`ours ${JSON.stringify(result)}\nhpa-like ${JSON.stringify(baseline)}`);
      expect(result.violationSeconds).toBeLessThanOrEqual(baseline.violationSeconds / 2);
      expect(result.flaps).toBeLessThanOrEqual(baseline.flaps);
      expect(result.replicaSeconds).toBeLessThanOrEqual(baseline.replicaSeconds * 1.15);
    },
  );
});
