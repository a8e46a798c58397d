// The CLI as a process (compiled output, as the container runs it) against the real API server:
// it boots from flags, takes the Lease, serves /healthz and /metrics, and on SIGTERM releases the
// Lease and exits 0.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, testKube, waitFor } from '@laas/testbed';
import type { KubeCluster } from '@laas/testbed';
import { PACKAGE_DIR, installCrd, must, uniqueName } from './support/kube.js';

const ROOT = join(PACKAGE_DIR, '..');
let kube: KubeCluster;
let child: ChildProcess | undefined;
const ns = uniqueName('lat-cli');

beforeAll(async () => {
  kube = testKube();
  // The test runs the compiled CLI: build it first (incremental, a few seconds when up to date).
  await promisify(execFile)('npx', ['tsc', '-b', 'autoscaler'], { cwd: ROOT });
  await installCrd(kube);
  await must(kube, ['create', 'namespace', ns]);
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await kube?.kubectl(['delete', 'namespace', ns, '--wait=false']);
});

test('boots from flags, leads, serves /healthz and /metrics, and on SIGTERM releases the Lease and exits 0', async () => {
  const port = await freePort();
  const proc = spawn(
    process.execPath,
    [
      join(PACKAGE_DIR, 'dist', 'main.js'),
      '--kubeconfig',
      kube.kubeconfigPath,
      '--namespace',
      ns,
      '--port',
      String(port),
      '--identity',
      'cli',
      '--dry-run',
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = proc;
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));

  const health = await waitFor(
    async () => {
      const r = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { leader: boolean };
      return r.leader ? r : undefined;
    },
    {
      timeoutMs: 20_000,
      what: 'the CLI to lead',
      abortIf: () => (proc.exitCode !== null ? `exited: ${output}` : undefined),
    },
  );
  expect(health).toEqual({ status: 'ok', leader: true });
  expect(
    await must(kube, ['-n', ns, 'get', 'lease', 'laas-autoscaler', '-o', 'jsonpath={.spec.holderIdentity}']),
  ).toBe('cli');
  expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(
    /laas_autoscaler_is_leader 1/,
  );

  proc.kill('SIGTERM');
  expect(await exited).toBe(0);
  expect(
    await must(kube, ['-n', ns, 'get', 'lease', 'laas-autoscaler', '-o', 'jsonpath={.spec.holderIdentity}']),
  ).toBe('');
});
