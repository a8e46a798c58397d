import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  labClusterStatus,
  LABTOOL_IMAGE,
  MAX_INSTANCES,
  NODE_NAME,
  repoRoot,
  startLabCluster,
  stopLabCluster,
} from '@laas/cluster';
import type { LabCluster } from '@laas/cluster';
import { runKubectl } from '@laas/testbed';
import { isRunning } from '../src/daemons.js';
import { run } from '../src/run.js';
import { allClaims } from '../src/registry.js';
import { machineSnapshot } from './machine-snapshot.js';
import { LAB_SUITE_LOCK_TIMEOUT_MS, lockLabSuite } from './suite-lock.js';
import type { MachineSnapshot } from './machine-snapshot.js';

/**
 * One real lab cluster for this whole file (starting it takes minutes): etcd, the control plane,
 * containerd + runc, the kubelet, CNI, kube-proxy, CoreDNS, metrics-server and our NetworkPolicy
 * enforcer, in the network namespace laas-lab-<n>. The tests run in order; the last one stops it and compares the
 * machine with its state before `up`.
 *
 * A fixed state folder: if a run is killed, the next one's `up` finds and removes its leftovers.
 */
const STATE_DIR = join(repoRoot, '.lab', 'test-cluster');
const START_TIMEOUT_MS = 12 * 60_000;
// The chart suite holds the machine's one lab-cluster slot for a few minutes; wait for it, bounded.
const SUITE_LOCK_TIMEOUT_MS = LAB_SUITE_LOCK_TIMEOUT_MS;

let cluster: LabCluster | undefined;
let startError: unknown;
/**
 * The machine before `up`, recorded for every instance number: which one the cluster gets is
 * known only after `up`.
 */
const beforeByInstance = new Map<number, MachineSnapshot>();
function snapshotBefore(instance: number): MachineSnapshot {
  const snapshot = beforeByInstance.get(instance);
  if (!snapshot) throw new Error(`no snapshot of instance ${instance} was taken before up`);
  return snapshot;
}
const progress: string[] = [];

function started(): LabCluster {
  if (!cluster) throw new Error(`the lab cluster did not start: ${String(startError)}`);
  return cluster;
}

