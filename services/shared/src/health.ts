import { Router } from 'express';

/** A dependency check for readiness: resolves when the dependency answers, rejects otherwise. */
export type ReadinessCheck = { name: string; check: () => Promise<void> };

/**
 * Liveness says "the process works"; readiness says "send me traffic". A draining process is
 * alive but not ready, so the load balancer stops sending it requests while it finishes the
 * ones it has.
 */
export class Readiness {
  private draining = false;
  constructor(private readonly checks: ReadinessCheck[] = []) {}

  startDraining(): void {
    this.draining = true;
  }

  get isDraining(): boolean {
    return this.draining;
  }

  async evaluate(): Promise<{ ready: boolean; checks: Record<string, string> }> {
    const checks: Record<string, string> = {};
    if (this.draining) return { ready: false, checks: { shutdown: 'draining' } };
    const results = await Promise.allSettled(this.checks.map((c) => c.check()));
    let ready = true;
    results.forEach((r, i) => {
      const name = this.checks[i]!.name;
      if (r.status === 'fulfilled') checks[name] = 'ok';
      else {
        ready = false;
        checks[name] = r.reason instanceof Error ? r.reason.message : String(r.reason);
      }
    });
    return { ready, checks };
  }
}

export function healthRouter(readiness: Readiness): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const { ready, checks } = await readiness.evaluate();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });
  return router;
}
