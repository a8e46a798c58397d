// One closed-loop run in a cluster (the lab cluster, or any kubeconfig context) where the chart
// is installed: the chart's operator (our LatencyAutoscaler) or the real HPA (autoscaling/v2 on
// CPU, metrics-server) scales the images Deployment while k6 runs the trace as a Job inside the
// cluster. The measures, the timeline and the CPU read-back are the local run's (measures.ts,
// cpu.ts): only the environment differs.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AppsV1Api,
  AutoscalingV2Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION } from '@laas/autoscaler';
import type { LatencyAutoscalerStatus } from '@laas/autoscaler';
import type { PolicyName } from './controllers.js';
import { calibrate, readCpuTimeline } from './cpu.js';
import type { CpuPoint } from './cpu.js';
import { hpaObject, oursObject, TRACE_CONFIGMAP, traceConfigMap, traceJob } from './cluster-objects.js';
import { describeJob, jobPodName, JobWithoutPodError, watchJob } from '../k6-job.js';
import { recordsFromLog } from './k6-trace.js';
import { measure, runTimeline, scaleEventsOf } from './measures.js';
import type { ReplicaSample } from './measures.js';
import type { ClosedLoopSettings, PolicyRun } from './run.js';
import type { Scenario } from './scenarios.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export interface ClusterOptions {
  kubeconfig: string;
  /** Where the chart is installed, and its release name (objects are `<release>-<component>`). */
  namespace: string;
  release: string;
  k6Image: string;
  /** The images Service as the k6 pod sees it. */
  imagesUrl: string;
  /** The chart's Prometheus as the operator sees it (in the LatencyAutoscaler). */
  prometheusUrl: string;
}

export function defaultClusterOptions(
  kubeconfig: string,
  namespace = 'laas',
  release = 'laas',
): ClusterOptions {
  return {
    kubeconfig,
    namespace,
    release,
    k6Image: 'docker.io/laas/k6:dev',
    imagesUrl: `http://${release}-images.${namespace}.svc:4000`,
    prometheusUrl: `http://${release}-prometheus.${namespace}.svc:9090`,
  };
}

const errorCode = (e: unknown): number | undefined => (e as { code?: number }).code;
const ignoreNotFound = (e: unknown): void => {
  if (errorCode(e) !== 404) throw e;
};

/** `kubectl port-forward` to a Service on a free local port (Prometheus, for the read-back). */
async function portForward(
  o: ClusterOptions,
  service: string,
  port: number,
): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(
    'kubectl',
    ['--kubeconfig', o.kubeconfig, '-n', o.namespace, 'port-forward', `service/${service}`, `:${port}`],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(new Error(`port-forward ${service}: no port after 30 s: ${out}`));
    }, 30_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const match = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ port: Number(match[1]), child });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`port-forward ${service} exited ${code}: ${out}`));
    });
  });
}

/** The API clients and names one run in the cluster works with. */
interface ClusterRun {
  readonly apps: AppsV1Api;
  readonly batch: BatchV1Api;
  readonly core: CoreV1Api;
  readonly hpas: AutoscalingV2Api;
  readonly custom: CustomObjectsApi;
  readonly ns: string;
  readonly deployment: string;
  readonly controllerName: string;
  readonly cr: { group: string; version: string; namespace: string; plural: string; name: string };
  readonly log: (line: string) => void;
}

/** What differs between the policies: how the controller is created, when it is warm, what it thinks. */
interface ClusterController {
  readonly label: string;
  create(): Promise<void>;
  /** True once the controller has what it needs for its first decision. */
  warm(): Promise<boolean>;
  view(t: number): Promise<Record<string, unknown>>;
}

