// A control for the benchmark, not a gateway: the least a proxy in front of images can do. A bare
// node:http server that forwards every request to IMAGES_URL (/api/images/random -> /random)
// through an undici pool and streams the answer back: no request id, routing table, metrics,
// CORS, limit or token. Measured side by side with the gateway, it shows how much of the
// through-gateway loss is the second hop itself (two processes in series) on this machine.
import http from 'node:http';
import { Pool } from 'undici';

const upstream = new URL(process.env.IMAGES_URL);
const pool = new Pool(upstream.origin, { connections: 64 });
const server = http.createServer((req, res) => {
  const path = req.url.replace(/^\/api\/images\/random/, '/random');
  pool
    .stream({ method: req.method, path }, ({ statusCode, headers }) => {
      res.statusCode = statusCode;
      if (headers['content-type']) res.setHeader('content-type', headers['content-type']);
      return res;
    })
    .catch(() => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
