// A baseline of the images benchmark: a plain Express 5 app, default settings, answering
// GET /random?count=N with the same JSON as the images service, from memory. No request id, no
// metrics, no logging, no validation beyond reading count: what Express alone costs per request.
// Env: PORT (default 0 = any), HOST (default 127.0.0.1).
import express from 'express';
import { countOf, sampleUrls } from './sample-urls.js';

const app = express();
app.get('/random', (req, res) => {
  const count = countOf(req.query.count);
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
