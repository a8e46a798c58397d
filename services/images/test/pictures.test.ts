import {
  PictureGallery,
  SEED_PICTURES,
  describe as describeLlama,
  drawLlama,
  llamaCatalog,
  llamaTraits,
  loadImagesConfig,
  pictureFileName,
  seedPictureUrls,
} from '../src/index.js';
import { startImages, uniqueDbName, type RunningImages } from './support/images-server.js';

const ids = Array.from({ length: SEED_PICTURES }, (_, i) => i + 1);

describe('the seed llama pictures', () => {
  test('there are 100, each drawn the same way every time from its id alone', () => {
    expect(ids.map((id) => drawLlama(llamaTraits(id)))).toEqual(ids.map((id) => drawLlama(llamaTraits(id))));
  });

  test('no two of them are the same picture or carry the same description', () => {
    expect(new Set(ids.map((id) => drawLlama(llamaTraits(id)))).size).toBe(100);
    expect(new Set(ids.map((id) => describeLlama(llamaTraits(id)))).size).toBe(100);
  });

  test('they vary in coat, pose, place and accessory', () => {
    const traits = ids.map(llamaTraits);
    expect(new Set(traits.map((t) => t.coat.name)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(traits.map((t) => t.pose)).size).toBe(4);
    expect(new Set(traits.map((t) => t.place)).size).toBe(10);
    expect(new Set(traits.map((t) => t.accessory)).size).toBe(7);
    expect(new Set(traits.map((t) => t.facingLeft)).size).toBe(2);
  });

  test('each is a small SVG document (under 4 KB) with a title', () => {
    for (const id of ids) {
      const svg = drawLlama(llamaTraits(id));
      expect(Buffer.byteLength(svg)).toBeLessThan(4096);
      expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 200 200"/);
      expect(svg).toMatch(/<title>A [a-z ]+<\/title>/);
      expect(svg.endsWith('</svg>')).toBe(true);
    }
  });

  test.each([0, 101, 1.5, -3])('id %p is not a seed picture', (id) => {
    expect(() => llamaTraits(id)).toThrow(RangeError);
  });
});

describe('the seeded URLs', () => {
  test.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/pictures/'],
    ['http://laas.local/', 'http://laas.local/pictures/'],
    ['https://example.org/laas/', 'https://example.org/laas/pictures/'],
  ])('under the base %s they start with %s and name the picture', (base, prefix) => {
    const urls = seedPictureUrls(base);
    expect(urls).toHaveLength(100);
    expect(urls.every((u) => u.startsWith(prefix))).toBe(true);
    expect(urls[6]).toBe(`${prefix}${pictureFileName(7)}`);
    expect(new Set(urls).size).toBe(100);
  });

  test('llamaCatalog() is the pictures under the default base, the gateway of `npm run local`', () => {
    expect(llamaCatalog()).toEqual(seedPictureUrls('http://127.0.0.1:4002'));
  });
});

describe('PUBLIC_BASE_URL is checked at boot', () => {
  test.each([
    [undefined, 'http://127.0.0.1:4002'],
    ['http://laas.local', 'http://laas.local'],
    ['https://example.org/laas/', 'https://example.org/laas'],
  ])('%p is read as %p', (raw, expected) => {
    expect(loadImagesConfig({ PUBLIC_BASE_URL: raw }).publicBaseUrl).toBe(expected);
  });

  test.each([
    ['laas.local', /PUBLIC_BASE_URL must be an absolute URL/],
    ['ftp://laas.local', /PUBLIC_BASE_URL must use http: or https:/],
    ['http://laas.local/?x=1', /PUBLIC_BASE_URL must not carry a query/],
    ['http://user:pw@laas.local', /PUBLIC_BASE_URL must not carry a query, fragment or credentials/],
  ])('%p is refused with a clear message', (raw, message) => {
    expect(() => loadImagesConfig({ PUBLIC_BASE_URL: raw })).toThrow(message);
  });
});

describe('GET /pictures/:file on the images service', () => {
  let images: RunningImages;
  beforeAll(async () => {
    images = await startImages(uniqueDbName('pictures'));
  });
  afterAll(async () => {
    await images.close();
  });

  test.each([['7.svg'], [pictureFileName(7)]])(
    '%s answers the picture, cached for a year as immutable',
    async (file) => {
      const res = await fetch(`${images.url}/pictures/${file}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('etag')).toBe(new PictureGallery().find('7.svg')!.etag);
      expect(await res.text()).toBe(drawLlama(llamaTraits(7)));
    },
  );

  test('a client holding the ETag gets 304 and no body', async () => {
    const etag = (await fetch(`${images.url}/pictures/12.svg`)).headers.get('etag')!;
    const res = await fetch(`${images.url}/pictures/12.svg`, {
      headers: { 'if-none-match': `W/"x", ${etag}` },
    });
    expect(res.status).toBe(304);
    expect(await res.text()).toBe('');
  });

  test.each([
    ['abc.svg', 400, 'invalid_picture_name'],
    ['7.png', 400, 'invalid_picture_name'],
    ['101.svg', 404, 'picture_not_found'],
    ['7-a-llama-that-is-not-this-one.svg', 404, 'picture_not_found'],
  ])('%s answers %i %s', async (file, status, code) => {
    const res = await fetch(`${images.url}/pictures/${file}`);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
  });
});
