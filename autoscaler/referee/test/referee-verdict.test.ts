// The verdict rule of the referee (eval/aggregate.ts, RULE): equal cost only inside the range both
// sides ran, no flat extension and no long chord, both directions, paired over seeds.
import { combine, frontAt, judge, seedsNeeded } from '../aggregate.js';
import type { Point } from '../aggregate.js';

const SEEDS = 10;

/** A setting whose every seed had `violating` (plus a seed-dependent wobble) at `cost` replica-seconds. */
function point(family: string, setting: string, cost: number, violating: number, wobble = 0): Point {
  const perSeed = Array.from({ length: SEEDS }, (_, i) => ({
    seed: i + 1,
    violating: violating + wobble * (i % 2 === 0 ? 1 : -1) * (i + 1),
    replicaSeconds: cost,
  }));
  const s = (x: number) => ({ median: x, p5: x, p95: x });
  return {
    trace: 't',
    family,
    setting,
    runs: SEEDS,
    violatingPercent: s(0),
    violating: s(violating),
    replicaSeconds: s(cost),
    directionChanges: s(0),
    recoverySeconds: null,
    perSeed,
  };
}
const theirs = (setting: string, cost: number, violating: number, wobble = 0) =>
  point('base', setting, cost, violating, wobble);
const ours = (setting: string, cost: number, violating: number, wobble = 0) =>
  point('laas (ours)', setting, cost, violating, wobble);

describe('the front has a value only inside the range its settings ran', () => {
  const near = [theirs('a', 1000, 30_000), theirs('b', 1200, 20_000)];
  const far = [theirs('a', 1000, 30_000), theirs('b', 2000, 20_000)];
  test.each([
    {
      label: 'halfway along a short chord (1 000 to 1 200 rs): halfway between',
      points: near,
      cost: 1100,
      want: 25_000,
    },
    { label: 'within 5 % of a point: that point', points: near, cost: 1040, want: 30_000 },
    {
      label: 'across a gap of 100 % (1 000 to 2 000 rs): no value (a wide chord)',
      points: far,
      cost: 1500,
      want: null,
    },
    {
      label: 'beyond the dearest point (1 500 rs after 1 200): no value (a flat extension)',
      points: near,
      cost: 1500,
      want: null,
    },
    {
      label: 'below the cheapest point (800 rs before 1 000): no value',
      points: near,
      cost: 800,
      want: null,
    },
  ])('$label', ({ points, cost, want }) => {
    expect(frontAt(points, cost)?.violating ?? null).toBe(want);
  });
});

describe('a setting dearer than every setting of the other side is not judged a win for having fewer violating requests', () => {
  test('ours at 1 500 rs with 1 000 violating against their dearest at 1 200 with 20 000: not comparable', () => {
    const v = judge(
      't',
      'base',
      [ours('70%', 1500, 1000)],
      [theirs('a', 1000, 30_000), theirs('b', 1200, 20_000)],
      '70%',
    );
    expect(v.verdict).toBe('not comparable');
  });

  test('ours in a wide gap (1 500 rs between 1 000 and 2 000) below both ends: not comparable on the chord, but it beats the dearer one: a win', () => {
    const inGap = judge(
      't',
      'base',
      [ours('70%', 1500, 25_000)],
      [theirs('a', 1000, 30_000), theirs('b', 2000, 20_000)],
      '70%',
    );
    expect(inGap.verdict).toBe('not comparable');
    const dominates = judge(
      't',
      'base',
      [ours('70%', 1500, 15_000)],
      [theirs('a', 1000, 30_000), theirs('b', 2000, 20_000)],
      '70%',
    );
    expect(dominates.verdict).toBe('win');
  });

  test('ours dearer than all of theirs and with more violating requests: dominated, a loss', () => {
    const v = judge(
      't',
      'base',
      [ours('70%', 1500, 40_000)],
      [theirs('a', 1000, 30_000), theirs('b', 1200, 20_000)],
      '70%',
    );
    expect(v.verdict).toBe('loss');
  });
});

describe('both directions, paired over seeds', () => {
  test.each([
    {
      label: 'ours below their front in every seed: a win',
      ours: [ours('70%', 1100, 20_000)],
      theirs: [theirs('a', 1000, 30_000), theirs('b', 1200, 20_000)],
      want: 'win',
    },
    {
      label:
        'ours below their front at one setting, theirs below ours at another cost: a loss (judged from both sides)',
      ours: [ours('70%', 1100, 20_000), ours('90%', 1600, 15_000)],
      theirs: [theirs('a', 1000, 30_000), theirs('b', 1200, 20_000), theirs('c', 1500, 5_000)],
      want: 'loss',
    },
    {
      label: 'ours 2 % below on the median but above in 5 of 10 seeds (inside the seed spread): a tie',
      ours: [ours('70%', 1100, 24_500, 2_000)],
      theirs: [theirs('a', 1000, 30_000), theirs('b', 1200, 20_000)],
      want: 'tie',
    },
    {
      label: 'ours 0.5 % below in every seed: under the 1 % margin, a tie',
      ours: [ours('70%', 1100, 24_875)],
      theirs: [theirs('a', 1000, 30_000), theirs('b', 1200, 20_000)],
      want: 'tie',
    },
  ])('$label', ({ ours: o, theirs: t, want }) => {
    expect(judge('t', 'base', o, t, '70%').verdict).toBe(want);
  });

  test.each([
    { n: 10, k: 9 },
    { n: 5, k: 5 },
    { n: 1, k: 2 },
  ])('of $n seeds, $k must favour one side (one-sided sign test at 5 %)', ({ n, k }) => {
    expect(seedsNeeded(n)).toBe(k);
  });

  test.each([
    { outcomes: ['better', 'worse'] as const, want: 'loss' },
    { outcomes: ['better', 'same'] as const, want: 'win' },
    { outcomes: ['same'] as const, want: 'tie' },
    { outcomes: [] as const, want: 'not comparable' },
  ])('comparisons $outcomes give $want', ({ outcomes, want }) => {
    expect(combine(outcomes)).toBe(want);
  });
});
