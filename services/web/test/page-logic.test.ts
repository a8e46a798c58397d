import { altText } from '../src/app/alt-text.js';
import { formatAgo, formatMs, formatRps } from '../src/app/format.js';
import { describeSeries, sparklinePath } from '../src/app/sparkline.js';

describe('sparklinePath', () => {
  test.each([
    ['no data draws nothing', [null, null], ''],
    ['1 then 3 rises to the top, with 0 at the bottom', [1, 3], 'M0 12.7L100 2'],
    ['a gap breaks the line', [2, null, 2], 'M0 2M100 2'],
    ['one point is a dot at the left', [5], 'M0 2'],
    ['all zeros lie on the bottom', [0, 0], 'M0 18L100 18'],
  ])('%s', (_name, values, d) => {
    expect(sparklinePath(values, 100, 20)).toBe(d);
  });

  test('describes a series for screen readers', () => {
    expect(describeSeries([1, null, 3, 2], String)).toBe('from 1 to 2, peak 3');
    expect(describeSeries([null], String)).toBe('no data');
  });
});

describe('alt text for catalog URLs', () => {
  test.each([
    [
      'http://laas.local/pictures/7-brown-llama-grazing-in-the-andes-wearing-a-scarf.svg',
      'A brown llama grazing in the andes wearing a scarf',
    ],
    ['https://example.org/uploads/my%20llama.jpg', 'A picture uploaded from example.org (my llama.jpg)'],
    ['https://example.org/', 'A picture uploaded from example.org'],
    ['not a url', 'A llama picture'],
  ])('%s → %s', (url, alt) => {
    expect(altText(url)).toBe(alt);
  });
});

describe('the panel numbers', () => {
  test.each([
    [null, '—'],
    [0.04, '0.04/s'],
    [12.34, '12.3/s'],
    [1234.5, '1235/s'],
  ])('rps %p → %s', (rps, text) => {
    expect(formatRps(rps)).toBe(text);
  });
  test.each([
    [null, '—'],
    [4.25, '4.3 ms'],
    [123.4, '123 ms'],
    [2500, '2.5 s'],
  ])('latency %p → %s', (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
  test.each([
    [5, '5 s ago'],
    [125, '2 min ago'],
  ])('%i seconds → %s', (s, text) => {
    expect(formatAgo(s)).toBe(text);
  });
});
