// The informer of client-node stops after a watch error; the controller must restart it. The
// operator talks to the real kube-apiserver through a TCP relay that the test can cut.
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { testKube, waitFor } from '@laas/testbed';
import type { KubeCluster } from '@laas/testbed';
import type { LatencyAutoscaler } from '../src/api/types.js';
import { startOperator } from '../src/operator.js';
import type { Operator } from '../src/operator.js';
import { autoscalerYaml, installCrd, must, quietLog, uniqueName } from './support/kube.js';

let kube: KubeCluster;
let relay: Server;
const sockets = new Set<Socket>();
const ns = uniqueName('lat-watch');
let operator: Operator;
const warnings: string[] = [];

function cut(): number {
  const n = sockets.size;
  for (const s of sockets) s.destroy();
  sockets.clear();
  return n;
}

beforeAll(async () => {
  kube = testKube();
  await installCrd(kube);
  await must(kube, ['create', 'namespace', ns]);
  const upstream = new URL(kube.url);
  relay = createServer((client) => {
    const server = connect(Number(upstream.port), upstream.hostname);
    for (const s of [client, server]) {
      sockets.add(s);
      s.on('error', () => s.destroy());
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(server).pipe(client);
  });
  await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
  const admin = new KubeConfig();
  admin.loadFromFile(kube.kubeconfigPath);
  const cluster = admin.getCurrentCluster();
  const user = admin.getCurrentUser();
  if (!cluster || !user) throw new Error('admin kubeconfig without a current cluster or user');
  const viaRelay = new KubeConfig();
  viaRelay.loadFromOptions({
    clusters: [{ ...cluster, server: `https://127.0.0.1:${(relay.address() as AddressInfo).port}` }],
    users: [user],
    contexts: [{ name: 'relay', cluster: cluster.name, user: user.name }],
    currentContext: 'relay',
  });
  const log = {
    ...quietLog,
    warn: (_o: object, msg: string) => void warnings.push(msg),
    info: () => undefined,
    debug: () => undefined,
    error: () => undefined,
  };
  operator = await startOperator({
    kubeConfig: viaRelay,
    namespace: ns,
    log,
    resyncMs: 1000,
    leaseDurationSeconds: 3,
    retryPeriodMs: 500,
  });
  await waitFor(() => operator.isLeader(), { timeoutMs: 10_000, what: 'the operator to lead' });
});

afterAll(async () => {
  await operator?.stop();
  cut();
  relay?.close();
  await kube?.kubectl(['delete', 'namespace', ns, '--wait=false']);
});

test('after the watch connection is cut, the informer restarts and a LatencyAutoscaler created later is reconciled', async () => {
  expect(cut()).toBeGreaterThan(0);
  await must(kube, ['-n', ns, 'apply', '-f', '-'], autoscalerYaml('late', 'nowhere', 'http://127.0.0.1:1'));
  // The only way the operator learns of `late` is its (restarted) watch or list.
  await waitFor(
    async () => {
      const lat = JSON.parse(
        await must(kube, ['-n', ns, 'get', 'latencyautoscaler', 'late', '-o', 'json']),
      ) as LatencyAutoscaler;
      return lat.status?.conditions?.find((c) => c.type === 'Ready')?.reason === 'TargetNotFound';
    },
    { timeoutMs: 30_000, what: 'the operator to report TargetNotFound on late' },
  );
  // ... and it got there through the restart path, not by luck.
  expect(warnings).toContain('watch failed; restarting the informer');
});
