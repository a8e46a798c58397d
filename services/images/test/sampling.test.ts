import { LazyPermutation } from '../src/index.js';
import { chiSquareUniform, seededRandom } from './support/seeded-random.js';

describe('LazyPermutation', () => {
  test.each([
    ['drawing everything from 10 gives each value once', 10, 10],
    ['drawing 25 from a million gives 25 distinct values', 1_000_000, 25],
    ['drawing from an empty space gives nothing', 0, 5],
    ['drawing more than there is stops at the size', 3, 10],
  ])('%s', (_label, n, k) => {
    const values = new LazyPermutation(n, seededRandom(1)).take(k);
    expect(values).toHaveLength(Math.min(n, k));
    expect(new Set(values).size).toBe(values.length);
    for (const v of values) expect(v >= 0 && v < n && Number.isInteger(v)).toBe(true);
  });

  test('a restarted permutation draws what a fresh one draws from the same random numbers', () => {
    const random = seededRandom(5);
    const reused = new LazyPermutation(1_000, random);
    reused.takeInto(new Uint32Array(25), 25);
    const out = new Uint32Array(25);
    const taken = reused.restart(1_000).takeInto(out, 25);
    const again = seededRandom(5);
    new LazyPermutation(1_000, again).take(25);
    expect([...out.subarray(0, taken)]).toEqual(new LazyPermutation(1_000, again).take(25));
    expect(reused.heldPositions).toBeLessThanOrEqual(25);
  });

  test('continuing a permutation never repeats a value', () => {
    const p = new LazyPermutation(50, seededRandom(2));
    const all = [...p.take(20), ...p.take(20), ...p.take(20)];
    expect(all).toHaveLength(50);
    expect(new Set(all).size).toBe(50);
    expect(p.remaining).toBe(0);
  });

  test.each([
    [10, 10],
    [1_000, 25],
    [1_000_000, 1_000],
    [Number.MAX_SAFE_INTEGER, 1_000],
  ])('memory stays proportional to the draws, not the size (%i values, %i draws)', (n, draws) => {
    const p = new LazyPermutation(n, seededRandom(3));
    for (let i = 0; i < draws; i++) {
      p.take(1);
      expect(p.heldPositions).toBeLessThanOrEqual(i + 1);
    }
  });

  test('every value is equally likely to be drawn (chi-square, significance 0.001)', () => {
    const random = seededRandom(4);
    const counts = new Array<number>(100).fill(0);
    for (let i = 0; i < 4000; i++) for (const v of new LazyPermutation(100, random).take(25)) counts[v]!++;
    const { statistic, critical } = chiSquareUniform(counts);
    expect(statistic).toBeLessThan(critical);
  });

  test('every value is equally likely in every position of the draw', () => {
    const random = seededRandom(5);
    const firstPosition = new Array<number>(20).fill(0);
    for (let i = 0; i < 20_000; i++) firstPosition[new LazyPermutation(20, random).take(5)[0]!]!++;
    const { statistic, critical } = chiSquareUniform(firstPosition);
    expect(statistic).toBeLessThan(critical);
  });

  test('a biased draw is caught by the same chi-square check', () => {
    const random = seededRandom(6);
    const counts = new Array<number>(100).fill(0);
    // A classic bug: sampling with replacement then de-duplicating, skewed toward low ids.
    for (let i = 0; i < 4000; i++) for (let j = 0; j < 25; j++) counts[Math.floor(random() ** 1.2 * 100)]!++;
    expect(chiSquareUniform(counts).statistic).toBeGreaterThan(chiSquareUniform(counts).critical);
  });

  test('a negative size is refused', () => {
    expect(() => new LazyPermutation(-1, Math.random)).toThrow(RangeError);
  });
});
