// A baseline of the images benchmark: a plain Express 5 app answering GET /random?count=N with
// the same bytes as the images service, from memory: `res.json`, with the two settings that
// would otherwise add headers the service does not send (X-Powered-By, and an ETag that a random
// answer cannot use) turned off, and the service's x-request-id. No metrics, no logging, no
// validation beyond reading count: what Express alone costs per request.
// Env: PORT (default 0 = any), HOST (default 127.0.0.1).
import express from 'express';
import { countOf, requestId, sampleUrls } from './sample-urls.js';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
app.get('/random', (req, res) => {
  const count = countOf(req.query.count);
  res.setHeader('x-request-id', requestId());
  res.json({ message: count === null ? sampleUrls(1)[0] : sampleUrls(count) });
});
app.get('/readyz', (_req, res) => {
  res.json({ status: 'ready' });
});
const server = app.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', () => {
  process.stdout.write(`express server listening on ${JSON.stringify(server.address())}\n`);
});
server.keepAliveTimeout = 65_000;
process.once('SIGTERM', () => server.close(() => process.exit(0)));
