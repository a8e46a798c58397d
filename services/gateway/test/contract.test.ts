import { contractProblems } from './support/contract.js';
import {
  json,
  startGateway,
  startServices,
  uniqueDbName,
  type RunningGateway,
  type Services,
} from './support/stack.js';

let services: Services;
let gateway: RunningGateway;
let token = '';
let imageId = 0;
const email = `contract-${Date.now()}@example.com`;

beforeAll(async () => {
  services = await startServices(uniqueDbName('gateway_contract'));
  await services.images.catalog.seed(['https://example.com/contract-llama.jpg'], new Date());
  gateway = await startGateway({ upstreams: { images: services.images.url, auth: services.auth.url } });
});
afterAll(async () => {
  await gateway.close();
  await services.close();
});

const bearer = (): Record<string, string> => ({ authorization: `Bearer ${token}` });
const post = (body: unknown, headers: Record<string, string> = {}): RequestInit => {
  const init = json(body);
  return { ...init, headers: { ...(init.headers as Record<string, string>), ...headers } };
};

/** Each row: a label, the request, the status expected. Rows run in order (later ones use the token). */
const rows: [string, string, string, () => RequestInit, number][] = [
  [
    'register',
    'POST',
    '/api/auth/register',
    () => post({ email, password: 'contract password', name: 'Contract' }),
    202,
  ],
  ['register again', 'POST', '/api/auth/register', () => post({ email, password: 'contract password' }), 202],
  [
    'register with a short password',
    'POST',
    '/api/auth/register',
    () => post({ email: 'x@example.com', password: 'short' }),
    400,
  ],
  [
    'register as text/plain',
    'POST',
    '/api/auth/register',
    () => ({ method: 'POST', body: 'x', headers: { 'content-type': 'text/plain' } }),
    415,
  ],
  [
    'log in with a wrong password',
    'POST',
    '/api/auth/login',
    () => post({ email, password: 'wrong password' }),
    401,
  ],
  ['log in', 'POST', '/api/auth/login', () => post({ email, password: 'contract password' }), 200],
  ['authenticate', 'POST', '/api/auth/authenticate', () => ({ method: 'POST', headers: bearer() }), 200],
  ['authenticate without a token', 'POST', '/api/auth/authenticate', () => ({ method: 'POST' }), 401],
  ['me', 'GET', '/api/auth/me', () => ({ headers: bearer() }), 200],
  [
    'upload',
    'POST',
    '/api/images',
    () => post({ url: `https://example.com/contract-${Date.now()}.jpg` }, bearer()),
    201,
  ],
  ['upload without a token', 'POST', '/api/images', () => post({ url: 'https://example.com/x.jpg' }), 401],
  ['upload a relative URL', 'POST', '/api/images', () => post({ url: '/x.jpg' }, bearer()), 400],
  [
    'upload through the alias',
    'POST',
    '/upload',
    () => post({ url: `https://example.com/alias-${Date.now()}.jpg` }, bearer()),
    201,
  ],
  ['one random image', 'GET', '/api/images/random', () => ({}), 200],
  ['25 random images', 'GET', '/api/images/random?count=25', () => ({}), 200],
  ['a bad count', 'GET', '/api/images/random?count=abc', () => ({}), 400],
  ['random through the alias', 'GET', '/random?count=3', () => ({}), 200],
  ['an image by id', 'GET', '/api/images/{uploaded}', () => ({}), 200],
  ['an unknown image', 'GET', '/api/images/999999', () => ({}), 404],
  ['liveness', 'GET', '/healthz', () => ({}), 200],
  ['readiness', 'GET', '/readyz', () => ({}), 200],
  ['the document itself', 'GET', '/openapi.json', () => ({}), 200],
  ['the scaling panel (off: no PROMETHEUS_URL here)', 'GET', '/api/scaling', () => ({}), 200],
];

test.each(rows)(
  '%s (%s %s) answers %i as the OpenAPI document says',
  async (_label, method, rawPath, init, status) => {
    const path = rawPath.replace('{uploaded}', String(imageId));
    const res = await fetch(`${gateway.url}${path}`, { method, ...init() });
    const body: unknown = await res.json();
    expect(res.status).toBe(status);
    expect(contractProblems(method, path, res.status, res.headers.get('content-type'), body)).toEqual([]);
    if (path === '/api/auth/login' && status === 200) token = (body as { token: string }).token;
    if (path === '/api/images' && status === 201) imageId = (body as { id: number }).id;
  },
);

test('the validator does catch a response that breaks the contract', () => {
  expect(contractProblems('GET', '/api/images/random', 200, 'application/json', { message: 42 })).not.toEqual(
    [],
  );
  expect(contractProblems('GET', '/api/images/random', 418, 'application/json', {})).toEqual([
    'GET /api/images/random does not document status 418',
  ]);
  expect(contractProblems('POST', '/api/auth/login', 200, 'application/json', { token: 'a.b.c' })[0]).toMatch(
    /expiresAt/,
  );
});

test('/openapi.json is an OpenAPI 3.1 document listing every public route', async () => {
  const doc = (await (await fetch(`${gateway.url}/openapi.json`)).json()) as {
    openapi: string;
    paths: Record<string, unknown>;
  };
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths)).toEqual(
    expect.arrayContaining([
      '/api/images/random',
      '/api/images',
      '/api/images/{id}',
      '/random',
      '/upload',
      '/api/auth/register',
      '/api/auth/login',
      '/api/auth/authenticate',
      '/api/auth/me',
      '/api/scaling',
      '/pictures/{file}',
    ]),
  );
});
