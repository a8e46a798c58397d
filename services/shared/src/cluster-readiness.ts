import cluster, { type Worker } from 'node:cluster';
import { answerPrimary, answerWorkers, askPrimary, askWorker } from './cluster-ipc.js';
import type { Readiness, ReadinessReport } from './readiness.js';
import { combineWorkerReadiness } from './worker-readiness.js';

const POD_READINESS = 'laas:pod-readiness';
const WORKER_READINESS = 'laas:worker-readiness';

/**
 * What `/readyz` reports. In cluster mode a probe lands on one worker at random, so that
 * worker asks the primary for the whole pod's readiness; otherwise the process's own.
 */
export function podReadiness(readiness: Readiness): Promise<ReadinessReport> {
  return cluster.isWorker && process.send ? askPrimary(POD_READINESS, 5000) : readiness.evaluate();
}

/** In a worker: lets the primary read this worker's own readiness. */
export function answerWorkerReadiness(readiness: Readiness): void {
  answerPrimary(WORKER_READINESS, () => readiness.evaluate());
}

/** A worker the pod's readiness counts, and whether it takes connections yet. */
export interface CountedWorker {
  worker: Worker;
  listening: boolean;
}

/** In the primary: answers the workers' pod-readiness questions from the workers `counted` lists. */
export function serveClusterReadiness(counted: () => CountedWorker[]): void {
  answerWorkers(POD_READINESS, async () =>
    combineWorkerReadiness(
      await Promise.all(
        counted().map(async ({ worker, listening }) => ({
          pid: worker.process.pid ?? 0,
          report: listening
            ? await askWorker<ReadinessReport>(worker, WORKER_READINESS, 2000).catch(
                (err: unknown): ReadinessReport => ({
                  ready: false,
                  degraded: false,
                  checks: { worker: err instanceof Error ? err.message : String(err) },
                }),
              )
            : ('starting' as const),
        })),
      ),
    ),
  );
}
