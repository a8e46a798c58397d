import type { ReadinessReport } from './readiness.js';

/** One worker of a pod in cluster mode: its own report, or `starting` while it is not listening yet. */
export interface WorkerReadiness {
  pid: number;
  report: ReadinessReport | 'starting';
}

/**
 * A pod in cluster mode is ready when every worker that takes connections is: the primary hands
 * each new connection to the next worker in turn, so with 1 of 2 workers still loading its
 * catalog, half the connections would answer 503. A check reads `ok` when it passes in every
 * worker, else each failing worker's message, prefixed with its pid.
 */
export function combineWorkerReadiness(workers: WorkerReadiness[]): ReadinessReport {
  const reports = workers.map(({ report }) =>
    report === 'starting'
      ? { ready: false, degraded: false, checks: { worker: 'starting: not listening yet' } }
      : report,
  );
  const ready = reports.length > 0 && reports.every((r) => r.ready);
  const checks: Record<string, string> = {
    workers: `${reports.filter((r) => r.ready).length} of ${reports.length} ready`,
  };
  reports.forEach((report, i) => {
    for (const [name, value] of Object.entries(report.checks)) {
      const failure = `pid ${workers[i]!.pid}: ${value}`;
      if (value === 'ok') checks[name] ??= 'ok';
      else
        checks[name] =
          checks[name] === undefined || checks[name] === 'ok' ? failure : `${checks[name]}; ${failure}`;
    }
  });
  return { ready, degraded: ready && reports.some((r) => r.degraded), checks };
}
