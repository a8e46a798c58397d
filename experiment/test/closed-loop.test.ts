// A tiny closed loop on real parts: the local system (a replica process in a cgroup, nginx,
// Prometheus scraping it, FerretDB), k6 offering load, and the operator's Reconciler and decider
// reading that Prometheus and scaling through LocalScaleTarget. Nothing is mocked.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { testMongoUrl, waitFor } from '@laas/testbed';
import { startLocalSystem } from '@laas/local';
import type { LocalSystem } from '@laas/local';
import { DeploymentLikeTarget, OursController } from '../src/closed-loop/controllers.js';
import { startK6Trace } from '../src/closed-loop/k6-trace.js';
import type { K6Trace } from '../src/closed-loop/k6-trace.js';

jest.setTimeout(150_000);

let system: LocalSystem;
let k6: K6Trace | undefined;
const dir = mkdtempSync(join(tmpdir(), 'laas-closed-loop-test-'));

beforeAll(async () => {
  system = await startLocalSystem({
    mongoUrl: testMongoUrl(),
    mongoDb: 'closed_loop_test',
    replicas: 1,
    cpuMillis: 100,
    scrapeInterval: '1s',
    shutdownGraceMs: 3_000,
  });
});

afterAll(async () => {
  k6?.stop();
  await k6?.done;
  await system?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function promScalar(query: string): Promise<number | null> {
  const res = await fetch(`${system.prometheus!.url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  const v = body.data.result[0]?.value[1];
  return v === undefined ? null : Number(v);
}

test('when load rises to 30 RPS on 1 replica planned for 7, our decider scales the local system to its maximum of 2, as its pool and Prometheus show', async () => {
  const target = new DeploymentLikeTarget(system.scaleTarget('images'));
  const ours = new OursController(target, {
    prometheusUrl: system.prometheus!.url,
    bounds: { minReplicas: 1, maxReplicas: 2 },
    // 10 RPS per replica planned at 70 %: 30 RPS is a burst (>= 2 x 7), acted on at once.
    rpsPerReplica: 10,
    targetUtilization: 0.7,
    fallbackReplicas: 1,
    scrapeIntervalSeconds: 1,
    windows: { short: 4, long: 8 },
  });
  k6 = startK6Trace({
    baseUrl: system.url,
    dir,
    scenario: {
      name: 'tiny',
      description: '30 RPS for 60 s',
      durationSeconds: 60,
      rps: () => 30,
      initialReplicas: 1,
    },
  });
  expect((await target.get()).replicas).toBe(1);
  await waitFor(
    async () => {
      await ours.evaluate(0);
      const s = await target.get();
      return s.replicas === 2 && s.readyReplicas === 2;
    },
    { timeoutMs: 90_000, intervalMs: 2_000, what: 'the decider to scale to 2 ready replicas' },
  );
  expect(ours.object.status?.desiredReplicas).toBe(2);
  expect(system.upstreams().images).toHaveLength(2);
  // Prometheus discovers the new replica and scrapes both.
  await waitFor(async () => (await promScalar('count(up{service="images"} == 1)')) === 2, {
    timeoutMs: 30_000,
    intervalMs: 1_000,
    what: 'Prometheus to scrape 2 replicas',
  });
  expect(target.errors).toEqual([]);
});
