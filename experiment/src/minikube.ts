import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { V1ConfigMap, V1Job } from '@kubernetes/client-node';
import { DEFAULT_CRITERIA, PLATEAU_SCRIPT, judgePlateau, summaryFromLogs } from './k6.js';
import type { PlateauOptions, PlateauResult } from './k6.js';
import type { ExperimentTarget } from './run.js';

// client-node 1.4 sends JSON-patch by default; a scale patch is a merge patch.
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface MinikubeTargetOptions {
  namespace: string;
  /** The Deployment scaled (the chart's images Deployment). */
  deployment: string;
  /** Base URL of the service as the k6 pod sees it (a Service DNS name). */
  serviceUrl: string;
  kubeconfig?: string;
  /** k6 image of the Job (the chart's loadtest.image). */
  k6Image?: string;
  /** Print the sequence and validate each write with a server-side dry run; run nothing. */
  dryRun?: boolean;
  /** Where the sequence is printed. Default stdout. */
  print?: (line: string) => void;
  readyTimeoutMs?: number;
}

export const K6_IMAGE = 'docker.io/grafana/k6:1.3.0';
const CONFIGMAP = 'laas-experiment-k6';
const LABELS = { 'app.kubernetes.io/name': 'laas', 'app.kubernetes.io/component': 'experiment' };

/** One call of the sequence, as printed by --dry-run. */
export interface KubeCall {
  /** HTTP verb and path of the API call. */
  call: string;
  /** The kubectl equivalent. */
  kubectl: string;
  /** What happened: 'dry-run ok' (validated by the API server), 'read', 'planned' (not run in a dry run), 'done'. */
  outcome: string;
}

/** The k6 script ConfigMap (plateau.js as in loadtest/), mounted at /scripts like the chart's Job. */
export function k6ConfigMap(namespace: string): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: CONFIGMAP, namespace, labels: LABELS },
    data: { 'plateau.js': readFileSync(PLATEAU_SCRIPT, 'utf8') },
  };
}

/**
 * One plateau as a Job with the pod of the chart's loadtest Job (charts/laas/templates/loadtest.yaml):
 * the same image, security contexts, resources, script and tmp volumes, no service account
 * token (experiment/test/minikube-dry-run.test.ts compares it with `helm template`'s). It differs
 * in what it runs: one `k6 run` at one rate instead of the chart's run.sh of stages. The script
 * prints its JSON summary between markers on stdout (no SUMMARY_PATH), read back from the pod's logs.
 */
export function plateauJob(
  namespace: string,
  name: string,
  options: { baseUrl: string; path: string; rate: number; durationSec: number; image: string },
): V1Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace, labels: LABELS },
    spec: {
      backoffLimit: 0,
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels: LABELS },
        spec: {
          restartPolicy: 'Never',
          automountServiceAccountToken: false,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 12345,
            runAsGroup: 12345,
            fsGroup: 12345,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'k6',
              image: options.image,
              imagePullPolicy: 'IfNotPresent',
              command: [
                'k6',
                'run',
                '--quiet',
                '--no-usage-report',
                '-e',
                `RATE=${Math.round(options.rate)}`,
                '-e',
                `DURATION=${options.durationSec}s`,
                '/scripts/plateau.js',
              ],
              env: [
                { name: 'BASE_URL', value: options.baseUrl },
                { name: 'TARGET_PATH', value: options.path },
                { name: 'HOME', value: '/tmp' },
              ],
              resources: {
                requests: { cpu: '250m', memory: '128Mi', 'ephemeral-storage': '64Mi' },
                limits: { cpu: '1', memory: '512Mi', 'ephemeral-storage': '256Mi' },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [
                { name: 'scripts', mountPath: '/scripts', readOnly: true },
                { name: 'tmp', mountPath: '/tmp' },
              ],
            },
          ],
          volumes: [
            { name: 'scripts', configMap: { name: CONFIGMAP } },
            { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
          ],
        },
      },
    },
  };
}

export interface MinikubeTarget extends ExperimentTarget {
  /** Every API call made or planned so far. */
  calls: KubeCall[];
  /** Creates (or replaces) the script ConfigMap; called by `startMinikubeTarget`. */
  prepare(): Promise<void>;
}

