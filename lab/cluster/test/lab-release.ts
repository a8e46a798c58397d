import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot, startLabCluster, stopLabCluster } from '@laas/cluster';
import type { LabCluster } from '@laas/cluster';
import { buildLabImages } from '@laas/container-images';
import { runKubectl, toolPath } from '@laas/testbed';
import { lockLabSuite } from './suite-lock.js';

/**
 * Test support shared by the lab-cluster suites that install the chart: one lab cluster per test
 * file (under the machine-wide suite lock), `helm install` of the chart with the lab values, and
 * kubectl/helm bound to that cluster's kubeconfig.
 */

/** Runs kubectl against a kubeconfig; throws with its stderr on a non-zero exit. */
export async function kubectlWith(
  kubeconfigPath: string,
  args: string[],
  input?: string,
  timeoutMs = 60_000,
): Promise<string> {
  const result = await runKubectl(kubeconfigPath, args, { input, timeoutMs });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** Runs helm (tools/bin) against a kubeconfig from the repo root; throws with its output on a non-zero exit. */
export function helmWith(kubeconfigPath: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(toolPath('helm'), [...args, '--kubeconfig', kubeconfigPath], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolveRun(out);
      else reject(new Error(`helm ${args.join(' ')} exited ${code}: ${out}`));
    });
  });
}

/** Polls `check` every `intervalMs` until it returns true, for at most `timeoutMs`; a throw counts as false. */
export async function eventually(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 2_000,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

export interface LabReleaseOptions {
  /** The cluster's state folder (one per test file: a killed run's leftovers are removed by the next `up`). */
  stateDir: string;
  namespace: string;
  release: string;
  /** Extra `helm install` arguments after the lab values (e.g. --set). */
  helmArgs?: string[];
  /** How long to wait for another lab suite's lock. */
  lockTimeoutMs: number;
}

export interface LabRelease {
  cluster: LabCluster;
  kubectl(args: string[], input?: string, timeoutMs?: number): Promise<string>;
  helm(args: string[], timeoutMs: number): Promise<string>;
  /** Stops the cluster and releases the suite lock (also after a failed start). */
  stop(): Promise<void>;
}

/**
 * Builds the lab images (a content-keyed cache hit when `npm run container-images -- build` ran), takes the
 * suite lock, starts a fresh lab cluster and installs the chart with
 * lab/container-images/lab-images.values.yaml, waiting for its Deployments and StatefulSets. On failure the
 * cluster is stopped and the lock released before the error is rethrown.
 */
export async function startLabRelease(options: LabReleaseOptions): Promise<LabRelease> {
  await buildLabImages();
  const unlock = await lockLabSuite(options.lockTimeoutMs);
  const stop = async (): Promise<void> => {
    try {
      await stopLabCluster({ stateDir: options.stateDir });
    } finally {
      unlock();
    }
  };
  try {
    await stopLabCluster({ stateDir: options.stateDir });
    const cluster = await startLabCluster({ stateDir: options.stateDir });
    const release: LabRelease = {
      cluster,
      kubectl: (args, input, timeoutMs) => kubectlWith(cluster.kubeconfigPath, args, input, timeoutMs),
      helm: (args, timeoutMs) => helmWith(cluster.kubeconfigPath, args, timeoutMs),
      stop,
    };
    await release.helm(
      [
        'install',
        options.release,
        'charts/laas',
        '--namespace',
        options.namespace,
        '--create-namespace',
        '-f',
        'lab/container-images/lab-images.values.yaml',
        ...(options.helmArgs ?? []),
        '--wait',
        '--timeout',
        '10m',
      ],
      11 * 60_000,
    );
    return release;
  } catch (error) {
    await stop();
    throw error;
  }
}
