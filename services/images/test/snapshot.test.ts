import { buildSnapshot, sampleSnapshot, snapshotIsStale, type CatalogSnapshot } from '../src/index.js';
import { chiSquareUniform, seededRandom } from './support/seeded-random.js';

const snap = (slots: string[], builtAt = 0): CatalogSnapshot => ({
  next: slots.length,
  slots,
  gaps: slots.filter((s) => s === '').length,
  builtAt,
});

describe('sampleSnapshot', () => {
  test.each([
    ['draws the count asked for, all distinct', ['a', 'b', 'c', 'd', 'e'], 3, 3],
    ['never draws a gap', ['a', '', 'c', '', 'e'], 3, 3],
    ['gives every image once when asked for more than there are', ['a', '', 'c'], 25, 2],
    ['gives nothing from an empty catalog', [], 5, 0],
    ['gives nothing from a catalog of gaps', ['', '', ''], 2, 0],
  ])('%s', (_label, slots, count, expected) => {
    const drawn = sampleSnapshot(snap(slots), count, seededRandom(1));
    expect(drawn).toHaveLength(expected);
    expect(new Set(drawn.map((d) => d.url)).size).toBe(expected);
    for (const { id, url } of drawn) expect(slots[id]).toBe(url);
  });

  test('every image is equally likely, gaps or not (chi-square, significance 0.001)', () => {
    const slots = Array.from({ length: 120 }, (_, i) => (i % 6 === 5 ? '' : `u${i}`));
    const random = seededRandom(2);
    const counts = new Map<string, number>();
    for (let i = 0; i < 4000; i++)
      for (const { url } of sampleSnapshot(snap(slots), 25, random))
        counts.set(url, (counts.get(url) ?? 0) + 1);
    const { statistic, critical } = chiSquareUniform(slots.filter(Boolean).map((u) => counts.get(u) ?? 0));
    expect(statistic).toBeLessThan(critical);
  });
});

describe('snapshotIsStale', () => {
  const complete = { ...snap(['a', 'b', 'c'], 1000) };
  const withGap = { ...snap(['a', '', 'c'], 1000) };
  test.each([
    ['there is no snapshot yet', null, 3, 1000, true],
    ['the counter moved past it (an upload)', complete, 4, 1000, true],
    ['it covers the counter and has no gaps, however old', complete, 3, 999_999, false],
    ['the counter is behind it (a replica read it a moment ago)', complete, 2, 1000, false],
    ['it has a gap and is younger than 10 s', withGap, 3, 1000 + 9_999, false],
    ['it has a gap and is 10 s old: an in-flight insert may have landed', withGap, 3, 1000 + 10_000, true],
  ])('%s → stale: %s', (_label, snapshot, idSpace, now, stale) => {
    expect(snapshotIsStale(snapshot, idSpace, now, 10_000)).toBe(stale);
  });
});

describe('buildSnapshot', () => {
  test('places each image at its id, counts the gaps, and covers ids allocated after the counter was read', () => {
    const built = buildSnapshot(
      [
        { _id: '0', url: 'a' },
        { _id: '2', url: 'c' },
        { _id: '4', url: 'e' },
      ],
      3,
      7,
    );
    expect(built).toEqual({ next: 5, slots: ['a', '', 'c', '', 'e'], gaps: 2, builtAt: 7 });
  });
});
