import { llamaCatalog } from '../src/index.js';
import { startImages, uniqueDbName, type RunningImages } from './support/images-server.js';

let images: RunningImages;
const catalog = llamaCatalog();

beforeAll(async () => {
  images = await startImages(uniqueDbName('images_api'));
  await images.catalog.seed(catalog, new Date('2026-01-01T00:00:00Z'));
});
afterAll(() => images.close());

const get = (path: string) => fetch(`${images.url}${path}`);
const post = (path: string, body: string, contentType = 'application/json') =>
  fetch(`${images.url}${path}`, { method: 'POST', body, headers: { 'content-type': contentType } });

describe('GET /random', () => {
  test('without count it answers one catalog URL as a string, like the original LaaS', async () => {
    const res = await get('/random');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { message: string };
    expect(catalog).toContain(body.message);
  });

  test.each([1, 5, 25])('count=%i answers that many distinct catalog URLs', async (count) => {
    const res = await get(`/random?count=${count}`);
    expect(res.status).toBe(200);
    const { message } = (await res.json()) as { message: string[] };
    expect(message).toHaveLength(count);
    expect(new Set(message).size).toBe(count);
    for (const url of message) expect(catalog).toContain(url);
  });

  test('a catalog smaller than count answers every image once', async () => {
    const small = await startImages(uniqueDbName('images_small'), { maxCount: 25 });
    try {
      await small.catalog.seed(catalog.slice(0, 3), new Date());
      const { message } = (await (await fetch(`${small.url}/random?count=25`)).json()) as {
        message: string[];
      };
      expect(message.sort()).toEqual(catalog.slice(0, 3).sort());
    } finally {
      await small.close();
    }
  });

  test('an empty catalog answers [] for a list and 404 catalog_empty for one image', async () => {
    const empty = await startImages(uniqueDbName('images_empty'));
    try {
      expect(await (await fetch(`${empty.url}/random?count=3`)).json()).toEqual({ message: [] });
      const res = await fetch(`${empty.url}/random`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ error: { code: 'catalog_empty' } });
    } finally {
      await empty.close();
    }
  });

  test.each([
    ['count=abc', 'invalid_count'],
    ['count=0', 'count_out_of_range'],
    ['count=-1', 'invalid_count'],
    ['count=1e9', 'invalid_count'],
    ['count=26', 'count_out_of_range'],
    ['count[]=1', 'invalid_count'],
    ['count=1&count=2', 'invalid_count'],
  ])('?%s is refused with 400 %s and a readable message', async (query, code) => {
    const res = await get(`/random?${query}`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message).toMatch(/count/);
  });
});