/**
 * The experiment in a cluster: scales the Deployment through the scale subresource (merge patch),
 * waits for its ready replicas, runs each plateau as a k6 Job inside the cluster and reads the k6
 * summary back from the Job's logs. With `dryRun`, every write is sent with `dryRun=All` (the API
 * server validates it and persists nothing), reads are real, and waits/logs are only printed.
 */
export function createMinikubeTarget(options: MinikubeTargetOptions): MinikubeTarget {
  const kc = new KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const { namespace, deployment } = options;
  const dryRun = options.dryRun ? 'All' : undefined;
  const print = options.print ?? ((line: string) => void process.stdout.write(`${line}\n`));
  const image = options.k6Image ?? K6_IMAGE;
  const calls: KubeCall[] = [];
  let jobCounter = 0;

  const record = (call: KubeCall): void => {
    calls.push(call);
    print(`${options.dryRun ? '[dry-run] ' : ''}${call.kubectl}\n    ${call.call} -> ${call.outcome}`);
  };

  const prepare = async (): Promise<void> => {
    const body = k6ConfigMap(namespace);
    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    try {
      await core.replaceNamespacedConfigMap({ name: CONFIGMAP, namespace, body, dryRun });
      record({
        call: `PUT ${path}/${CONFIGMAP}`,
        kubectl: `kubectl -n ${namespace} apply -f configmap/${CONFIGMAP} (loadtest/plateau.js)`,
        outcome: dryRun ? 'dry-run ok' : 'done',
      });
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
      await core.createNamespacedConfigMap({ namespace, body, dryRun });
      record({
        call: `POST ${path}`,
        kubectl: `kubectl -n ${namespace} create configmap ${CONFIGMAP} --from-file=loadtest/plateau.js`,
        outcome: dryRun ? 'dry-run ok' : 'done',
      });
    }
  };

  const setReplicas = async (replicas: number): Promise<void> => {
    await apps.patchNamespacedDeploymentScale(
      { name: deployment, namespace, body: { spec: { replicas } }, dryRun },
      MERGE_PATCH,
    );
    record({
      call: `PATCH /apis/apps/v1/namespaces/${namespace}/deployments/${deployment}/scale (merge patch {"spec":{"replicas":${replicas}}})`,
      kubectl: `kubectl -n ${namespace} scale deployment/${deployment} --replicas=${replicas}`,
      outcome: dryRun ? 'dry-run ok' : 'done',
    });
    const waitCall = `GET /apis/apps/v1/namespaces/${namespace}/deployments/${deployment} until status.readyReplicas == ${replicas}`;
    const waitKubectl = `kubectl -n ${namespace} rollout status deployment/${deployment}`;
    if (dryRun) {
      const current = await apps.readNamespacedDeployment({ name: deployment, namespace });
      record({
        call: waitCall,
        kubectl: waitKubectl,
        outcome: `read (now ${current.status?.readyReplicas ?? 0}/${current.spec?.replicas ?? 0} ready; not waited in a dry run)`,
      });
      return;
    }
    const deadline = Date.now() + (options.readyTimeoutMs ?? 300_000);
    for (;;) {
      const current = await apps.readNamespacedDeployment({ name: deployment, namespace });
      const status = current.status ?? {};
      if (
        (status.readyReplicas ?? 0) === replicas &&
        (status.updatedReplicas ?? 0) >= replicas &&
        (status.replicas ?? 0) === replicas
      )
        break;
      if (Date.now() > deadline)
        throw new Error(
          `deployment/${deployment}: ${status.readyReplicas ?? 0}/${replicas} ready after ${options.readyTimeoutMs ?? 300_000} ms`,
        );
      await sleep(1_000);
    }
    record({ call: waitCall, kubectl: waitKubectl, outcome: 'done' });
  };

  const runPlateau = async (plateau: PlateauOptions): Promise<PlateauResult> => {
    const name = `laas-experiment-${process.pid}-${++jobCounter}`;
    const body = plateauJob(namespace, name, {
      baseUrl: options.serviceUrl,
      path: plateau.path ?? '/random?count=25',
      rate: plateau.rate,
      durationSec: plateau.durationSec,
      image,
    });
    const startedAt = new Date().toISOString();
    await batch.createNamespacedJob({ namespace, body, dryRun });
    record({
      call: `POST /apis/batch/v1/namespaces/${namespace}/jobs (${name}: k6 plateau.js RATE=${Math.round(plateau.rate)} DURATION=${plateau.durationSec}s)`,
      kubectl: `kubectl -n ${namespace} create -f job/${name}.yaml`,
      outcome: dryRun ? 'dry-run ok' : 'done',
    });
    const waitCall = `GET /apis/batch/v1/namespaces/${namespace}/jobs/${name} until Complete or Failed`;
    const logsCall = `GET /api/v1/namespaces/${namespace}/pods/<pod of job-name=${name}>/log`;
    const deleteCall = `DELETE /apis/batch/v1/namespaces/${namespace}/jobs/${name} (propagationPolicy=Background)`;
    if (dryRun) {
      record({
        call: waitCall,
        kubectl: `kubectl -n ${namespace} wait --for=condition=complete job/${name}`,
        outcome: 'planned',
      });
      record({
        call: logsCall,
        kubectl: `kubectl -n ${namespace} logs job/${name}  # the k6 JSON summary between @@LAAS_K6_SUMMARY_*@@ markers`,
        outcome: 'planned',
      });
      record({ call: deleteCall, kubectl: `kubectl -n ${namespace} delete job/${name}`, outcome: 'planned' });
      throw new DryRunStop();
    }
    try {
      const deadline = Date.now() + (plateau.durationSec + 180) * 1000;
      for (;;) {
        const job = await batch.readNamespacedJob({ name, namespace });
        if ((job.status?.succeeded ?? 0) > 0 || (job.status?.failed ?? 0) > 0) break;
        if (Date.now() > deadline) throw new Error(`job/${name} did not finish in time`);
        await sleep(1_000);
      }
      record({
        call: waitCall,
        kubectl: `kubectl -n ${namespace} wait --for=condition=complete job/${name}`,
        outcome: 'done',
      });
      const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
      const pod = pods.items[0]?.metadata?.name;
      if (!pod) throw new Error(`job/${name} has no pod`);
      const logs = await core.readNamespacedPodLog({ name: pod, namespace, container: 'k6' });
      record({ call: logsCall, kubectl: `kubectl -n ${namespace} logs job/${name}`, outcome: 'done' });
      return judgePlateau(
        summaryFromLogs(logs),
        Math.round(plateau.rate),
        plateau.durationSec,
        plateau.criteria ?? DEFAULT_CRITERIA,
        startedAt,
      );
    } finally {
      await batch
        .deleteNamespacedJob({ name, namespace, propagationPolicy: 'Background' })
        .catch(() => undefined);
      record({ call: deleteCall, kubectl: `kubectl -n ${namespace} delete job/${name}`, outcome: 'done' });
    }
  };

  return {
    name: 'minikube',
    description: `k6 Job in the cluster -> ${options.serviceUrl} (Service) -> deployment/${deployment} in namespace ${namespace}`,
    url: options.serviceUrl,
    calls,
    prepare,
    setReplicas,
    runPlateau,
    stop: () => Promise.resolve(),
  };
}

/** Thrown by a dry-run plateau: the search cannot go on without a result. */
export class DryRunStop extends Error {
  constructor() {
    super('dry run: the Job is not run, so the search stops after its first plateau');
    this.name = 'DryRunStop';
  }
}

/**
 * The whole command sequence of `--target minikube`, with each write validated by the API server
 * (dryRun=All): the ConfigMap, then for every replica count the scale patch, the readiness read
 * and the first plateau's Job (the next plateaus repeat it at rates the search picks).
 */
export async function dryRunMinikube(
  options: MinikubeTargetOptions & { replicas: number[]; rate: number; durationSec: number; path: string },
): Promise<KubeCall[]> {
  const target = createMinikubeTarget({ ...options, dryRun: true });
  await target.prepare();
  for (const replicas of options.replicas) {
    await target.setReplicas(replicas);
    try {
      await target.runPlateau({
        baseUrl: target.url,
        path: options.path,
        rate: options.rate * replicas,
        durationSec: options.durationSec,
      });
    } catch (error) {
      if (!(error instanceof DryRunStop)) throw error;
    }
  }
  return target.calls;
}
