// The baseline of the images benchmark: a bare node:http server answering GET /random?count=N
// with the same JSON shape as the images service ({"message": [N distinct URLs]}), drawn from an
// in-memory list of 100 URLs. No Express, no database, no metrics: what Node alone costs per
// request under the same CPU limit. Env: PORT (default 0 = any), HOST (default 127.0.0.1).
import { createServer } from 'node:http';

const URLS = Array.from(
  { length: 100 },
  (_, i) => `https://llamas.example/llama-${String(i + 1).padStart(3, '0')}.jpg`,
);

function sample(count) {
  // Partial Fisher-Yates over a copy: `count` distinct URLs.
  const pool = URLS.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/readyz' || url.pathname === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  if (url.pathname !== '/random') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    return;
  }
  const count = Math.min(25, Math.max(1, Number(url.searchParams.get('count') ?? 1) || 1));
  const body = JSON.stringify({ message: count === 1 ? sample(1)[0] : sample(count) });
  res.writeHead(200, {
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
