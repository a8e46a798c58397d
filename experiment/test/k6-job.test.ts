import { BatchV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { V1Job } from '@kubernetes/client-node';
import { testKube } from '@laas/testbed';
import { JobWithoutPodError, jobOutcome, watchJob } from '../src/k6-job.js';

const NAMESPACE = 'experiment-k6-job';
let batch: BatchV1Api;
let core: CoreV1Api;

const condition = (type: string, reason: string, message: string) => ({
  type,
  status: 'True',
  reason,
  message,
});

describe('jobOutcome', () => {
  test.each<[string, V1Job['status'], ReturnType<typeof jobOutcome>]>([
    ['a Job with nothing yet is running', {}, { state: 'running' }],
    ['a Job with an active pod is running', { active: 1 }, { state: 'running' }],
    ['a Job whose pod succeeded has succeeded', { succeeded: 1 }, { state: 'succeeded' }],
    [
      'a Job with condition Complete has succeeded',
      { conditions: [condition('Complete', '', '')] },
      { state: 'succeeded' },
    ],
    ['a Job whose pod failed has failed', { failed: 1 }, { state: 'failed', reason: '1 pod(s) failed' }],
    [
      'a Job past its deadline whose pod never ran has failed, though no pod failed',
      {
        failed: 0,
        conditions: [
          condition('Failed', 'DeadlineExceeded', 'Job was active longer than specified deadline'),
        ],
      },
      { state: 'failed', reason: 'DeadlineExceeded: Job was active longer than specified deadline' },
    ],
  ])('%s', (_name, status, expected) => {
    expect(jobOutcome({ status })).toEqual(expected);
  });
});

describe('watchJob, against a real API server (the test bed runs no kube-controller-manager)', () => {
  beforeAll(async () => {
    const kc = new KubeConfig();
    kc.loadFromFile(testKube().kubeconfigPath);
    batch = kc.makeApiClient(BatchV1Api);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NAMESPACE } } }).catch(() => undefined);
  });
  afterAll(async () => {
    await core?.deleteNamespace({ name: NAMESPACE }).catch(() => undefined);
  });

  const createJob = async (name: string): Promise<void> => {
    await batch.createNamespacedJob({
      namespace: NAMESPACE,
      body: {
        metadata: { name },
        spec: {
          backoffLimit: 0,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'k6', image: 'laas/k6:dev' }] } },
        },
      },
    });
  };

  test('a Job that gets no pod in time fails the watch, quoting the events recorded for it', async () => {
    await createJob('no-pod');
    // What the job controller records when admission refuses its pod. No controller runs here,
    // so the test writes the event itself.
    await core.createNamespacedEvent({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'no-pod.refused' },
        involvedObject: { kind: 'Job', name: 'no-pod', namespace: NAMESPACE, apiVersion: 'batch/v1' },
        type: 'Warning',
        reason: 'FailedCreate',
        message: 'Error creating: pods "no-pod-x" is forbidden: exceeded quota',
        count: 3,
      },
    });
    let clock = 1_000;
    const look = watchJob({
      batch,
      core,
      namespace: NAMESPACE,
      name: 'no-pod',
      createdAtMs: 1_000,
      podWithinMs: 90_000,
      now: () => clock,
    });

    await expect(look()).resolves.toEqual({ state: 'running' });
    clock += 91_000;
    const failure = look();
    await expect(failure).rejects.toBeInstanceOf(JobWithoutPodError);
    await expect(failure).rejects.toThrow(
      /job\/no-pod has no pod 91 s after it was created.*conditions: none \| events: Warning FailedCreate \(x3\): Error creating: pods "no-pod-x" is forbidden: exceeded quota/,
    );
  });

  test('a Job whose pod exists is watched past the pod deadline for as long as it runs', async () => {
    await createJob('with-pod');
    // The pod the job controller would create, with the label it would set.
    await core.createNamespacedPod({
      namespace: NAMESPACE,
      body: {
        metadata: { name: 'with-pod-abcde', labels: { 'job-name': 'with-pod' } },
        spec: { restartPolicy: 'Never', containers: [{ name: 'k6', image: 'laas/k6:dev' }] },
      },
    });
    let clock = 0;
    const look = watchJob({
      batch,
      core,
      namespace: NAMESPACE,
      name: 'with-pod',
      createdAtMs: 0,
      now: () => clock,
    });

    await expect(look()).resolves.toEqual({ state: 'running' });
    clock = 600_000;
    await expect(look()).resolves.toEqual({ state: 'running' });
  });
});
