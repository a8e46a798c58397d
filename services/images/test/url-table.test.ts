import { UrlTable } from '../src/index.js';

const urlOf = (i: number) => `https://llamas.laas.example/images/llama-${i}.jpg`;

describe('UrlTable', () => {
  test('slot i holds the i-th URL appended, across growth of the buffer and the offsets', () => {
    const table = new UrlTable(16, 2);
    for (let i = 0; i < 5_000; i++) table.append(urlOf(i));
    expect(table.size).toBe(5_000);
    for (const i of [0, 1, 2, 2_499, 4_999]) expect(table.url(i)).toBe(urlOf(i));
  });

  test('a URL with every character a WHATWG href may hold reads back unchanged', () => {
    const table = new UrlTable();
    const odd = new URL('https://xn--llma-loa.example/a%20b/c?d=\\e&f=%22g%22#h`i').href;
    table.append('');
    table.append(odd);
    expect([table.url(0), table.url(1)]).toEqual(['', odd]);
  });

  test('memoryAfter predicts the memory an append will hold', () => {
    const table = new UrlTable(64, 4);
    for (let i = 0; i < 1_000; i++) {
      const predicted = table.memoryAfter(1, urlOf(i).length);
      table.append(urlOf(i));
      expect(table.memoryBytes).toBe(predicted);
    }
  });

  test('100,000 URLs hold at most 1.5 times their bytes plus 4 bytes per URL', () => {
    const table = new UrlTable();
    let urlBytes = 0;
    for (let i = 0; i < 100_000; i++) {
      table.append(urlOf(i));
      urlBytes += urlOf(i).length;
    }
    expect(table.memoryBytes).toBeLessThanOrEqual(1.5 * (urlBytes + 4 * 100_000));
  });

  test.each([
    ['a plain URL', 'https://example.com/llama.jpg'],
    ['a backslash kept in a query', new URL('https://example.com/?q=a\\b').href],
    ['text outside ASCII (stored before uploads were validated)', 'https://example.com/lláma-🦙.jpg'],
    ['a control character and a quote', 'https://example.com/a\u0001"b'],
  ])(
    '%s is copied out as the inside of an ASCII JSON string of it, and reads back unchanged',
    (_label, url) => {
      const table = new UrlTable();
      table.append('https://example.com/before.jpg');
      table.append(url);
      const out = Buffer.alloc(table.jsonLength(1) + 2, '"');
      expect(table.copyJson(1, out, 1)).toBe(out.length - 1);
      // A JSON string in printable ASCII (so one latin1 byte per character is exact) that means the URL.
      expect(out.toString('latin1')).toMatch(/^"[\x20-\x7e]*"$/);
      expect(JSON.parse(out.toString('latin1'))).toBe(url);
      expect(table.url(1)).toBe(url);
      expect(UrlTable.storedBytes(url)).toBe(table.jsonLength(1));
    },
  );
});
