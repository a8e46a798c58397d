import type { BatchV1Api, CoreV1Api, V1Job } from '@kubernetes/client-node';

/**
 * Waiting on a k6 Job, shared by the plateau Jobs (kube-environment.ts) and the closed loop's trace
 * Job (closed-loop/cluster-run.ts). Both once learnt only at their deadline, minutes later, that
 * a Job had never got a pod ("has no pod" after 396 s in a lab run, with nothing in any log to
 * say why). The watch below says so within `podWithinMs` and quotes what the cluster recorded:
 * the Job's conditions and its events (FailedCreate carries the admission's or quota's refusal).
 */

export type JobOutcome = { state: 'running' } | { state: 'succeeded' } | { state: 'failed'; reason: string };

/**
 * Where a Job stands. A pod that failed counts as failed, and so does a Failed condition with no
 * failed pod: a Job past its activeDeadlineSeconds whose pod never ran has `status.failed` 0 but
 * condition Failed/DeadlineExceeded, which a check of the counters alone waits out for ever.
 */
export function jobOutcome(job: V1Job): JobOutcome {
  const conditions = job.status?.conditions ?? [];
  const holds = (type: string) => conditions.find((c) => c.type === type && c.status === 'True');
  if ((job.status?.succeeded ?? 0) > 0 || holds('Complete')) return { state: 'succeeded' };
  const failed = holds('Failed');
  if (failed)
    return { state: 'failed', reason: `${failed.reason ?? 'Failed'}: ${failed.message ?? ''}`.trim() };
  if ((job.status?.failed ?? 0) > 0)
    return { state: 'failed', reason: `${job.status?.failed} pod(s) failed` };
  return { state: 'running' };
}

export class JobWithoutPodError extends Error {
  constructor(
    readonly job: string,
    readonly afterMs: number,
    readonly diagnosis: string,
  ) {
    super(
      `job/${job} has no pod ${Math.round(afterMs / 1000)} s after it was created (the job controller of ` +
        `kube-controller-manager creates it within seconds); what the cluster recorded: ${diagnosis}`,
    );
    this.name = 'JobWithoutPodError';
  }
}

/** The Job's conditions and its newest events, one line: what `kubectl describe job` would show. */
export async function describeJob(
  batch: BatchV1Api,
  core: CoreV1Api,
  namespace: string,
  name: string,
): Promise<string> {
  const job = await batch.readNamespacedJob({ name, namespace }).catch(() => null);
  const conditions = (job?.status?.conditions ?? []).map((c) =>
    `${c.type}=${c.status} ${c.reason ?? ''} ${c.message ?? ''}`.trim(),
  );
  const events = await core
    .listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=Job,involvedObject.name=${name}` })
    .then((list) => list.items)
    .catch(() => []);
  const lastSeen = (e: (typeof events)[number]): number =>
    new Date(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? 0).getTime();
  const eventLines = events
    .sort((a, b) => lastSeen(a) - lastSeen(b))
    .slice(-5)
    .map((e) =>
      `${e.type ?? ''} ${e.reason ?? ''}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}: ${e.message ?? ''}`.trim(),
    );
  return [
    job ? `conditions: ${conditions.length ? conditions.join('; ') : 'none'}` : 'the Job is gone',
    `events: ${eventLines.length ? eventLines.join('; ') : 'none'}`,
  ].join(' | ');
}

/** The Job's pod, if it has one (the newest, were there several). */
export async function jobPodName(
  core: CoreV1Api,
  namespace: string,
  name: string,
): Promise<string | undefined> {
  const pods = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${name}` });
  const byAge = pods.items.sort(
    (a, b) =>
      new Date(a.metadata?.creationTimestamp ?? 0).getTime() -
      new Date(b.metadata?.creationTimestamp ?? 0).getTime(),
  );
  return byAge.at(-1)?.metadata?.name;
}

export interface JobWatchOptions {
  batch: BatchV1Api;
  core: CoreV1Api;
  namespace: string;
  name: string;
  /** When the Job was created (ms, from `now`). */
  createdAtMs: number;
  /** How long a Job may be without a pod before the watch gives up on it. */
  podWithinMs?: number;
  now?: () => number;
}

/**
 * One look at a Job: its outcome, and until its pod has been seen, whether it has one. Throws
 * JobWithoutPodError once `podWithinMs` has passed with no pod (90 s: the pod object appears
 * within seconds even on a loaded machine; its containers may take a minute more to start,
 * which is the kubelet's and not counted here).
 */
export function watchJob(o: JobWatchOptions): () => Promise<JobOutcome> {
  const now = o.now ?? Date.now;
  const podWithinMs = o.podWithinMs ?? 90_000;
  let podSeen = false;
  return async () => {
    const outcome = jobOutcome(await o.batch.readNamespacedJob({ name: o.name, namespace: o.namespace }));
    if (!podSeen) podSeen = (await jobPodName(o.core, o.namespace, o.name)) !== undefined;
    if (!podSeen && (outcome.state !== 'running' || now() - o.createdAtMs > podWithinMs))
      throw new JobWithoutPodError(
        o.name,
        now() - o.createdAtMs,
        await describeJob(o.batch, o.core, o.namespace, o.name),
      );
    return outcome;
  };
}
