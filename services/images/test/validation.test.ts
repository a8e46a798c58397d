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
    ['an http url', { url: 'http://example.com/a.png' }, 'url_not_https'],
    ['a url over 2048 characters', { url: `https://example.com/${'a'.repeat(2040)}` }, 'url_too_long'],
    ['an unknown field', { url: 'https://example.com/a.jpg', $where: '1' }, 'unknown_field'],
  ])('refuses %s', (_label, body, code) => {
    expect(errorOf(() => parseImageUpload(body))).toMatchObject({ status: 400, code });
  });
});

describe('parseImageUpload takes https URLs to public hosts only', () => {
  test.each([
    ['a public domain', 'https://example.com/a.jpg', 'https://example.com/a.jpg'],
    [
      'a public domain with a port',
      'https://pictures.example.org:8443/a.jpg',
      'https://pictures.example.org:8443/a.jpg',
    ],
    ['a public IPv4 address', 'https://93.184.215.14/a.jpg', 'https://93.184.215.14/a.jpg'],
    [
      'a public IPv6 address',
      'https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/a.jpg',
      'https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/a.jpg',
    ],
    [
      'a public IPv4 address mapped into IPv6',
      'https://[::ffff:93.184.215.14]/a.jpg',
      'https://[::ffff:5db8:d70e]/a.jpg',
    ],
    [
      'a name that merely starts like a local one',
      'https://localhost.example.com/a.jpg',
      'https://localhost.example.com/a.jpg',
    ],
    ['a name with a trailing dot', 'https://example.com./a.jpg', 'https://example.com./a.jpg'],
  ])('accepts %s', (_label, url, expected) => {
    expect(parseImageUpload({ url })).toBe(expected);
  });

  test.each([
    ['IPv4 loopback', 'https://127.0.0.1/a.jpg', 'loopback'],
    ['IPv4 loopback anywhere in 127/8', 'https://127.8.9.10/a.jpg', 'loopback'],
    ['IPv4 loopback in hexadecimal', 'https://0x7f.0.0.1/a.jpg', 'loopback'],
    ['IPv4 loopback as one decimal number', 'https://2130706433/a.jpg', 'loopback'],
    ['IPv4 loopback in octal', 'https://0177.0.0.1/a.jpg', 'loopback'],
    ['IPv4 loopback with parts left out', 'https://127.1/a.jpg', 'loopback'],
    ['the unspecified IPv4 address', 'https://0.0.0.0/a.jpg', 'unspecified'],
    ['the unspecified address written as 0', 'https://0/a.jpg', 'unspecified'],
    ['a 10/8 private address', 'https://10.1.2.3/a.jpg', 'private'],
    ['a 172.16/12 private address', 'https://172.31.255.255/a.jpg', 'private'],
    ['a 192.168/16 private address', 'https://192.168.0.1/a.jpg', 'private'],
    ['a shared (carrier-grade NAT) address', 'https://100.64.0.1/a.jpg', 'private'],
    ['the cloud metadata address (link-local)', 'https://169.254.169.254/latest/meta-data', 'link-local'],
    ['an IPv4 multicast address', 'https://224.0.0.1/a.jpg', 'multicast'],
    ['the IPv4 broadcast address', 'https://255.255.255.255/a.jpg', 'reserved'],
    ['a documentation address', 'https://192.0.2.1/a.jpg', 'reserved'],
    ['a benchmarking address (the lab cluster)', 'https://198.18.0.5/a.jpg', 'reserved'],
    ['IPv6 loopback', 'https://[::1]/a.jpg', 'loopback'],
    ['the unspecified IPv6 address', 'https://[::]/a.jpg', 'unspecified'],
    ['IPv6 link-local', 'https://[fe80::1]/a.jpg', 'link-local'],
    ['IPv6 unique-local', 'https://[fd12:3456:789a::1]/a.jpg', 'unique-local'],
    ['IPv6 multicast', 'https://[ff02::1]/a.jpg', 'multicast'],
    ['IPv4 loopback mapped into IPv6', 'https://[::ffff:127.0.0.1]/a.jpg', 'loopback'],
    ['a private address mapped into IPv6, in hex', 'https://[::ffff:c0a8:1]/a.jpg', 'private'],
    ['the metadata address mapped into IPv6', 'https://[::ffff:169.254.169.254]/a.jpg', 'link-local'],
    ['an IPv4-compatible IPv6 address', 'https://[::7f00:1]/a.jpg', 'reserved'],
    ['a NAT64 address', 'https://[64:ff9b::7f00:1]/a.jpg', 'reserved'],
    ['a 6to4 address', 'https://[2002:7f00:1::]/a.jpg', 'reserved'],
    ['localhost', 'https://localhost/a.jpg', 'local host'],
    ['LOCALHOST with a trailing dot', 'https://LOCALHOST./a.jpg', 'local host'],
    ['a name under .localhost', 'https://app.localhost/a.jpg', 'local host'],
    ['an mDNS name', 'https://printer.local/a.jpg', 'local host'],
    ['a cluster Service name', 'https://laas-images.laas.svc.cluster.local/a.jpg', 'local host'],
    ['a name under .internal', 'https://metadata.google.internal/a.jpg', 'local host'],
    ['a name under .home.arpa', 'https://nas.home.arpa/a.jpg', 'local host'],
    ['a single-label name', 'https://intranet/a.jpg', 'single-label'],
  ])('refuses %s (%s) with 400 url_not_public, saying why', (_label, url, why) => {
    const err = errorOf(() => parseImageUpload({ url })) as {
      status?: number;
      code?: string;
      message?: string;
    };
    expect(err).toMatchObject({ status: 400, code: 'url_not_public' });
    expect(err.message).toContain(why);
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
