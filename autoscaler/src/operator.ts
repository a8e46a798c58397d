// Assembles the operator: clients, metric source, reconciler, controller, leader election and
// the /metrics + /healthz listener. main.ts parses flags and calls startOperator; tests call it
// directly (two instances in one process for the leader-election test).
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { PrometheusMetricSource } from './metrics/prometheus.js';
import type { MetricSource } from './metrics/source.js';
import { Controller } from './reconciler/controller.js';
import { KubeEventRecorder, KubeStatusWriter } from './reconciler/kube.js';
import { LeaderElector } from './reconciler/leader.js';
import { createOperatorMetrics } from './reconciler/metrics.js';
import type { OperatorMetrics } from './reconciler/metrics.js';
import type { Logger } from './reconciler/reconciler.js';
import { Reconciler } from './reconciler/reconciler.js';
import { ROLE_NAME } from './api/rbac.js';
import { DeploymentTarget } from './target/deployment.js';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  /** Namespace of the LatencyAutoscalers to watch; undefined: all namespaces. */
  namespace?: string;
  /** Namespace of the Lease. Default: `namespace`, else "default". */
  leaseNamespace?: string;
  leaseName?: string;
  identity?: string;
  dryRun?: boolean;
  log: Logger;
  clock?: () => number;
  resyncMs?: number;
  leaseDurationSeconds?: number;
  retryPeriodMs?: number;
  /** Port of /metrics and /healthz; 0 picks a free one; undefined: no listener. */
  httpPort?: number;
  httpHost?: string;
  metricSource?: MetricSource;
  metrics?: OperatorMetrics;
}

export interface Operator {
  isLeader(): boolean;
  metrics: OperatorMetrics;
  controller: Controller;
  /** http://host:port of the /metrics listener, when started. */
  url?: string;
  /** `release: false` simulates a crash: the Lease is left to expire. */
  stop(opts?: { release?: boolean }): Promise<void>;
}

export async function startOperator(o: OperatorOptions): Promise<Operator> {
  const clock = o.clock ?? Date.now;
  const identity = o.identity ?? `${hostname()}-${process.pid}`;
  const metrics = o.metrics ?? createOperatorMetrics({ defaultMetrics: o.httpPort !== undefined });
  const apps = o.kubeConfig.makeApiClient(AppsV1Api);
  const core = o.kubeConfig.makeApiClient(CoreV1Api);
  const custom = o.kubeConfig.makeApiClient(CustomObjectsApi);
  const coordination = o.kubeConfig.makeApiClient(CoordinationV1Api);
  // Called only after `elector` below is initialised (by the queue and the reconciler).
  const isLeader = (): boolean => elector.isLeader();

  const reconciler = new Reconciler({
    metrics:
      o.metricSource ??
      new PrometheusMetricSource({
        observe: (seconds, outcome) => metrics.queryDuration.observe({ outcome }, seconds),
      }),
    targetFor: (namespace, name) => new DeploymentTarget(apps, namespace, name),
    status: new KubeStatusWriter(custom),
    events: new KubeEventRecorder(core, clock, identity),
    clock,
    log: o.log,
    operatorMetrics: metrics,
    dryRun: o.dryRun ?? false,
    isLeader,
  });
  const controller = new Controller({
    kubeConfig: o.kubeConfig,
    custom,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    reconciler,
    log: o.log,
    resyncMs: o.resyncMs ?? 5000,
    shouldProcess: isLeader,
  });
  const elector: LeaderElector = new LeaderElector({
    coordination,
    namespace: o.leaseNamespace ?? o.namespace ?? 'default',
    name: o.leaseName ?? ROLE_NAME,
    identity,
    ...(o.leaseDurationSeconds !== undefined ? { leaseDurationSeconds: o.leaseDurationSeconds } : {}),
    ...(o.retryPeriodMs !== undefined ? { retryPeriodMs: o.retryPeriodMs } : {}),
    clock,
    log: o.log,
    onStartedLeading: () => {
      metrics.leader.set(1);
      controller.resyncNow();
    },
    onStoppedLeading: () => metrics.leader.set(0),
  });
  await controller.start();
  elector.start();

  let server: Server | undefined;
  let url: string | undefined;
  if (o.httpPort !== undefined) {
    server = createServer((req, res) => {
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: 'ok', leader: isLeader() }));
        return;
      }
      if (req.url === '/metrics') {
        metrics.registry.metrics().then(
          (text) => {
            res.writeHead(200, { 'content-type': metrics.registry.contentType });
            res.end(text);
          },
          () => {
            res.writeHead(500);
            res.end();
          },
        );
        return;
      }
      res.writeHead(404);
      res.end();
    });
    const s = server;
    await new Promise<void>((resolve) => s.listen(o.httpPort, o.httpHost ?? '0.0.0.0', resolve));
    const { port } = s.address() as AddressInfo;
    url = `http://${o.httpHost ?? '127.0.0.1'}:${port}`;
  }

  return {
    isLeader,
    metrics,
    controller,
    ...(url ? { url } : {}),
    async stop(opts = {}) {
      await elector.stop(opts);
      await controller.stop();
      if (server) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server?.close(() => resolve()));
      }
    },
  };
}