async function kubectl(args: string[], input?: string, timeoutMs = 60_000): Promise<string> {
  const result = await runKubectl(started().kubeconfigPath, args, { input, timeoutMs });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr.trim()}`);
  return result.stdout;
}

async function apply(manifest: unknown): Promise<void> {
  await kubectl(['apply', '-f', '-'], JSON.stringify(manifest));
}

/** Runs a command in a pod; never throws for a non-zero exit. */
async function execIn(
  namespace: string,
  pod: string,
  command: string[],
): Promise<{ code: number; out: string }> {
  const result = await runKubectl(
    started().kubeconfigPath,
    ['-n', namespace, 'exec', pod, '--', ...command],
    {
      timeoutMs: 30_000,
    },
  );
  // kubectl's own klog lines are not the command's output: its exec over WebSocket once wrote
  // `E1202 04:12:12.541133   13565 websocket.go:297] Unknown stream id 1, discarding message`
  // after a command that succeeded with no output.
  const kubectlLog = /^[IWEF]\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [\w.-]+:\d+\] .*$/gm;
  const stderr = result.stderr.replace(kubectlLog, '');
  return { code: result.code, out: (result.stdout + stderr).trim() };
}

function labtoolPod(
  namespace: string,
  name: string,
  labels: Record<string, string>,
  args: string[],
  extra: object = {},
): object {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: 'main',
          image: LABTOOL_IMAGE,
          imagePullPolicy: 'Never',
          args,
          ...extra,
        },
      ],
    },
  };
}

async function waitPodsReady(namespace: string, names: string[]): Promise<void> {
  await kubectl(
    ['-n', namespace, 'wait', '--for=condition=Ready', ...names.map((n) => `pod/${n}`), '--timeout=180s'],
    undefined,
    200_000,
  );
}

/** GET url with a Host header, from the host (the node address is reachable over the veth). */
function httpGet(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolveResponse, reject) => {
    const req = request(url, { headers, agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveResponse({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `check` until it returns true, for at most `timeoutMs`; returns the last result. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(1_000);
  }
}

/** A CPU quantity of the metrics API ("99867123n", "250m", "2") in cores. */
function cpuCores(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)(n|u|m)?$/.exec(quantity);
  if (!match) throw new Error(`not a CPU quantity: ${quantity}`);
  const scale = { n: 1e-9, u: 1e-6, m: 1e-3 }[match[2] as 'n' | 'u' | 'm'] ?? 1;
  return Number(match[1]) * scale;
}

/** A memory quantity of the metrics API ("12345Ki", "64Mi", "1000") in bytes. */
function memoryBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi)?$/.exec(quantity);
  if (!match) throw new Error(`not a memory quantity: ${quantity}`);
  const scale = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[match[2] as 'Ki' | 'Mi' | 'Gi'] ?? 1;
  return Number(match[1]) * scale;
}

let unlock: (() => void) | undefined;

beforeAll(async () => {
  unlock = await lockLabSuite(SUITE_LOCK_TIMEOUT_MS);
  // Leftovers of a killed earlier run of this file would show up in "before": remove them first.
  await stopLabCluster({ stateDir: STATE_DIR });
  for (let instance = 0; instance < MAX_INSTANCES; instance++) {
    beforeByInstance.set(instance, machineSnapshot(instance, STATE_DIR));
  }
  try {
    // Only the cluster's own images: these tests need no service image (and importing them costs time).
    cluster = await startLabCluster({
      stateDir: STATE_DIR,
      imagesDir: false,
      log: (line) => progress.push(line),
    });
  } catch (error) {
    startError = error;
    throw error;
  }
}, SUITE_LOCK_TIMEOUT_MS + START_TIMEOUT_MS);

afterAll(async () => {
  // The last test stops the cluster; this is the safety net when it did not run or failed early.
  await stopLabCluster({ stateDir: STATE_DIR });
  unlock?.();
}, 120_000);

describe('the lab cluster', () => {
  test('the node becomes Ready, with a kubelet of the pinned version', async () => {
    const node = JSON.parse(await kubectl(['get', 'node', NODE_NAME, '-o', 'json'])) as {
      status: {
        conditions: { type: string; status: string }[];
        nodeInfo: { kubeletVersion: string; containerRuntimeVersion: string };
      };
    };
    expect(node.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status.nodeInfo.kubeletVersion).toBe('v1.33.13');
    expect(node.status.nodeInfo.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.6\./);
    // Printed for the README's timing table.
    console.log(`lab cluster up: ${progress.join(' | ')}`);
  });

  test("a pod's CPU limit of 250m reads back from its cgroup as cfs_quota_us 25000 (period 100000)", async () => {
    const ns = 'cpu-limit';
    await kubectl(['create', 'namespace', ns]);
    await apply(
      labtoolPod(ns, 'limited', { app: 'limited' }, ['pause'], {
        resources: { limits: { cpu: '250m', memory: '64Mi' }, requests: { cpu: '250m', memory: '64Mi' } },
      }),
    );
    await waitPodsReady(ns, ['limited']);
    const pod = JSON.parse(await kubectl(['-n', ns, 'get', 'pod', 'limited', '-o', 'json'])) as {
      metadata: { uid: string };
      status: { qosClass: string; containerStatuses: { containerID: string }[] };
    };
    const containerId = pod.status.containerStatuses[0]?.containerID.replace(/^containerd:\/\//, '') ?? '';
    expect(pod.status.qosClass).toBe('Guaranteed');
    // cgroupfs driver: <cgroupRoot>/kubepods/pod<uid>/<container id> (Guaranteed pods sit right under kubepods).
    const podCgroup = join('/sys/fs/cgroup/cpu', started().cgroupRoot, 'kubepods', `pod${pod.metadata.uid}`);
    const containerCgroup = join(podCgroup, containerId);
    expect(statSync(containerCgroup).isDirectory()).toBe(true);
    expect(readFileSync(join(containerCgroup, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('25000');
    expect(readFileSync(join(containerCgroup, 'cpu.cfs_period_us'), 'utf8').trim()).toBe('100000');
    expect(readFileSync(join(podCgroup, 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('25000');
    // 64Mi = 67108864 bytes, in the memory hierarchy.
    const memoryCgroup = join(
      '/sys/fs/cgroup/memory',
      started().cgroupRoot,
      'kubepods',
      `pod${pod.metadata.uid}`,
      containerId,
    );
    expect(readFileSync(join(memoryCgroup, 'memory.limit_in_bytes'), 'utf8').trim()).toBe('67108864');
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 300_000);

  test('a pod resolves a Service name through CoreDNS and reaches it through kube-proxy', async () => {
    const ns = 'dns';
    await kubectl(['create', 'namespace', ns]);
    await apply(labtoolPod(ns, 'web', { app: 'web' }, ['serve', ':8080']));
    await apply(labtoolPod(ns, 'client', { app: 'client' }, ['pause']));
    await apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await waitPodsReady(ns, ['web', 'client']);
    const clusterIp = (
      await kubectl(['-n', ns, 'get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'])
    ).trim();
    expect(clusterIp).toMatch(/^198\.19\./);

    // The short name goes through the pod's search path (dns.svc.cluster.local) to CoreDNS.
    const resolved = await execIn(ns, 'client', ['/labtool', 'resolve', 'web']);
    expect(resolved).toEqual({ code: 0, out: clusterIp });
    const full = await execIn(ns, 'client', ['/labtool', 'resolve', `web.${ns}.svc.cluster.local`]);
    expect(full.out).toBe(clusterIp);
    // A name outside the cluster has nowhere to go: NXDOMAIN, not a hang.
    const outside = await execIn(ns, 'client', ['/labtool', 'resolve', 'example.invalid']);
    expect(outside.code).not.toBe(0);

    const answer = await execIn(ns, 'client', ['/labtool', 'get', 'http://web/']);
    expect(answer).toEqual({ code: 0, out: 'labtool web' });
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 300_000);

  test('from the host, a pod and a Service address route into the node and an unused lab address is unreachable: no lab address leaves the machine', async () => {
    const ns = 'routes';
    await kubectl(['create', 'namespace', ns]);
    await apply(labtoolPod(ns, 'web', { app: 'web' }, ['serve', ':8080']));
    await apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: ns },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await waitPodsReady(ns, ['web']);
    const podIp = (await kubectl(['-n', ns, 'get', 'pod', 'web', '-o', 'jsonpath={.status.podIP}'])).trim();
    const serviceIp = (
      await kubectl(['-n', ns, 'get', 'service', 'web', '-o', 'jsonpath={.spec.clusterIP}'])
    ).trim();
    // Every instance has the same pod and Service ranges; the host routes them to the lowest
    // running instance (this one, unless a user's cluster runs beside the tests).
    const lowest = Math.min(...allClaims().map((claim) => claim.instance));
    const node = `198.19.255.${lowest * 4 + 2}`;
    const routeTo = async (address: string): Promise<string> => {
      const result = await run('ip', ['route', 'get', address]);
      return `${result.stdout}${result.stderr}`.trim();
    };
    expect(await routeTo(podIp)).toContain(`${podIp} via ${node} dev laaslab${lowest}h`);
    expect(await routeTo(serviceIp)).toContain(`${serviceIp} via ${node} dev laaslab${lowest}h`);
    // Outside the pod and Service ranges and every instance's link: refused on the host.
    for (const unused of ['198.19.16.1', '198.19.128.1', '198.19.255.250']) {
      expect({ unused, route: await routeTo(unused) }).toEqual({
        unused,
        route: 'RTNETLINK answers: No route to host',
      });
    }
    if (lowest === started().instance) {
      // And the routes deliver: the pod and its Service answer the host through the node.
      expect(await httpGet(`http://${podIp}:8080/`, {})).toEqual({ status: 200, body: 'labtool web\n' });
      // kube-proxy rejects a Service with no endpoints yet: its rules follow the pod within seconds.
      const throughService = await eventually(async () => {
        const response = await httpGet(`http://${serviceIp}/`, {}).catch(() => undefined);
        return response?.status === 200 && response.body === 'labtool web\n';
      }, 30_000);
      expect(throughService).toBe(true);
    }
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 300_000);

  test('a NetworkPolicy lets the allowed pod through and stops the other one', async () => {
    const ns = 'netpol';
    await kubectl(['create', 'namespace', ns]);
    await apply(labtoolPod(ns, 'api', { app: 'api' }, ['serve', ':8080']));
    await apply(labtoolPod(ns, 'frontend', { role: 'frontend' }, ['pause']));
    await apply(labtoolPod(ns, 'stranger', { role: 'stranger' }, ['pause']));
    await waitPodsReady(ns, ['api', 'frontend', 'stranger']);
    const apiIp = (await kubectl(['-n', ns, 'get', 'pod', 'api', '-o', 'jsonpath={.status.podIP}'])).trim();
    const url = `http://${apiIp}:8080/`;
    const reach = (from: string): Promise<boolean> =>
      execIn(ns, from, ['/labtool', 'get', url, '3']).then((r) => r.code === 0);

    // Without a policy both reach the API pod: the denial below is the policy's doing.
    expect(await reach('frontend')).toBe(true);
    expect(await reach('stranger')).toBe(true);

    await apply({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'api-from-frontend', namespace: ns },
      spec: {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { role: 'frontend' } } }],
            ports: [{ port: 8080, protocol: 'TCP' }],
          },
        ],
      },
    });
    // The enforcer sees the policy through a watch: give it a moment, bounded.
    expect(await eventually(async () => !(await reach('stranger')), 30_000)).toBe(true);
    expect(await reach('frontend')).toBe(true);
    expect(await reach('stranger')).toBe(false);

    // Deleting the policy opens the path again.
    await kubectl(['-n', ns, 'delete', 'networkpolicy', 'api-from-frontend']);
    expect(await eventually(() => reach('stranger'), 30_000)).toBe(true);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 300_000);

  test('an Ingress of class nginx routes a host and path to its Service through the ingress controller on the node address', async () => {
    const ns = 'ingress';
    await kubectl(['create', 'namespace', ns]);
    await serveWebThroughIngress(ns, 'web.lab.test');
    const url = `http://${started().nodeIp}/anything`;
    const routed = await eventually(async () => {
      // The controller renders every 2 s; until then the default server answers 404.
      const response = await httpGet(url, { host: 'web.lab.test' }).catch(() => undefined);
      return response?.status === 200 && response.body === 'labtool web\n';
    }, 30_000);
    expect(routed).toBe(true);
    // Another host has no rule: the default server answers 404.
    expect((await httpGet(url, { host: 'other.lab.test' })).status).toBe(404);
    // The controller publishes the node address in the Ingress status, as ingress-nginx does.
    const status = await kubectl([
      '-n',
      ns,
      'get',
      'ingress',
      'web',
      '-o',
      'jsonpath={.status.loadBalancer.ingress[0].ip}',
    ]);
    expect(status.trim()).toBe(started().nodeIp);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 300_000);

  test('a PersistentVolumeClaim of the default StorageClass binds to a local volume and keeps data across pods', async () => {
    const ns = 'storage';
    await kubectl(['create', 'namespace', ns]);
    await apply({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data', namespace: ns },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
    const withVolume = (name: string): object => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: {
        terminationGracePeriodSeconds: 1,
        containers: [
          {
            name: 'main',
            image: LABTOOL_IMAGE,
            imagePullPolicy: 'Never',
            args: ['pause'],
            volumeMounts: [{ name: 'data', mountPath: '/data' }],
          },
        ],
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      },
    });
    await apply(withVolume('first'));
    await waitPodsReady(ns, ['first']);
    const pvc = JSON.parse(await kubectl(['-n', ns, 'get', 'pvc', 'data', '-o', 'json'])) as {
      spec: { storageClassName: string; volumeName: string };
      status: { phase: string };
    };
    expect(pvc.status.phase).toBe('Bound');
    expect(pvc.spec.storageClassName).toBe('laas-local');
    expect(await execIn(ns, 'first', ['/labtool', 'write', '/data/llama.txt', 'alpaca'])).toEqual({
      code: 0,
      out: '',
    });
    // The volume is a folder of the state folder on the host.
    const pv = JSON.parse(await kubectl(['get', 'pv', pvc.spec.volumeName, '-o', 'json'])) as {
      spec: { hostPath: { path: string } };
    };
    expect(readFileSync(join(pv.spec.hostPath.path, 'llama.txt'), 'utf8')).toBe('alpaca');
    await kubectl(['-n', ns, 'delete', 'pod', 'first', '--wait=true', '--timeout=60s'], undefined, 90_000);
    await apply(withVolume('second'));
    await waitPodsReady(ns, ['second']);
    expect(await execIn(ns, 'second', ['/labtool', 'cat', '/data/llama.txt'])).toEqual({
      code: 0,
      out: 'alpaca',
    });
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 300_000);

  test("the metrics API (metrics-server behind APIService v1beta1.metrics.k8s.io) returns a running pod's CPU and memory", async () => {
    const ns = 'metrics';
    await kubectl(['create', 'namespace', ns]);
    // One busy container held at 100m by its limit: its CPU reads back near 0.1 CPU, not 0.
    await apply(
      labtoolPod(ns, 'busy', { app: 'busy' }, ['spin'], {
        resources: { limits: { cpu: '100m', memory: '32Mi' }, requests: { cpu: '50m', memory: '32Mi' } },
      }),
    );
    await waitPodsReady(ns, ['busy']);
    const available = await kubectl([
      'get',
      'apiservice',
      'v1beta1.metrics.k8s.io',
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Available")].status}',
    ]);
    expect(available.trim()).toBe('True');
    // A pod's CPU is a rate: metrics-server needs two of its 15 s scrapes after the pod started.
    let usage: { cpu: number; memory: number } | undefined;
    await eventually(async () => {
      const result = await runKubectl(started().kubeconfigPath, [
        'get',
        '--raw',
        `/apis/metrics.k8s.io/v1beta1/namespaces/${ns}/pods/busy`,
      ]);
      if (result.code !== 0) return false; // 404 until the pod has been scraped twice
      const metrics = JSON.parse(result.stdout) as {
        containers: { usage: { cpu: string; memory: string } }[];
      };
      const container = metrics.containers[0];
      if (!container) return false;
      usage = { cpu: cpuCores(container.usage.cpu), memory: memoryBytes(container.usage.memory) };
      return true;
    }, 120_000);
    expect(usage).toBeDefined();
    // About 0.1 CPU (the limit); bounded loosely, the machine is shared.
    expect(usage!.cpu).toBeGreaterThan(0.03);
    expect(usage!.cpu).toBeLessThan(0.2);
    expect(usage!.memory).toBeGreaterThan(0);
    expect(usage!.memory).toBeLessThan(32 * 1024 * 1024);
    // The node's own usage is there too (what `kubectl top node` shows).
    const node = JSON.parse(
      await kubectl(['get', '--raw', `/apis/metrics.k8s.io/v1beta1/nodes/${NODE_NAME}`]),
    ) as {
      usage: { cpu: string; memory: string };
    };
    expect(cpuCores(node.usage.cpu)).toBeGreaterThan(usage!.cpu);
    expect(memoryBytes(node.usage.memory)).toBeGreaterThan(usage!.memory);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 300_000);

  test("an autoscaling/v2 HPA on CPU utilisation reads a Deployment's current utilisation and the controller-manager scales it up", async () => {
    const ns = 'hpa';
    await kubectl(['create', 'namespace', ns]);
    const labels = { app: 'busy' };
    await apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'busy', namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [
              {
                name: 'main',
                image: LABTOOL_IMAGE,
                imagePullPolicy: 'Never',
                args: ['spin'],
                // Spinning at its 100m limit against a 50m request: about 200% utilisation.
                resources: {
                  limits: { cpu: '100m', memory: '32Mi' },
                  requests: { cpu: '50m', memory: '32Mi' },
                },
              },
            ],
          },
        },
      },
    });
    await apply({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'busy', namespace: ns },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'busy' },
        minReplicas: 1,
        maxReplicas: 3,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } },
          },
        ],
      },
    });
    interface HpaStatus {
      currentReplicas?: number;
      desiredReplicas?: number;
      currentMetrics?: { resource?: { name: string; current: { averageUtilization?: number } } }[];
      conditions?: { type: string; status: string; reason: string; message: string }[];
    }
    let status: HpaStatus = {};
    // Metrics after two scrapes (15 s apart), then an HPA sync (every 15 s): bounded well above.
    await eventually(async () => {
      status = (
        JSON.parse(await kubectl(['-n', ns, 'get', 'hpa', 'busy', '-o', 'json'])) as { status: HpaStatus }
      ).status;
      return (status.desiredReplicas ?? 0) > 1;
    }, 180_000);
    const utilisation = status.currentMetrics?.[0]?.resource?.current.averageUtilization;
    const conditions = Object.fromEntries(
      (status.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason}`]),
    );
    expect({ utilisation: typeof utilisation, conditions }).toEqual({
      utilisation: 'number',
      conditions: expect.objectContaining({
        AbleToScale: expect.stringMatching(/^True /),
        ScalingActive: 'True ValidMetricFound',
      }),
    });
    // 200% of the request, by the numbers above; at least well above the 50% target.
    expect(utilisation).toBeGreaterThan(100);
    // ceil(1 x 200 / 50) = 4, clamped to maxReplicas 3; the Deployment follows.
    expect(status.desiredReplicas).toBe(3);
    const scaled = await eventually(async () => {
      const replicas = await kubectl([
        '-n',
        ns,
        'get',
        'deployment',
        'busy',
        '-o',
        'jsonpath={.spec.replicas}',
      ]);
      return replicas.trim() === '3';
    }, 60_000);
    expect(scaled).toBe(true);
    await kubectl(['delete', 'namespace', ns, '--wait=false']);
  }, 360_000);

  describe('every node daemon is supervised: SIGKILLed in turn under light load through the ingress, it is back and the cluster works', () => {
    const ns = 'faults';
    /** One GET through the ingress, sent from inside the node's network namespace. */
    interface Probe {
      at: number;
      ok: boolean;
    }
    const probes: Probe[] = [];
    const inFlight = new Set<Promise<void>>();
    let timer: NodeJS.Timeout | undefined;

    beforeAll(async () => {
      await kubectl(['create', 'namespace', ns]);
      await serveWebThroughIngress(ns);
      const labtool = join(repoRoot, 'tools', 'bin', 'labtool');
      const get = (): Promise<boolean> =>
        run(
          'nsenter',
          [`--net=${started().netnsPath}`, '--', labtool, 'get', `http://${started().nodeIp}/`, '3'],
          {
            timeoutMs: 10_000,
          },
        ).then(
          (result) => result.code === 0 && result.stdout === 'labtool web\n',
          () => false,
        );
      expect(await eventually(get, 30_000)).toBe(true);
      // 5 requests per second: light, and enough to see a gap of a fraction of a second.
      timer = setInterval(() => {
        const at = Date.now();
        const probe = get().then((ok) => {
          probes.push({ at, ok });
        });
        inFlight.add(probe);
        void probe.finally(() => inFlight.delete(probe));
      }, 200);
    }, 300_000);

    afterAll(async () => {
      clearInterval(timer);
      await Promise.all(inFlight);
      await kubectl(['delete', 'namespace', ns, '--wait=false']).catch(() => undefined);
    }, 60_000);

    test.each([
      'etcd',
      'kube-apiserver',
      'kube-controller-manager',
      'kube-scheduler',
      'containerd',
      'kubelet',
      'kube-proxy',
      'metrics-server',
      'netpol-enforcer',
      'ingress-controller',
    ])(
      '%s: restarted by the supervisor with its restart counted, no request through the ingress fails, and a new pod starts',
      async (daemon) => {
        const stateDir = started().stateDir;
        const before = (await labClusterStatus({ stateDir })).components[daemon]!;
        expect({ daemon, running: before.running }).toEqual({ daemon, running: true });
        const killedAt = Date.now();
        process.kill(before.pid!, 'SIGKILL');
        let after = before;
        const back = await eventually(async () => {
          const status = await labClusterStatus({ stateDir });
          after = status.components[daemon]!;
          return status.running && after.restarts === before.restarts + 1;
        }, 90_000);
        const backMs = Date.now() - killedAt;
        expect({ daemon, back, after }).toMatchObject({ daemon, back: true, after: { running: true } });
        expect(after.pid).not.toBe(before.pid);
        expect(isRunning(before.pid!)).toBe(false);

        const pod = `after-${daemon}`;
        await apply(labtoolPod(ns, pod, { probe: 'after-kill' }, ['pause']));
        await waitPodsReady(ns, [pod]);
        await kubectl(['-n', ns, 'delete', 'pod', pod, '--wait=false']);
        const seen = probes.filter((p) => p.at >= killedAt);
        const failed = seen.filter((p) => !p.ok).length;
        process.stdout.write(
          `lab-cluster: SIGKILL of ${daemon}: back (cluster status running) after ${(backMs / 1000).toFixed(1)} s; ` +
            `${failed} of ${seen.length} requests through the ingress failed from the kill until a new pod ran\n`,
        );
        expect(seen.length).toBeGreaterThan(0);
        expect({ daemon, failed }).toEqual({ daemon, failed: 0 });
        probes.length = 0;
      },
      240_000,
    );
  });

  test(
    'up on a state folder whose cluster still runs (as after a killed test) removes that run first, then starts afresh',
    async () => {
      const earlier = started();
      const lines: string[] = [];
      cluster = undefined;
      cluster = await startLabCluster({
        stateDir: STATE_DIR,
        imagesDir: false,
        log: (line) => lines.push(line),
      });
      expect(lines.find((line) => line.startsWith('removed leftovers of an earlier run'))).toMatch(
        /killed \d+ processes; unmounted \d+ mounts; deleted network namespace laas-lab-\d+/,
      );
      expect(cluster.instance).toBe(earlier.instance);
      // A fresh cluster: the namespaces of the earlier tests are gone with the old etcd data.
      const namespaces = await kubectl(['get', 'namespaces', '-o', 'jsonpath={.items[*].metadata.name}']);
      expect(namespaces.split(' ').sort()).toEqual([
        'default',
        'kube-node-lease',
        'kube-public',
        'kube-system',
      ]);
    },
    START_TIMEOUT_MS,
  );

  test('down leaves the machine as it was before up (processes, mounts, cgroups, links, netns, rules, sysctls)', async () => {
    const { instance } = started();
    const running = machineSnapshot(instance, STATE_DIR);
    // While it runs, each kind of trace is there, so the comparison below can fail.
    expect(running.processes.length).toBeGreaterThan(5);
    expect(running.mounts.length).toBeGreaterThan(0);
    expect(running.cgroups).toContain(`freezer/laas-lab-${instance}`);
    expect(running.links).toContain(`laaslab${instance}h`);
    expect(running.netns).toContain(`laas-lab-${instance}`);
    expect(running.routes).toContain(`unreachable 198.18.0.0/15 metric ${1000 + instance}`);

    const report = await stopLabCluster({ stateDir: STATE_DIR });
    cluster = undefined;
    expect(report.found).toBe(true);
    const after = machineSnapshot(instance, STATE_DIR);
    expect(after).toEqual(snapshotBefore(instance));
    // Nothing of the run is left in the state folder but its logs and the image cache.
    expect(readdirSync(STATE_DIR).sort()).toEqual(['image-cache', 'logs']);
  }, 180_000);
});

/**
 * A labtool web server in `ns`, its Service, and an Ingress of class nginx routing `/` of `host`
 * (every host when none) to it; resolves once the pod is Ready.
 */
async function serveWebThroughIngress(ns: string, host?: string): Promise<void> {
  await apply(labtoolPod(ns, 'web', { app: 'web' }, ['serve', ':8080']));
  await apply({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: ns },
    spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
  });
  const http = {
    paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { name: 'http' } } } }],
  };
  await apply({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: ns },
    spec: { ingressClassName: 'nginx', rules: [host === undefined ? { http } : { host, http }] },
  });
  await waitPodsReady(ns, ['web']);
}
