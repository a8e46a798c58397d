// The Kubernetes objects of a closed-loop run in a cluster (pure builders, tested): the k6 trace
// as a Job, our LatencyAutoscaler for the images Deployment, and the baseline, an
// autoscaling/v2 HorizontalPodAutoscaler on CPU utilisation (the real HPA of
// kube-controller-manager, fed by metrics-server).
import { readFileSync } from 'node:fs';
import type { V1ConfigMap, V1Job, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { API_VERSION, KIND } from '@laas/autoscaler';
import type { LatencyAutoscaler } from '@laas/autoscaler';
import type { Bounds } from '@laas/referee';
import { TRACE_SCRIPT } from './k6-trace.js';
import type { Scenario } from './scenarios.js';
import { BASE_PATH, k6Stages } from './scenarios.js';
import {
  K6_CONTAINER_SECURITY,
  K6_POD_SECURITY,
  K6_RESOURCES,
  K6_VOLUME_MOUNTS,
  k6Volumes,
} from '../k6-pod.js';

/** The labels the chart's NetworkPolicy admits to the images service (networkPolicy.allowExperiment). */
export const EXPERIMENT_LABELS = {
  'app.kubernetes.io/name': 'laas',
  'app.kubernetes.io/component': 'experiment',
};
export const TRACE_CONFIGMAP = 'laas-closed-loop-k6';

export function traceConfigMap(namespace: string): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: TRACE_CONFIGMAP, namespace, labels: EXPERIMENT_LABELS },
    data: { 'trace.js': readFileSync(TRACE_SCRIPT, 'utf8') },
  };
}

/**
 * k6 writes its CSV (one row per metric sample, about 1 KB per request in all) into a FIFO, and
 * grep passes on only the header and the rows the measures read (http_req_duration,
 * dropped_iterations: about 60 bytes a request) to the container's stdout, read back from the
 * pod's log. The whole CSV of a 4-minute trace would pass the kubelet's 10 MiB log rotation.
 */
export const TRACE_SHELL = [
  'set -u',
  'mkfifo /tmp/k6.csv',
  "grep --line-buffered -E '^(metric_name|http_req_duration|dropped_iterations),' < /tmp/k6.csv &",
  'k6 run --quiet --no-usage-report --no-summary --out csv=/tmp/k6.csv /scripts/trace.js',
  'code=$?',
  'wait',
  'exit $code',
].join('\n');

/** The trace as a Job: the chart's k6 image and pod security, the experiment's labels. */
export function traceJob(
  namespace: string,
  name: string,
  scenario: Scenario,
  options: { baseUrl: string; image: string },
): V1Job {
  const env: Record<string, string> = {
    BASE_URL: options.baseUrl,
    STAGES: JSON.stringify(k6Stages(scenario)),
    TARGET_PATH: BASE_PATH,
    K6_CSV_TIME_FORMAT: 'unix_milli',
    K6_NO_USAGE_REPORT: 'true',
    HOME: '/tmp',
    ...(scenario.heavyPath && scenario.heavyFrom !== undefined
      ? { HEAVY_PATH: scenario.heavyPath, HEAVY_FROM: String(scenario.heavyFrom) }
      : {}),
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, labels: EXPERIMENT_LABELS },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: scenario.durationSeconds + 180,
      ttlSecondsAfterFinished: 1800,
      template: {
        metadata: { labels: EXPERIMENT_LABELS },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: K6_POD_SECURITY,
          containers: [
            {
              name: 'k6',
              image: options.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['bash', '-c', TRACE_SHELL],
              env: Object.entries(env).map(([k, v]) => ({ name: k, value: v })),
              resources: K6_RESOURCES,
              securityContext: K6_CONTAINER_SECURITY,
              volumeMounts: K6_VOLUME_MOUNTS,
            },
          ],
          volumes: k6Volumes(TRACE_CONFIGMAP),
        },
      },
    },
  };
}

/**
 * Our LatencyAutoscaler for the images Deployment, with the local run's settings (configured
 * capacity, utilisation, bounds, fallback), reading the chart's Prometheus.
 */
export function oursObject(
  namespace: string,
  name: string,
  deployment: string,
  o: {
    prometheusUrl: string;
    bounds: Bounds;
    rpsPerReplica: number;
    targetUtilization: number;
    fallbackReplicas: number;
    scrapeIntervalSeconds: number;
  },
): LatencyAutoscaler {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { namespace, name },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment },
      minReplicas: o.bounds.minReplicas,
      maxReplicas: o.bounds.maxReplicas,
      capacity: { rpsPerReplica: o.rpsPerReplica, targetUtilization: o.targetUtilization },
      metrics: {
        prometheusUrl: o.prometheusUrl,
        selector: `{namespace="${namespace}",service="images"}`,
        scrapeIntervalSeconds: o.scrapeIntervalSeconds,
      },
      fallbackReplicas: o.fallbackReplicas,
    },
  };
}

/**
 * The baseline: autoscaling/v2 on CPU utilisation of the pods' request, with the default
 * behavior (the same defaults the ported HPA of autoscaler/referee uses: up max(4 pods, 100 %) per
 * 15 s, down stabilised over 300 s).
 */
export function hpaObject(
  namespace: string,
  name: string,
  deployment: string,
  targetPercent: number,
  bounds: Bounds,
): V2HorizontalPodAutoscaler {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { namespace, name, labels: EXPERIMENT_LABELS },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment },
      minReplicas: bounds.minReplicas,
      maxReplicas: bounds.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetPercent } },
        },
      ],
    },
  };
}
