import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import {
  answerError,
  assignRequestId,
  notFound,
  type HttpMetrics,
  type Logger,
  type Readiness,
} from '@laas/shared';
import type { ImageCatalog } from './catalog.js';
import { LazyPermutation, type Random } from './domain/sampling.js';
import type { UrlTable } from './domain/url-table.js';
import { parseCount } from './domain/validation.js';
import { SeriesRecorder } from './route-metrics.js';

export interface RandomRouteDeps {
  catalog: ImageCatalog;
  random: Random;
  maxCount: number;
  readiness: Readiness;
  metrics: HttpMetrics;
  logger: Logger;
}

/** The metrics label of this route: the template Express used when it served it. */
const ROUTE = '/random';
const CONTENT_TYPE = 'application/json; charset=utf-8';

// The constant parts of the answer, as bytes: the answer is these around the table's slots.
const LIST_OPEN = Buffer.from('{"message":[');
const LIST_CLOSE = Buffer.from(']}');
const ONE_OPEN = Buffer.from('{"message":"');
const ONE_CLOSE = Buffer.from('"}');
const QUOTE = 0x22;
const COMMA = 0x2c;

/**
 * `GET /random[?count=N]` as one plain `node:http` function (see routing.ts for why it is not
 * an Express route). Per request it assigns the request id, parses `count`, draws from the
 * catalog's table, copies the drawn URLs' JSON strings into one buffer, and answers with one
 * `writeHead` and one `end`; the draw reuses one permutation and one id array, and the 200s are
 * counted by a SeriesRecorder, so the only objects made per request are the request id, the
 * parsed query and the answer's buffer. Errors go to the shared answerError, as Express's do.
 *
 * What the client sees is what the Express route answered: the same body bytes
 * (`JSON.stringify({message})`), the same headers (`x-request-id`, `content-type`,
 * `content-length`, `connection: close` while draining; no ETag, which a random answer cannot
 * use) and the same errors. test/hot-path.test.ts compares the two.
 */
export function randomRoute(deps: RandomRouteDeps): RequestListener {
  const { catalog, random, maxCount, readiness, metrics, logger } = deps;
  const permutation = new LazyPermutation(0, random);
  const drawn = new Uint32Array(maxCount);
  const ok = new SeriesRecorder(metrics, 'GET', ROUTE, 200);
  // Reused for every 200: writeHead reads it before it returns, so changing the length and the
  // id between requests is safe, and no header object is made per request.
  const headers = { 'content-type': CONTENT_TYPE, 'content-length': 0 };

  const record = (req: IncomingMessage, res: ServerResponse, startMs: number): void => {
    const seconds = (performance.now() - startMs) / 1000;
    if (res.statusCode === 200 && req.method === 'GET') ok.record(seconds);
    else metrics.observe(req.method ?? 'GET', ROUTE, res.statusCode, seconds);
  };

  // Over the memory budget the drawn ids are read from the database: the one asynchronous case.
  const fromDatabase = async (req: IncomingMessage, res: ServerResponse, count: number | null) => {
    const startMs = performance.now();
    try {
      const urls = await catalog.sample(count ?? 1, random);
      if (count === null && urls.length === 0) throw catalogEmpty();
      const body = JSON.stringify({ message: count === null ? urls[0] : urls });
      headers['content-length'] = Buffer.byteLength(body);
      res.writeHead(200, headers);
      res.end(body);
    } catch (err) {
      answerError(err, req, res, logger);
    }
    record(req, res, startMs);
  };

  return function serveRandom(req: IncomingMessage, res: ServerResponse): void {
    const startMs = performance.now();
    metrics.arrived(res);
    assignRequestId(req, res);
    // While draining, every response closes its connection, so keep-alive clients reconnect elsewhere.
    if (readiness.isDraining) res.setHeader('connection', 'close');
    try {
      const count = countOf(req.url ?? ROUTE, maxCount);
      const table = catalog.tableForReads();
      if (table === null) {
        void fromDatabase(req, res, count);
        return;
      }
      const n = permutation.restart(table.size).takeInto(drawn, count ?? 1);
      if (count === null && n === 0) throw catalogEmpty();
      const body = count === null ? oneAnswer(table, drawn[0]!) : listAnswer(table, drawn, n);
      headers['content-length'] = body.length;
      res.writeHead(200, headers);
      res.end(body);
    } catch (err) {
      answerError(err, req, res, logger);
    }
    record(req, res, startMs);
  };
}

const catalogEmpty = () =>
  notFound('catalog_empty', 'the catalog has no images yet: POST /images or run the seed');

/**
 * `count` from the request target, parsed exactly as Express parsed `req.query` (its "simple"
 * query parser is `querystring.parse`), so every odd form (`count=1&count=2`, `count[]=1`,
 * `count=%32`) gets the answer it got there. No query at all: null.
 */
function countOf(url: string, maxCount: number): number | null {
  const q = url.indexOf('?');
  if (q === -1) return null;
  return parseCount(parseQuery(url.slice(q + 1)), maxCount);
}

/** `{"message":"<url>"}` */
function oneAnswer(table: UrlTable, id: number): Buffer {
  const body = Buffer.allocUnsafe(ONE_OPEN.length + table.jsonLength(id) + ONE_CLOSE.length);
  let at = ONE_OPEN.copy(body, 0);
  at = table.copyJson(id, body, at);
  ONE_CLOSE.copy(body, at);
  return body;
}

/** `{"message":["<url>","<url>",...]}` */
function listAnswer(table: UrlTable, ids: Uint32Array, n: number): Buffer {
  // Each URL takes its JSON string and two quotes, and all but the first a comma.
  let length = LIST_OPEN.length + LIST_CLOSE.length + (n > 0 ? 3 * n - 1 : 0);
  for (let i = 0; i < n; i++) length += table.jsonLength(ids[i]!);
  const body = Buffer.allocUnsafe(length);
  let at = LIST_OPEN.copy(body, 0);
  for (let i = 0; i < n; i++) {
    if (i > 0) body[at++] = COMMA;
    body[at++] = QUOTE;
    at = table.copyJson(ids[i]!, body, at);
    body[at++] = QUOTE;
  }
  LIST_CLOSE.copy(body, at);
  return body;
}