describe('POST /images and GET /images/:id', () => {
  test('an upload is stored, answered 201 with its location, and readable by id', async () => {
    const res = await post('/images', JSON.stringify({ url: 'https://example.com/new-llama.jpg' }));
    expect(res.status).toBe(201);
    const image = (await res.json()) as { id: number; url: string; createdAt: string };
    expect(image).toMatchObject({ url: 'https://example.com/new-llama.jpg' });
    expect(res.headers.get('location')).toBe(`/images/${image.id}`);
    const again = await get(`/images/${image.id}`);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(image);
  });

  test('an uploaded image is among the random ones', async () => {
    const store = await startImages(uniqueDbName('images_upload'));
    try {
      await fetch(`${store.url}/images`, {
        method: 'POST',
        body: JSON.stringify({ url: 'https://example.com/only.jpg' }),
        headers: { 'content-type': 'application/json' },
      });
      expect(await (await fetch(`${store.url}/random`)).json()).toEqual({
        message: 'https://example.com/only.jpg',
      });
    } finally {
      await store.close();
    }
  });

  test('uploading the same URL twice answers 409 duplicate_image and stores it once', async () => {
    const body = JSON.stringify({ url: 'https://example.com/twice.jpg' });
    expect((await post('/images', body)).status).toBe(201);
    const res = await post('/images', body);
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: { code: 'duplicate_image' } });
    expect(
      await images.db.collection('images').countDocuments({ url: 'https://example.com/twice.jpg' }),
    ).toBe(1);
  });

  test.each([
    ['malformed JSON', '{"url": ', 'application/json', 400, 'malformed_json'],
    [
      'a wrong content type',
      'url=https://example.com/a.jpg',
      'application/x-www-form-urlencoded',
      415,
      'unsupported_media_type',
    ],
    ['text/plain', '{"url":"https://example.com/a.jpg"}', 'text/plain', 415, 'unsupported_media_type'],
    [
      'a body over 16 KiB',
      JSON.stringify({ url: 'https://example.com/a.jpg', pad: 'x'.repeat(17 * 1024) }),
      'application/json',
      413,
      'payload_too_large',
    ],
    ['operator injection', '{"url": {"$gt": ""}}', 'application/json', 400, 'invalid_url'],
    ['a relative URL', '{"url": "/a.jpg"}', 'application/json', 400, 'invalid_url'],
    [
      'a URL over 2048 characters',
      JSON.stringify({ url: `https://e.com/${'a'.repeat(2100)}` }),
      'application/json',
      400,
      'url_too_long',
    ],
    [
      'a JSON string instead of an object',
      '"https://example.com/a.jpg"',
      'application/json',
      400,
      'malformed_json',
    ],
    ['an empty object', '{}', 'application/json', 400, 'missing_url'],
  ])('%s is refused with %i %s', async (_label, body, contentType, status, code) => {
    const res = await post('/images', body, contentType);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code, message: expect.any(String) } });
  });

  test.each([
    ['an http URL', 'http://example.com/plain.jpg', 'url_not_https'],
    ['a loopback address', 'https://127.0.0.1/a.jpg', 'url_not_public'],
    ['the metadata address in hexadecimal', 'https://0xa9.0xfe.0xa9.0xfe/latest', 'url_not_public'],
    ['a private IPv4 address inside IPv6', 'https://[::ffff:10.0.0.1]/a.jpg', 'url_not_public'],
    ['localhost', 'https://localhost:4000/a.jpg', 'url_not_public'],
  ])('an upload of %s is refused with 400 %s and nothing is stored', async (_label, url, code) => {
    const res = await post('/images', JSON.stringify({ url }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: { code, message: expect.stringMatching(/https|public/) },
    });
    expect(await images.db.collection('images').countDocuments({ url: new URL(url).href })).toBe(0);
  });

  test('no body at all is refused with 400 missing_body', async () => {
    const res = await fetch(`${images.url}/images`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'missing_body' } });
  });

  test.each([
    ['an unknown id', '/images/999999', 404, 'image_not_found'],
    ['a malformed id', '/images/not-a-number', 400, 'invalid_id'],
    ['an ObjectId-looking id', '/images/64b7f0c2e4b0a1a2b3c4d5e6', 400, 'invalid_id'],
    ['an unknown route', '/nope', 404, 'route_not_found'],
  ])('%s answers %i %s', async (_label, path, status, code) => {
    const res = await get(path);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
  });
});

describe('service endpoints', () => {
  test('GET / lists the endpoints', async () => {
    const body = (await (await get('/')).json()) as { endpoints: Record<string, string> };
    expect(Object.keys(body.endpoints)).toEqual(
      expect.arrayContaining(['GET /random', 'POST /images', 'GET /images/:id']),
    );
  });

  test('/healthz is alive and /readyz is ready while the catalog is loaded and the database answers', async () => {
    expect((await get('/healthz')).status).toBe(200);
    const ready = await get('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { catalog: 'ok', database: 'ok' } });
  });

  test('every response carries a request id, and a given one is kept', async () => {
    expect((await get('/random')).headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const res = await fetch(`${images.url}/random`, { headers: { 'x-request-id': 'trace-123' } });
    expect(res.headers.get('x-request-id')).toBe('trace-123');
  });
});
