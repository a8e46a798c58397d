import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  DiscoveryV1Api,
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
// A container list is merged by name only with a strategic merge patch.
const STRATEGIC_MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

export interface KubeTargetOptions {
  /** 'cluster' (any kubeconfig context, the lab cluster's laas-lab included) or 'minikube': one path, only the name differs. */
  name?: 'cluster' | 'minikube';
  namespace: string;
  /** The Deployment scaled (the chart's images Deployment). */
  deployment: string;
  /** Base URL of the service as the k6 pod sees it (a Service DNS name). */
  serviceUrl: string;
  kubeconfig?: string;
  /** Kubeconfig context (default: the kubeconfig's current context). */
  context?: string;
  /**
   * CPU limit (and request) of each replica, millicores: `prepare` sets it on the Deployment's
   * first container and waits for the rollout, so `--cpu` means the same as on the local target.
   * Unset: the Deployment's own resources are kept.
   */
  cpuMillis?: number;
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
 * token (experiment/test/plateau-job.test.ts compares it with `helm template`'s). It differs
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

export interface KubeTarget extends ExperimentTarget {
  /** Every API call made or planned so far. */
  calls: KubeCall[];
  /** Creates (or replaces) the script ConfigMap and sets the replicas' CPU limit (cpuMillis); call it before the first plateau. */
  prepare(): Promise<void>;
}

/**
 * The experiment in a cluster: scales the Deployment through the scale subresource (merge patch),
 * waits for its ready replicas, runs each plateau as a k6 Job inside the cluster and reads the k6
 * summary back from the Job's logs. With `dryRun`, every write is sent with `dryRun=All` (the API
 * server validates it and persists nothing), reads are real, and waits/logs are only printed.
 */
export function createKubeTarget(options: KubeTargetOptions): KubeTarget {
  const kc = loadKubeConfig(options.kubeconfig, options.context);
  const apps = kc.makeApiClient(AppsV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
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

  /**
   * The address k6 calls: the Service's ClusterIP when `serviceUrl` names a Service of the
   * namespace. Each plateau is a new k6 process in a new pod, with an empty DNS cache; resolving
   * the name in every VU at the start of a 4-8 s plateau is not what is being measured, and in the
   * lab cluster it showed up as dropped iterations at 27-80 RPS with a p99 of 5-31 ms (all VUs
   * waiting on their first lookup). kube-proxy routes the ClusterIP exactly as it routes the name.
   */
  let k6BaseUrl = options.serviceUrl;
  const resolveService = async (): Promise<void> => {
    const url = new URL(options.serviceUrl);
    const [name, inNamespace] = url.hostname.split('.');
    if (!name || (inNamespace !== undefined && inNamespace !== namespace)) return;
    const call = `GET /api/v1/namespaces/${namespace}/services/${name}`;
    const kubectl = `kubectl -n ${namespace} get service ${name} -o jsonpath={.spec.clusterIP}`;
    try {
      const service = await core.readNamespacedService({ name, namespace });
      const ip = service.spec?.clusterIP;
      if (!ip || ip === 'None') return;
      url.hostname = ip;
      k6BaseUrl = url.toString().replace(/\/$/, '');
      record({ call, kubectl, outcome: `read (k6 calls ${k6BaseUrl})` });
    } catch (error) {
      if ((error as { code?: number }).code !== 404) throw error;
      record({ call, kubectl, outcome: `read (no such Service: k6 calls ${options.serviceUrl})` });
    }
  };

  const prepare = async (): Promise<void> => {
    await resolveService();
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
    if (options.cpuMillis !== undefined) await setCpu(options.cpuMillis);
  };

  /**
   * Resolves once the Deployment runs exactly `replicas` pods of its current template, all Ready,
   * and its Service's EndpointSlices list that many ready addresses: a plateau must not start
   * while the endpoints controller still routes to a pod that is leaving, or not yet to a new one.
   */
  const waitForRollout = async (replicas: number): Promise<void> => {
    const timeoutMs = options.readyTimeoutMs ?? 300_000;
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const current = await apps.readNamespacedDeployment({ name: deployment, namespace });
      const status = current.status ?? {};
      const endpoints = await readyEndpoints();
      last = `${status.readyReplicas ?? 0}/${replicas} ready, ${status.updatedReplicas ?? 0} updated, ${status.replicas ?? 0} running, ${endpoints} ready endpoints`;
      if (
        (status.observedGeneration ?? 0) >= (current.metadata?.generation ?? 0) &&
        (status.readyReplicas ?? 0) === replicas &&
        (status.updatedReplicas ?? 0) === replicas &&
        (status.replicas ?? 0) === replicas &&
        (endpoints === undefined || endpoints === replicas)
      )
        return;
      if (Date.now() > deadline) throw new Error(`deployment/${deployment}: ${last} after ${timeoutMs} ms`);
      await sleep(1_000);
    }
  };

  /** Ready addresses in the EndpointSlices of the Service named by serviceUrl's host (undefined: no such Service here). */
  const readyEndpoints = async (): Promise<number | undefined> => {
    const service = new URL(options.serviceUrl).hostname.split('.')[0]!;
    const slices = await discovery.listNamespacedEndpointSlice({
      namespace,
      labelSelector: `kubernetes.io/service-name=${service}`,
    });
    if (slices.items.length === 0) return undefined;
    return slices.items
      .flatMap((slice) => slice.endpoints)
      .filter((e) => e.conditions?.ready !== false && e.conditions?.terminating !== true).length;
  };

  /** Sets the CPU limit and request of the Deployment's first container and waits for the rollout. */
  const setCpu = async (cpuMillis: number): Promise<void> => {
    const current = await apps.readNamespacedDeployment({ name: deployment, namespace });
    const container = current.spec?.template.spec?.containers[0];
    if (!container) throw new Error(`deployment/${deployment} has no container`);
    const cpu = `${cpuMillis}m`;
    const resources = container.resources ?? {};
    const kubectl = `kubectl -n ${namespace} set resources deployment/${deployment} -c ${container.name} --limits=cpu=${cpu} --requests=cpu=${cpu}`;
    if (resources.limits?.['cpu'] === cpu && resources.requests?.['cpu'] === cpu) {
      record({
        call: `GET /apis/apps/v1/namespaces/${namespace}/deployments/${deployment}`,
        kubectl,
        outcome: `read (already ${cpu}: nothing to change)`,
      });
      return;
    }
    await apps.patchNamespacedDeployment(
      {
        name: deployment,
        namespace,
        dryRun,
        body: {
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: container.name,
                    resources: { limits: { cpu }, requests: { cpu } },
                  },
                ],
              },
            },
          },
        },
      },
      STRATEGIC_MERGE_PATCH,
    );
    record({
      call: `PATCH /apis/apps/v1/namespaces/${namespace}/deployments/${deployment} (strategic merge patch: container ${container.name} cpu ${cpu})`,
      kubectl,
      outcome: dryRun ? 'dry-run ok' : 'done',
    });
    if (!dryRun) await waitForRollout(current.spec?.replicas ?? 1);
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
    await waitForRollout(replicas);
    record({ call: waitCall, kubectl: waitKubectl, outcome: 'done' });
  };

  const runPlateau = async (plateau: PlateauOptions): Promise<PlateauResult> => {
    const name = `laas-experiment-${process.pid}-${++jobCounter}`;
    const body = plateauJob(namespace, name, {
      baseUrl: k6BaseUrl,
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
    name: options.name ?? 'cluster',
    description: `k6 Job in the cluster${options.context ? ` (context ${options.context})` : ''} -> ${options.serviceUrl} (Service) -> deployment/${deployment} in namespace ${namespace}`,
    url: options.serviceUrl,
    calls,
    prepare,
    setReplicas,
    runPlateau,
    stop: () => Promise.resolve(),
  };
}

/**
 * The kubeconfig (a file, or KUBECONFIG / ~/.kube/config) with `context` made current; an unknown
 * context is an error naming the ones there are.
 */
export function loadKubeConfig(file?: string, context?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  if (context !== undefined) {
    const names = kc.getContexts().map((c) => c.name);
    if (!names.includes(context)) {
      throw new Error(
        `kubeconfig ${file ?? '(default)'} has no context "${context}"; it has: ${names.join(', ') || 'none'}`,
      );
    }
    kc.setCurrentContext(context);
  }
  return kc;
}

/** Thrown by a dry-run plateau: the search cannot go on without a result. */
export class DryRunStop extends Error {
  constructor() {
    super('dry run: the Job is not run, so the search stops after its first plateau');
    this.name = 'DryRunStop';
  }
}

/**
 * The whole command sequence of `--target cluster` (or minikube), with each write validated by the API server
 * (dryRun=All): the ConfigMap, then for every replica count the scale patch, the readiness read
 * and the first plateau's Job (the next plateaus repeat it at rates the search picks).
 */
export async function dryRunKube(
  options: KubeTargetOptions & { replicas: number[]; rate: number; durationSec: number; path: string },
): Promise<KubeCall[]> {
  const target = createKubeTarget({ ...options, dryRun: true });
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
