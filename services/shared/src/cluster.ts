import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { RequestHandler } from 'express';
import { answerWorkers, askPrimary } from './cluster-ipc.js';

const METRICS = 'laas:metrics';

/**
 * `/metrics` that tells the truth in cluster mode. Workers share one port, so a scrape lands on
 * one worker at random; that worker asks the primary, which sums every worker's registry
 * (prom-client's AggregatorRegistry) and answers. Without cluster mode it serves the registry.
 */
export function clusterAwareMetrics(registry: Registry): RequestHandler {
  if (cluster.isWorker) {
    // prom-client installs a worker's answering listener only when an AggregatorRegistry is
    // constructed in that worker; setRegistries alone leaves the primary waiting forever.
    new AggregatorRegistry();
    AggregatorRegistry.setRegistries([registry]);
  }
  return async (_req, res, next) => {
    try {
      const text =
        cluster.isWorker && process.send ? await askPrimary<string>(METRICS, 5000) : await registry.metrics();
      res.setHeader('content-type', registry.contentType);
      res.send(text);
    } catch (err) {
      next(err);
    }
  };
}

/** Primary side of the metrics exchange. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  answerWorkers(METRICS, () => aggregator.clusterMetrics());
}
