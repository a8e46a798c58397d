import { decide } from '../src/decider/decide.js';
import type { DeciderState } from '../src/decider/types.js';
import { ok, spec, T0, WARM } from './support/fixtures.js';
import type { Load } from './support/fixtures.js';

// The arriving-request rate beside the completed-request rates. Capacity 100 RPS per replica at
// utilisation 0.7 plans 70 per replica. Each row states what the decider did without arrivals.
const base = spec();

describe('requests counted as they arrive', () => {
  type Row = {
    label: string;
    replicas: number;
    load: Load;
    state?: Partial<DeciderState>;
    desired: number;
    reason: string;
  };
  // An earlier evaluation recommended the current count: a plain rise waits for the up-window.
  const waited = (replicas: number): Partial<DeciderState> => ({
    recommendations: [{ at: T0 - 5000, replicas }],
  });
  const rows: Row[] = [
    {
      // 400 / 70 = 5.7 -> 6. Without arrivals, 280 fits 4: held.
      label: 'arrivals 40 % above the completions size the replicas from the arrivals, without waiting',
      replicas: 4,
      load: { rps: 280, arriving: 400 },
      state: waited(4),
      desired: 6,
      reason: 'LoadAboveCapacity',
    },
    {
      // 2 replicas complete 220 of the 700 arriving: 700 / 70 = 10 (a burst: 700 >= 2 x 140).
      // Without arrivals, 220 / 70 = 3.1 -> 4, not a burst, held by the up-window at 2.
      label: 'a 5x step that the completions under-read goes to the 10 replicas the arrivals ask for',
      replicas: 2,
      load: { rps: 220, rpsLong: 140, arriving: 700 },
      state: waited(2),
      desired: 10,
      reason: 'LoadAboveCapacity',
    },
    {
      // 330 / 70 = 4.7 -> 5, but 330 is within 20 % of the 300 completed: a rise like any other.
      label: 'arrivals within 20 % of the completions wait for the up-window like any rise',
      replicas: 4,
      load: { rps: 300, arriving: 330 },
      state: waited(4),
      desired: 4,
      reason: 'ScaleUpStabilized',
    },
    {
      // Taken as is, NaN would make every size NaN, and the decider would hold 2 through the step.
      label: 'an arrival rate that is not a number is ignored: the completions still size a step',
      replicas: 2,
      load: { rps: 700, rpsLong: 140, arriving: Number.NaN },
      desired: 10,
      reason: 'LoadAboveCapacity',
    },
    {
      // Taken as is, Infinity would ask for maxReplicas (50).
      label: 'an infinite arrival rate is ignored',
      replicas: 4,
      load: { rps: 280, arriving: Number.POSITIVE_INFINITY },
      desired: 4,
      reason: 'LoadMatchesCapacity',
    },
    {
      // 5 replicas, most just ready, completed 47 each over the short window while 146 each
      // arrived; 80 each was served within the objective a minute ago. Without arrivals, 47 <= 80
      // read as a slow dependency and held 5 (LatencyNotExplainedByLoad). 730 / 70 = 10.4 -> 11.
      label: 'a breach at arrivals above the load once served within the objective is the load: 11',
      replicas: 5,
      load: { rps: 235, rpsLong: 200, p99: 2, arriving: 730 },
      state: { ...waited(5), healthy: { rpsPerReplica: 80, at: T0 - 60_000 } },
      desired: 11,
      reason: 'LatencyAboveObjective',
    },
    {
      // 420 / 70 = 6. Without arrivals, a rising breach doubled 4 to 8: the completions could be
      // under-reading the offered load. The arrivals say they are not.
      label: 'a rising breach with arrivals counted is sized from the arrivals, not doubled: 6',
      replicas: 4,
      load: { rps: 400, rpsLong: 300, p99: 0.9, arriving: 420 },
      desired: 6,
      reason: 'LatencyAboveObjective',
    },
    {
      // 1200 / 70 = 17.1 -> 18; one step allows max(1 x 10, 1 + 4) = 10. At +400 % it was 5.
      label: 'a 10x crowd on one replica adds up to 9 replicas in one step (+900 %)',
      replicas: 1,
      load: { rps: 120, arriving: 1200 },
      state: waited(1),
      desired: 10,
      reason: 'ScaleUpLimit',
    },
  ];
  test.each(rows)('$label', (row) => {
    const { decision } = decide(
      {
        spec: base,
        target: { replicas: row.replicas, readyReplicas: row.replicas },
        reading: ok(T0, row.load),
      },
      { ...WARM, ...row.state },
      T0,
    );
    expect({ desired: decision.desiredReplicas, reason: decision.reason }).toEqual({
      desired: row.desired,
      reason: row.reason,
    });
  });
});
