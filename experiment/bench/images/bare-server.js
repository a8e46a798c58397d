// A baseline of the images benchmark: a bare node:http server answering GET /random?count=N with
// the same bytes as the images service (the same JSON, the same headers), from memory. No
// Express, no database, no metrics: what Node's HTTP stack alone costs per request.
// Env: PORT (default 0 = any), HOST (default 127.0.0.1).
import { createServer } from 'node:http';
import { countOf, requestId, sampleUrls } from './sample-urls.js';

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/readyz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ready"}');
    return;
  }
  if (url.pathname !== '/random') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const count = countOf(url.searchParams.get('count'));
  const body = JSON.stringify({ message: count === null ? sampleUrls(1)[0] : sampleUrls(count) });
  res.writeHead(200, {
    'x-request-id': requestId(),
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(`bare server listening on ${JSON.stringify(server.address())}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
