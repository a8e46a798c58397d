/**
 * A dependency check for readiness: resolves when the dependency answers, rejects otherwise.
 * An `optional` check that fails leaves the process ready but `degraded`: it still serves
 * what it can (the images service keeps answering reads from its catalog with its database down).
 */
export type ReadinessCheck = { name: string; check: () => Promise<void>; optional?: boolean };

/** What `/readyz` answers: each check's `ok` or failure message. */
export interface ReadinessReport {
  ready: boolean;
  degraded: boolean;
  checks: Record<string, string>;
}

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

  async evaluate(): Promise<ReadinessReport> {
    const checks: Record<string, string> = {};
    if (this.draining) return { ready: false, degraded: false, checks: { shutdown: 'draining' } };
    const results = await Promise.allSettled(this.checks.map((c) => c.check()));
    let ready = true;
    let degraded = false;
    results.forEach((r, i) => {
      const { name, optional } = this.checks[i]!;
      if (r.status === 'fulfilled') checks[name] = 'ok';
      else {
        if (optional) degraded = true;
        else ready = false;
        checks[name] = r.reason instanceof Error ? r.reason.message : String(r.reason);
      }
    });
    return { ready, degraded, checks };
  }
}
