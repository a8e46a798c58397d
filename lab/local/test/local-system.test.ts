import { existsSync, readFileSync } from 'node:fs';
import { testMongoUrl, waitFor } from '@laas/testbed';
import { startLocalSystem } from '@laas/local';
import type { LocalSystem, Replica } from '@laas/local';
import { runLocalPlateau } from '@laas/experiment';
import { isTargetError } from '@laas/autoscaler';
import type { ScaleTarget } from '@laas/autoscaler';

import { jest } from '@jest/globals';

jest.setTimeout(180_000);

let system: LocalSystem;

beforeAll(async () => {
  system = await startLocalSystem({
    mongoUrl: testMongoUrl(),
    mongoDb: 'local_system_test',
    replicas: 1,
    cpuMillis: 250,
    scrapeInterval: '1s',
    shutdownGraceMs: 5_000,
  });
});

afterAll(async () => {
  await system?.stop();
});

/** http_requests_total of GET /random on one replica, read from its own /metrics. */
async function randomRequestsServed(replica: Replica): Promise<number> {
  const text = await (await fetch(`${replica.url}/metrics`)).text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('http_requests_total{') && line.includes('/random'))
      total += Number(line.split(' ').pop());
  }
  return total;
}

async function sendRequests(count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(10, count - i) }, async () => {
        const response = await fetch(`${system.url}/random?count=25`);
        await response.arrayBuffer();
        return response.status;
      }),
    );
    statuses.push(...batch);
  }
  return statuses;
}

function fileSdTargets(): string[] {
  const groups = JSON.parse(readFileSync(system.fileSdPath, 'utf8')) as { targets: string[] }[];
  return groups.flatMap((group) => group.targets).sort();
}

describe('the local system', () => {
  test.each([
    { from: 1, to: 3 },
    { from: 3, to: 2 },
  ])(
    'scaled from $from to $to replicas, routes through nginx to exactly the $to ready replicas, each in its cgroup',
    async ({ from, to }) => {
      const target = system.scaleTarget('images');
      expect((await target.get()).readyReplicas).toBe(from);
      const before = [...system.pool('images').replicas()];
      await target.scale(to);

      const replicas = [...system.pool('images').replicas()];
      expect(await target.get()).toMatchObject({ replicas: to, readyReplicas: to });
      const addresses = replicas.map((r) => r.address).sort();
      expect([...(system.upstreams().images ?? [])].sort()).toEqual(addresses);
      expect(fileSdTargets()).toEqual(addresses);
      for (const replica of replicas) {
        expect(replica.process.readBack()).toMatchObject({ cpuQuotaUs: 25_000, cpuPeriodUs: 100_000 });
      }
      // Replicas scaled away have exited and their cgroups are gone.
      for (const gone of before.filter((r) => !replicas.includes(r))) {
        expect(gone.process.exitStatus()).toBeDefined();
        for (const dir of gone.process.cgroup!.dirs) expect(existsSync(dir)).toBe(false);
      }

      const servedBefore = await Promise.all(replicas.map(randomRequestsServed));
      const statuses = await sendRequests(60);
      expect(statuses.every((s) => s === 200)).toBe(true);
      const servedAfter = await Promise.all(replicas.map(randomRequestsServed));
      const perReplica = servedAfter.map((n, i) => n - servedBefore[i]!);
      // Every request reached one of the ready replicas, and least_conn used each of them.
      expect(perReplica.reduce((a, b) => a + b, 0)).toBe(60);
      expect(perReplica.every((n) => n > 0)).toBe(true);
    },
  );

  test('is a ScaleTarget to the autoscaler: a scale with a stale version is refused with a TargetError Conflict', async () => {
    const target: ScaleTarget = system.scaleTarget('images');
    expect(target.description).toBe('local/images');
    const before = await target.get();
    await target.scale(before.replicas, before.version);
    const error = await target.scale(before.replicas + 1, before.version).catch((e: unknown) => e);
    expect(isTargetError(error) && error.code).toBe('Conflict');
    expect((await target.get()).readyReplicas).toBe(before.readyReplicas);
  });

  test('Prometheus discovers exactly the ready replicas from the targets file', async () => {
    const addresses = system
      .pool('images')
      .replicas()
      .map((r) => r.address)
      .sort();
    const instances = await waitFor(
      async () => {
        const vector = await system.prometheus!.queryVector('up{job="laas"} == 1');
        const seen = vector.map((s) => s.metric.instance ?? '').sort();
        return JSON.stringify(seen) === JSON.stringify(addresses) ? seen : undefined;
      },
      { what: 'Prometheus to scrape exactly the ready replicas', timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(instances).toEqual(addresses);
  });

  test('scaled from 5 to 1 while k6 sends a steady 15 requests per second, loses no request', async () => {
    const target = system.scaleTarget('images');
    await target.scale(5);
    expect(system.upstreams().images).toHaveLength(5);

    // 15 RPS: well within what one replica serves even on a busy 2-core machine, so a failure can
    // only come from the scale-down (a replica stopped while nginx still sends to it).
    const load = runLocalPlateau({ baseUrl: system.url, rate: 15, durationSec: 12 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await target.scale(1);
    expect(system.upstreams().images).toHaveLength(1);
    const result = await load;

    expect(result.errorRate).toBe(0);
    expect(result.summary.metrics.http_req_failed?.values.passes ?? 0).toBe(0);
    // Every offered request was sent (k6 did not have to drop any for want of a free VU).
    expect(result.requests + result.dropped).toBeGreaterThanOrEqual(15 * 12 - 1);
    expect(result.requests).toBeGreaterThanOrEqual(15 * 12 * 0.95);
    expect(result.summary.metrics.checks?.values.fails ?? 0).toBe(0);
    expect(await target.get()).toMatchObject({ replicas: 1, readyReplicas: 1 });
  });
});
