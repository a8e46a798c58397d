import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadAllYaml } from '@kubernetes/client-node';
import type { V1Container, V1Job, V1PodSpec } from '@kubernetes/client-node';
import { toolPath } from '@laas/testbed';
import { K6_IMAGE, WAIT_SCRIPT, plateauJob } from '@laas/experiment';

const execFileAsync = promisify(execFile);
const CHART = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'charts', 'laas');

describe('the k6 Job of one plateau (--target minikube)', () => {
  test.each([
    { rate: 120, durationSec: 8 },
    { rate: 1000, durationSec: 10 },
  ])(
    'a plateau Job at $rate RPS for $durationSec s runs plateau.js with those settings',
    ({ rate, durationSec }) => {
      const job = plateauJob('ns', 'j', {
        baseUrl: 'http://laas-images:4000',
        path: '/random?count=25',
        rate,
        durationSec,
        image: K6_IMAGE,
      });
      const container = job.spec!.template.spec!.containers[0]!;
      expect(container.command).toEqual(
        expect.arrayContaining([`RATE=${rate}`, `DURATION=${durationSec}s`, '/scripts/plateau.js']),
      );
      expect(container.env).toEqual(
        expect.arrayContaining([{ name: 'BASE_URL', value: 'http://laas-images:4000' }]),
      );
    },
  );

  test("a plateau Job's pod is the chart's loadtest pod (helm template), but for the command it runs", async () => {
    const { stdout } = await execFileAsync(toolPath('helm'), [
      'template',
      'laas',
      CHART,
      '--set',
      'loadtest.enabled=true',
      '--set',
      'loadtest.script=plateau.js',
      '--show-only',
      'templates/loadtest.yaml',
    ]);
    const chartJob = (loadAllYaml(stdout) as V1Job[]).find((doc) => doc?.kind === 'Job');
    expect(chartJob).toBeDefined();
    const ours = plateauJob('ns', 'j', {
      baseUrl: 'http://laas-images:4000',
      path: '/random?count=25',
      rate: 100,
      durationSec: 8,
      image: K6_IMAGE,
    });
    const theirPod = chartJob!.spec!.template.spec!;
    const ourPod = ours.spec!.template.spec!;
    const pod = (spec: V1PodSpec): unknown => ({
      restartPolicy: spec.restartPolicy,
      automountServiceAccountToken: spec.automountServiceAccountToken,
      securityContext: spec.securityContext,
      // Volume names and sources; the ConfigMap names differ (the chart's holds run.sh too).
      volumes: spec.volumes?.map((v) => ({ name: v.name, configMap: !!v.configMap, emptyDir: v.emptyDir })),
    });
    const container = (c: V1Container): unknown => ({
      name: c.name,
      image: c.image,
      imagePullPolicy: c.imagePullPolicy,
      resources: c.resources,
      securityContext: c.securityContext,
      volumeMounts: c.volumeMounts,
      home: c.env?.find((e) => e.name === 'HOME'),
    });
    expect(pod(ourPod)).toEqual(pod(theirPod));
    expect(container(ourPod.containers[0]!)).toEqual(container(theirPod.containers[0]!));
    expect(ours.spec!.backoffLimit).toBe(chartJob!.spec!.backoffLimit);
    // What differs, on purpose: one k6 run at one rate, not the chart's run.sh of stages.
    expect(theirPod.containers[0]!.command).toEqual(['sh', '/scripts/run.sh']);
    expect(ourPod.containers[0]!.command?.slice(0, 2)).toEqual(['k6', 'run']);
  });

  test('before the plateau, an init container of the same pod (same image, target and settings) waits until the target answers', () => {
    const job = plateauJob('ns', 'j', {
      baseUrl: 'http://198.19.0.10:4000',
      path: '/random?count=25',
      rate: 100,
      durationSec: 8,
      image: K6_IMAGE,
    });
    const spec = job.spec!.template.spec!;
    const [wait] = spec.initContainers ?? [];
    const { command: waitCommand, name: waitName, ...waitRest } = wait!;
    const { command: _command, name: _name, ...k6Rest } = spec.containers[0]!;
    expect(waitName).toBe('wait');
    expect(waitCommand).toEqual(expect.arrayContaining(['k6', 'run', '/scripts/wait.js']));
    expect(waitRest).toEqual(k6Rest);
  });

  test.each([
    ['answers 200 after two 503s', [503, 503, 200], 0, 3],
    ['answers 200 at once', [200], 0, 1],
  ])(
    'the wait script exits 0 once a target that %s does',
    async (_what, statuses, code, calls) => {
      let seen = 0;
      const server = http.createServer((_req, res) => {
        res.statusCode = statuses[Math.min(seen++, statuses.length - 1)]!;
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const dir = mkdtempSync(join(tmpdir(), 'laas-wait-'));
      try {
        writeFileSync(join(dir, 'wait.js'), WAIT_SCRIPT);
        const { port } = server.address() as AddressInfo;
        const result = await execFileAsync(
          toolPath('k6'),
          [
            'run',
            '--quiet',
            '--no-usage-report',
            '--no-summary',
            '-e',
            `BASE_URL=http://127.0.0.1:${port}`,
            join(dir, 'wait.js'),
          ],
          { timeout: 30_000, env: { ...process.env, K6_NO_USAGE_REPORT: 'true' } },
        ).then(
          () => 0,
          (error: { code?: number }) => error.code ?? 1,
        );
        expect({ code: result, calls: seen }).toEqual({ code, calls });
      } finally {
        server.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );
});
