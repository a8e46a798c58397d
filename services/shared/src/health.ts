import { Router } from 'express';
import { podReadiness } from './cluster-readiness.js';
import type { Readiness } from './readiness.js';

// The readiness model lives in readiness.ts, which cluster-readiness.ts also reads; re-exported
// here so that importers keep one place to take health from.
export { Readiness, type ReadinessCheck, type ReadinessReport } from './readiness.js';

export function healthRouter(readiness: Readiness): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const { ready, degraded, checks } = await podReadiness(readiness);
    const status = !ready ? 'unavailable' : degraded ? 'degraded' : 'ready';
    res.status(ready ? 200 : 503).json({ status, checks });
  });
  return router;
}
