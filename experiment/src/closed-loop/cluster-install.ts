// Installs (or upgrades) the chart for a closed-loop run in the lab cluster: the lab values
// (lab/container-images/lab-images.values.yaml: the locally built images, FerretDB) plus what the run
// needs. The chart's own LatencyAutoscaler for images is off: each run creates ours or the HPA
// (cluster-run.ts), so exactly one controller scales the Deployment at a time.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '@laas/local';
import { toolPath } from '@laas/testbed';
import type { ClosedLoopSettings } from './run.js';

export const LAB_VALUES = join(REPO_ROOT, 'lab', 'container-images', 'lab-images.values.yaml');

/** The `--set` flags: replicas at the run's quota (request = limit, so the HPA's utilisation is of the quota). */
export function chartSets(settings: ClosedLoopSettings): string[] {
  const cpu = `${settings.cpuMillis}m`;
  return [
    `images.resources.requests.cpu=${cpu}`,
    `images.resources.limits.cpu=${cpu}`,
    'images.autoscaling.enabled=false',
    // The trace goes to the images Service alone; a gateway or auth scaling beside it would take
    // the node's CPU from one policy's run and not the other's. One replica each, fixed.
    'gateway.autoscaling.enabled=false',
    'gateway.replicaCount=1',
    'auth.autoscaling.enabled=false',
    'auth.replicaCount=1',
    'networkPolicy.allowExperiment=true',
    'prometheus.enabled=true',
    `prometheus.scrapeInterval=${settings.scrapeIntervalSeconds}s`,
  ];
}

export function helmArgs(
  kubeconfig: string,
  namespace: string,
  release: string,
  settings: ClosedLoopSettings,
): string[] {
  return [
    'upgrade',
    '--install',
    release,
    join(REPO_ROOT, 'charts', 'laas'),
    '--namespace',
    namespace,
    '--create-namespace',
    '-f',
    LAB_VALUES,
    ...chartSets(settings).flatMap((s) => ['--set', s]),
    '--wait',
    '--timeout',
    '10m',
    '--kubeconfig',
    kubeconfig,
  ];
}

export function installChart(
  kubeconfig: string,
  namespace: string,
  release: string,
  settings: ClosedLoopSettings,
): Promise<string> {
  const args = helmArgs(kubeconfig, namespace, release, settings);
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath('helm'), args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 11 * 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`helm ${args.join(' ')} exited ${code}: ${out}`));
    });
  });
}