function openRun(o: ClusterOptions, log: (line: string) => void): ClusterRun {
  const kc = new KubeConfig();
  kc.loadFromFile(o.kubeconfig);
  const controllerName = 'closed-loop-images';
  return {
    apps: kc.makeApiClient(AppsV1Api),
    batch: kc.makeApiClient(BatchV1Api),
    core: kc.makeApiClient(CoreV1Api),
    hpas: kc.makeApiClient(AutoscalingV2Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    ns: o.namespace,
    deployment: `${o.release}-images`,
    controllerName,
    cr: { group: GROUP, version: VERSION, namespace: o.namespace, plural: PLURAL, name: controllerName },
    log,
  };
}

function controllerFor(
  run: ClusterRun,
  policy: PolicyName,
  settings: ClosedLoopSettings,
  o: ClusterOptions,
): ClusterController {
  const { ns, controllerName, deployment } = run;
  const conditions = (list: { type: string; status: string; reason?: string; message?: string }[]) =>
    list.map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`);
  if (policy === 'laas')
    return {
      label: `laas (ours) ${Math.round(settings.targetUtilization * 100)}%`,
      create: async () => {
        await run.custom.createNamespacedCustomObject({
          group: GROUP,
          version: VERSION,
          namespace: ns,
          plural: PLURAL,
          body: oursObject(ns, controllerName, deployment, {
            prometheusUrl: o.prometheusUrl,
            bounds: settings.bounds,
            rpsPerReplica: settings.rpsPerReplica,
            targetUtilization: settings.targetUtilization,
            fallbackReplicas: settings.fallbackReplicas,
            scrapeIntervalSeconds: settings.scrapeIntervalSeconds,
          }),
        });
      },
      warm: () => Promise.resolve(true),
      view: async (t) => {
        const obj = (await run.custom.getNamespacedCustomObject(run.cr)) as {
          status?: LatencyAutoscalerStatus;
        };
        const s = obj.status;
        return {
          t,
          desired: s?.desiredReplicas,
          rps: s?.observedRPS,
          latencyMs: s?.observedLatencyMilliseconds,
          capacity: s?.capacityEstimate,
          capacitySource: s?.capacitySource,
          costRatio: s?.memory?.costRatio,
          conditions: conditions(s?.conditions ?? []),
        };
      },
    };
  const readHpa = () =>
    run.hpas.readNamespacedHorizontalPodAutoscaler({ name: controllerName, namespace: ns });
  return {
    label: `HPA (real, CPU) ${settings.hpaTargetPercent}%`,
    create: async () => {
      await run.hpas.createNamespacedHorizontalPodAutoscaler({
        namespace: ns,
        body: hpaObject(ns, controllerName, deployment, settings.hpaTargetPercent, settings.bounds),
      });
    },
    // The HPA's first sync needs a metric from metrics-server.
    warm: async () =>
      ((await readHpa()).status?.currentMetrics ?? []).some(
        (m) => m.resource?.current.averageUtilization !== undefined,
      ),
    view: async (t) => {
      const h = await readHpa();
      return {
        t,
        desired: h.status?.desiredReplicas,
        cpuUtilization: h.status?.currentMetrics?.[0]?.resource?.current.averageUtilization,
        conditions: conditions(h.status?.conditions ?? []),
      };
    },
  };
}

/** Removes every policy's controller, so that only the next run's acts on the Deployment. */
async function removeControllers(run: ClusterRun): Promise<void> {
  await run.hpas
    .deleteNamespacedHorizontalPodAutoscaler({ name: run.controllerName, namespace: run.ns })
    .catch(ignoreNotFound);
  await run.custom.deleteNamespacedCustomObject(run.cr).catch(ignoreNotFound);
}

/** Back to the trace's starting count, every other pod gone (a draining pod still serves). */
async function settleAt(run: ClusterRun, replicas: number, release: string): Promise<void> {
  const { apps, core, ns, deployment } = run;
  await apps.patchNamespacedDeploymentScale(
    { name: deployment, namespace: ns, body: { spec: { replicas } } },
    MERGE_PATCH,
  );
  const selector = `app.kubernetes.io/instance=${release},app.kubernetes.io/component=images`;
  const settled = async (): Promise<boolean> => {
    const d = await apps.readNamespacedDeployment({ name: deployment, namespace: ns });
    const pods = await core.listNamespacedPod({ namespace: ns, labelSelector: selector });
    return (
      (d.status?.readyReplicas ?? 0) === replicas &&
      (d.status?.replicas ?? 0) === replicas &&
      pods.items.length === replicas
    );
  };
  for (let i = 0; !(await settled()); i++) {
    if (i > 180) throw new Error(`${deployment} did not settle at ${replicas} replicas in 180 s`);
    await sleep(1000);
  }
}

/** Lets Prometheus scrape twice, then waits (at most 90 s in all) until the controller is warm. */
async function warmUp(controller: ClusterController, scrapeIntervalSeconds: number): Promise<void> {
  for (let i = 0; i < 90; i++) {
    await sleep(1000);
    if (i < scrapeIntervalSeconds * 2) continue;
    if (await controller.warm()) return;
  }
}

interface Followed {
  samples: ReplicaSample[];
  decisions: PolicyRun['decisions'];
  k6ExitCode: number;
}

/** Samples the Deployment every second and the controller's view every 5 s until the trace's Job ends. */
async function followTrace(
  run: ClusterRun,
  controller: ClusterController,
  jobName: string,
  originMs: number,
  durationSeconds: number,
): Promise<Followed> {
  const { apps, batch, core, ns, deployment, log } = run;
  const look = watchJob({ batch, core, namespace: ns, name: jobName, createdAtMs: originMs });
  const samples: ReplicaSample[] = [];
  const decisions: PolicyRun['decisions'] = [];
  const deadline = originMs + (durationSeconds + 200) * 1000;
  let lastLog = 0;
  for (let tick = 0; ; tick++) {
    const t = (Date.now() - originMs) / 1000;
    const d = await apps.readNamespacedDeployment({ name: deployment, namespace: ns }).catch(() => null);
    if (d)
      samples.push({ ms: Date.now(), replicas: d.spec?.replicas ?? 0, ready: d.status?.readyReplicas ?? 0 });
    if (tick % 5 === 0)
      decisions.push(await controller.view(t).catch((e: unknown) => ({ t, error: String(e) })));
    if (t - lastLog >= 30) {
      lastLog = t;
      log(
        `  t=${t.toFixed(0)} s replicas ${d?.spec?.replicas ?? '?'} (ready ${d?.status?.readyReplicas ?? '?'})`,
      );
    }
    // A Job without a pod throws here, with its conditions and events, instead of at the deadline.
    const outcome = await look().catch((e: unknown) => {
      if (e instanceof JobWithoutPodError) throw e;
      return { state: 'running' as const }; // the API server busy for a second: look again
    });
    if (outcome.state !== 'running') {
      if (outcome.state === 'failed') log(`  k6 Job ${jobName} failed: ${outcome.reason}`);
      return { samples, decisions, k6ExitCode: outcome.state === 'succeeded' ? 0 : 1 };
    }
    if (Date.now() > deadline) return { samples, decisions, k6ExitCode: -1 };
    await sleep(1000 - ((Date.now() - originMs) % 1000));
  }
}

/** The replicas' CPU over the run, and per request, from the chart's Prometheus (empty when it cannot be reached). */
async function readReplicaCpu(
  run: ClusterRun,
  o: ClusterOptions,
  traceOrigin: number,
): Promise<{ cpuTimeline: CpuPoint[]; cpuMsPerRequest: number | null }> {
  const forward = await portForward(o, `${o.release}-prometheus`, 9090).catch((e: unknown) => {
    run.log(`  Prometheus read-back failed: ${String(e)}`);
    return null;
  });
  if (!forward) return { cpuTimeline: [], cpuMsPerRequest: null };
  try {
    const url = `http://127.0.0.1:${forward.port}`;
    const sel = `{namespace="${run.ns}",service="images"}`;
    const cpuTimeline = await readCpuTimeline(url, traceOrigin, Date.now(), traceOrigin, sel);
    const seconds = Math.ceil((Date.now() - traceOrigin) / 1000) + 5;
    const q = `1000 * sum(increase(process_cpu_seconds_total${sel}[${seconds}s])) / sum(increase(http_requests_total${sel}[${seconds}s]))`;
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(q)}`, {
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
    const v = Number(body.data?.result?.[0]?.value[1]);
    return { cpuTimeline, cpuMsPerRequest: Number.isFinite(v) ? v : null };
  } finally {
    forward.child.kill('SIGTERM');
  }
}

/**
 * One policy on one trace in the cluster: only this policy's controller, the Deployment back at
 * the trace's starting count, the controller warmed up, the trace as a k6 Job followed to its
 * end, then what k6 saw and what the replicas spent, and the controller and Job removed.
 */
export async function runClusterPolicy(
  scenario: Scenario,
  policy: PolicyName,
  settings: ClosedLoopSettings,
  o: ClusterOptions,
  dir: string,
  log: (line: string) => void = () => undefined,
): Promise<PolicyRun> {
  mkdirSync(dir, { recursive: true });
  const run = openRun(o, log);
  const { batch, core, ns } = run;
  const loadBefore = loadavg();
  const controller = controllerFor(run, policy, settings, o);

  await removeControllers(run);
  await settleAt(run, scenario.initialReplicas, o.release);
  await controller.create();
  await warmUp(controller, settings.scrapeIntervalSeconds);

  const jobName = `closed-loop-${scenario.name}-${policy}-${Date.now() % 1_000_000}`;
  await core.deleteNamespacedConfigMap({ name: TRACE_CONFIGMAP, namespace: ns }).catch(ignoreNotFound);
  await core.createNamespacedConfigMap({ namespace: ns, body: traceConfigMap(ns) });
  log(`${controller.label}: k6 ${scenario.name} for ${scenario.durationSeconds} s as Job ${jobName}`);
  const originMs = Date.now();
  await batch.createNamespacedJob({
    namespace: ns,
    body: traceJob(ns, jobName, scenario, { baseUrl: o.imagesUrl, image: o.k6Image }),
  });
  const { samples, decisions, k6ExitCode } = await followTrace(
    run,
    controller,
    jobName,
    originMs,
    scenario.durationSeconds,
  );

  const podName = await jobPodName(core, ns, jobName);
  if (!podName) throw new Error(`job/${jobName} has no pod: ${await describeJob(batch, core, ns, jobName)}`);
  const text = await core.readNamespacedPodLog({ name: podName, namespace: ns, container: 'k6' });
  writeFileSync(join(dir, 'k6.log'), text);
  const { originMs: traceOrigin, timeline } = runTimeline({
    records: recordsFromLog(text),
    samples,
    fallbackOriginMs: originMs,
    durationSeconds: scenario.durationSeconds,
    offered: (t) => scenario.rps(t),
  });
  const events = scaleEventsOf(timeline);
  const { cpuTimeline, cpuMsPerRequest } = await readReplicaCpu(run, o, traceOrigin);

  await removeControllers(run);
  await batch
    .deleteNamespacedJob({ name: jobName, namespace: ns, propagationPolicy: 'Background' })
    .catch(ignoreNotFound);

  return {
    policy,
    label: controller.label,
    scenario: scenario.name,
    startedAt: new Date(originMs).toISOString(),
    loadBefore,
    loadAfter: loadavg(),
    limited: true,
    k6ExitCode,
    k6Stderr: text
      .split('\n')
      .filter((l) => !/^(metric_name|http_req_duration|dropped_iterations),/.test(l))
      .join('\n')
      .slice(-1000),
    measures: measure(timeline, events, scenario.stepAt),
    cpuMsPerRequest,
    cpuTimeline,
    calibration: calibrate(cpuTimeline, settings.cpuMillis / 1000, scenario.heavyFrom),
    events,
    timeline,
    decisions,
    targetErrors: [],
  };
}
