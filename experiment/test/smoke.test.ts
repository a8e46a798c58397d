import { testMongoUrl } from '@laas/testbed';
import { execFileSync } from 'node:child_process';
import { jest } from '@jest/globals';
import { imagesService, startReplica } from '@laas/local';
import type { Replica } from '@laas/local';
import { SMOKE_SCRIPT, runK6 } from '@laas/experiment';

jest.setTimeout(120_000);

let images: Replica;

beforeAll(async () => {
  const env = imagesService.env({
    mongoUrl: testMongoUrl(),
    mongoDb: 'experiment_smoke_test',
    serviceUrls: {},
    signingKeyFile: 'unused-by-images',
    logLevel: 'warn',
  });
  execFileSync(process.execPath, [imagesService.setup!.entry], { env: { ...process.env, ...env } });
  images = await startReplica({ spec: imagesService, name: 'smoke-images', env });
});

afterAll(async () => {
  await images?.stop();
});

describe('charts/laas/files/k6/smoke.js', () => {
  test.each([
    { count: 25, vus: 3, duration: '3s' },
    { count: 1, vus: 2, duration: '2s' },
  ])(
    'against a real images service asking for $count URL(s) with $vus VUs for $duration, passes its checks and thresholds',
    async ({ count, vus, duration }) => {
      const run = await runK6({
        script: SMOKE_SCRIPT,
        env: { BASE_URL: images.url, COUNT: String(count), VUS: String(vus), DURATION: duration },
      });
      expect(run.stderr).not.toMatch(/level=error/);
      expect(run.code).toBe(0);
      const metrics = run.summary!.metrics;
      expect(metrics.http_reqs!.values.count).toBeGreaterThan(10);
      expect(metrics.http_req_failed!.values.rate).toBe(0);
      expect(metrics.checks!.values.fails).toBe(0);
      expect(Object.values(metrics.checks!.thresholds ?? {}).every((t) => t.ok)).toBe(true);
    },
  );
});
