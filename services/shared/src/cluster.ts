import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { RequestHandler } from 'express';

const METRICS_REQUEST = 'laas:metrics-request';
const METRICS_RESPONSE = 'laas:metrics-response';

interface MetricsMessage {
  type: string;
  id: number;
  text?: string;
  error?: string;
}

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
  let nextId = 0;
  const pending = new Map<number, (m: MetricsMessage) => void>();
  if (cluster.isWorker) {
    process.on('message', (m: MetricsMessage) => {
      if (m?.type === METRICS_RESPONSE) pending.get(m.id)?.(m);
    });
  }
  return async (_req, res, next) => {
    try {
      if (!cluster.isWorker || !process.send) {
        res.setHeader('content-type', registry.contentType);
        res.send(await registry.metrics());
        return;
      }
      const id = nextId++;
      const answer = await new Promise<MetricsMessage>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('metrics aggregation timed out'));
        }, 5000);
        pending.set(id, (m) => {
          clearTimeout(timer);
          pending.delete(id);
          resolve(m);
        });
        process.send!({ type: METRICS_REQUEST, id });
      });
      if (answer.error !== undefined) throw new Error(answer.error);
      res.setHeader('content-type', registry.contentType);
      res.send(answer.text);
    } catch (err) {
      next(err);
    }
  };
}

/** Primary side of the metrics exchange. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker: Worker, m: MetricsMessage) => {
    if (m?.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: METRICS_RESPONSE, id: m.id, text }),
      (err: unknown) => worker.send({ type: METRICS_RESPONSE, id: m.id, error: String(err) }),
    );
  });
}
