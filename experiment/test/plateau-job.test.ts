import { execFile } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadAllYaml } from '@kubernetes/client-node';
import type { V1Container, V1Job, V1PodSpec } from '@kubernetes/client-node';
import { toolPath } from '@laas/testbed';
import { K6_IMAGE, plateauJob } from '@laas/experiment';

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
});
