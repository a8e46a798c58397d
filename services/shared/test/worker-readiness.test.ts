import type { ReadinessReport } from '../src/readiness.js';
import { combineWorkerReadiness, type WorkerReadiness } from '../src/worker-readiness.js';

const ok: ReadinessReport = { ready: true, degraded: false, checks: { catalog: 'ok', database: 'ok' } };
const loading: ReadinessReport = {
  ready: false,
  degraded: false,
  checks: { catalog: 'not loaded yet: loading', database: 'ok' },
};
const dbDown: ReadinessReport = {
  ready: true,
  degraded: true,
  checks: { catalog: 'ok', database: 'unreachable: ECONNREFUSED' },
};
const draining: ReadinessReport = { ready: false, degraded: false, checks: { shutdown: 'draining' } };
const w = (pid: number, report: WorkerReadiness['report']): WorkerReadiness => ({ pid, report });

describe("a pod's readiness in cluster mode", () => {
  test.each<[string, WorkerReadiness[], ReadinessReport]>([
    [
      'is ready when every worker is',
      [w(11, ok), w(12, ok)],
      { ready: true, degraded: false, checks: { workers: '2 of 2 ready', catalog: 'ok', database: 'ok' } },
    ],
    [
      'is not ready while one worker still loads its catalog, and names that worker',
      [w(11, ok), w(12, loading)],
      {
        ready: false,
        degraded: false,
        checks: { workers: '1 of 2 ready', catalog: 'pid 12: not loaded yet: loading', database: 'ok' },
      },
    ],
    [
      'is not ready while a worker started at boot is not listening yet',
      [w(11, ok), w(12, 'starting')],
      {
        ready: false,
        degraded: false,
        checks: {
          workers: '1 of 2 ready',
          catalog: 'ok',
          database: 'ok',
          worker: 'pid 12: starting: not listening yet',
        },
      },
    ],
    [
      'is degraded when a worker is, listing each failing worker',
      [w(11, dbDown), w(12, dbDown)],
      {
        ready: true,
        degraded: true,
        checks: {
          workers: '2 of 2 ready',
          catalog: 'ok',
          database: 'pid 11: unreachable: ECONNREFUSED; pid 12: unreachable: ECONNREFUSED',
        },
      },
    ],
    [
      'is not ready while draining',
      [w(11, draining)],
      { ready: false, degraded: false, checks: { workers: '0 of 1 ready', shutdown: 'pid 11: draining' } },
    ],
    [
      'is not ready with no worker at all',
      [],
      { ready: false, degraded: false, checks: { workers: '0 of 0 ready' } },
    ],
  ])('%s', (_label, workers, expected) => {
    expect(combineWorkerReadiness(workers)).toEqual(expected);
  });
});
