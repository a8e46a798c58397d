import { parseCount, parseImageId, parseImageUpload } from '../src/index.js';

const errorOf = (fn: () => unknown): { status?: number; code?: string } => {
  try {
    fn();
  } catch (err) {
    return err as { status?: number; code?: string };
  }
  throw new Error('expected an error');
};

describe('parseCount', () => {
  test.each([
    ['no count means a single image', {}, null],
    ['count=1 is one image in a list', { count: '1' }, 1],
    ['count=25 is the default maximum', { count: '25' }, 25],
    ['leading zeros are still a whole number', { count: '007' }, 7],
    ['other parameters are ignored', { count: '3', _: '12345' }, 3],
  ])('%s', (_label, query, expected) => {
    expect(parseCount(query, 25)).toBe(expected);
  });

  test.each([
    ['a word', { count: 'abc' }, 'invalid_count'],
    ['zero', { count: '0' }, 'count_out_of_range'],
    ['a negative number', { count: '-1' }, 'invalid_count'],
    ['exponent notation', { count: '1e9' }, 'invalid_count'],
    ['a huge number', { count: '1000000000' }, 'count_out_of_range'],
    ['one over the maximum', { count: '26' }, 'count_out_of_range'],
    ['a decimal', { count: '2.5' }, 'invalid_count'],
    ['an empty value', { count: '' }, 'invalid_count'],
    ['a repeated count', { count: ['1', '2'] }, 'invalid_count'],
    ['a bracketed count[]', { 'count[]': '1' }, 'invalid_count'],
    ['a nested count[a]', { 'count[a]': '1' }, 'invalid_count'],
  ])('refuses %s with 400 %s', (_label, query, code) => {
    expect(errorOf(() => parseCount(query as Record<string, unknown>, 25))).toMatchObject({
      status: 400,
      code,
    });
  });

  test('the maximum is configurable', () => {
    expect(parseCount({ count: '100' }, 100)).toBe(100);
    expect(errorOf(() => parseCount({ count: '101' }, 100))).toMatchObject({ code: 'count_out_of_range' });
  });
});

describe('parseImageUpload', () => {
  test.each([
    ['an https URL is kept', { url: 'https://example.com/llama.jpg' }, 'https://example.com/llama.jpg'],
    ['an http URL is kept', { url: 'http://example.com/a.png' }, 'http://example.com/a.png'],
    [
      'the host is normalised to lower case',
      { url: 'https://EXAMPLE.com/A.png' },
      'https://example.com/A.png',
    ],
  ])('%s', (_label, body, expected) => {
    expect(parseImageUpload(body)).toBe(expected);
  });

  test.each([
    ['a non-object body', 'https://x.example/a.jpg', 'invalid_body'],
    ['an array body', [{ url: 'https://x.example/a.jpg' }], 'invalid_body'],
    ['a missing url', {}, 'missing_url'],
    ['an operator object instead of a url', { url: { $gt: '' } }, 'invalid_url'],
    ['a number', { url: 42 }, 'invalid_url'],
    ['a relative url', { url: '/llama.jpg' }, 'invalid_url'],
    ['a javascript: url', { url: 'javascript:alert(1)' }, 'invalid_url'],
    ['an ftp url', { url: 'ftp://example.com/a.jpg' }, 'invalid_url'],
    ['a url over 2048 characters', { url: `https://example.com/${'a'.repeat(2040)}` }, 'url_too_long'],
    ['an unknown field', { url: 'https://example.com/a.jpg', $where: '1' }, 'unknown_field'],
  ])('refuses %s', (_label, body, code) => {
    expect(errorOf(() => parseImageUpload(body))).toMatchObject({ status: 400, code });
  });
});

describe('parseImageId', () => {
  test.each([
    ['0', 0],
    ['42', 42],
  ])('accepts %s', (raw, id) => expect(parseImageId(raw)).toBe(id));

  test.each([['abc'], ['-1'], ['1.5'], ['01'], ['9999999999999999'], ['64b7f0c2e4b0a1a2b3c4d5e6']])(
    'refuses the malformed id %s',
    (raw) => expect(errorOf(() => parseImageId(raw))).toMatchObject({ status: 400, code: 'invalid_id' }),
  );
});
