// The operator's own Prometheus metrics, on a registry of its own (never the global one, so two
// operators in one test process do not collide).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface OperatorMetrics {
  registry: Registry;
  decisions: Counter<'outcome' | 'reason'>;
  scales: Counter<'direction'>;
  reconcileErrors: Counter<'kind'>;
  queryDuration: Histogram<'outcome'>;
  reconcileDuration: Histogram;
  leader: Gauge;
}

export function createOperatorMetrics(opts: { defaultMetrics?: boolean } = {}): OperatorMetrics {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    decisions: new Counter({
      name: 'laas_autoscaler_decisions_total',
      help: 'Decisions by outcome (Scale, Hold, NoData) and PascalCase reason.',
      labelNames: ['outcome', 'reason'],
      registers: [registry],
    }),
    scales: new Counter({
      name: 'laas_autoscaler_scale_events_total',
      help: 'Scale operations applied, by direction (up, down).',
      labelNames: ['direction'],
      registers: [registry],
    }),
    reconcileErrors: new Counter({
      name: 'laas_autoscaler_reconcile_errors_total',
      help: 'Failed reconciles by kind (TargetError codes, StatusWrite, Internal).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    queryDuration: new Histogram({
      name: 'laas_autoscaler_metric_query_duration_seconds',
      help: 'Duration of metric source queries by outcome (ok or MetricError code).',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'laas_autoscaler_reconcile_duration_seconds',
      help: 'Duration of one reconcile of one LatencyAutoscaler.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'laas_autoscaler_is_leader',
      help: '1 while this instance holds the Lease.',
      registers: [registry],
    }),
  };
}
