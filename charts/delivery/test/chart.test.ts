import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CI_VARIANTS, renderChart, renderChartText } from '../src/chart.js';
import type { Variant } from '../src/chart.js';
import { byName, ofKind, podTemplateOf, specOf } from '../src/objects.js';
import type { Container, K8sObject, Labels, PodTemplate } from '../src/objects.js';
import { mapSelectorMatches } from '../src/selectors.js';
import { chartDir, helm } from '../src/tools.js';

const VARIANTS: Variant[] = ['default', ...CI_VARIANTS];
const rendered = new Map<Variant, K8sObject[]>();

beforeAll(async () => {
  for (const variant of VARIANTS) {
    rendered.set(variant, await renderChart({ variant, set: ['loadtest.enabled=true'] }));
  }
});

const objectsOf = (variant: Variant): K8sObject[] => rendered.get(variant)!;
const workloads = (objects: K8sObject[]): [K8sObject, PodTemplate][] =>
  objects.flatMap((o) => {
    const t = podTemplateOf(o);
    return t ? [[o, t] as [K8sObject, PodTemplate]] : [];
  });
const deploymentOf = (objects: K8sObject[], component: string): K8sObject =>
  byName(objects, 'Deployment', `laas-${component}`);
const containerOf = (objects: K8sObject[], component: string): Container =>
  podTemplateOf(deploymentOf(objects, component))!.spec.containers[0]!;

describe('helm lint', () => {
  test.each(VARIANTS)('passes --strict with the %s values', async (variant) => {
    const args = ['lint', chartDir, '--strict'];
    if (variant !== 'default') args.push('--values', join(chartDir, 'ci', `${variant}-values.yaml`));
    const result = await helm(args);
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.code).toBe(0);
  });
});

describe.each(VARIANTS)('with the %s values', (variant) => {
  test('every Service selects the pods of a workload, on a port those pods name', () => {
    const objects = objectsOf(variant);
    const problems: string[] = [];
    for (const svc of ofKind(objects, 'Service')) {
      const spec = specOf<{ selector?: Labels; ports: { name: string; targetPort: string | number }[] }>(svc);
      const matching = workloads(objects).filter(([, t]) =>
        mapSelectorMatches(spec.selector, t.metadata.labels),
      );
      if (matching.length === 0) problems.push(`Service ${svc.metadata.name} selects no pod`);
      for (const [w, t] of matching) {
        const ports = t.spec.containers.flatMap((c) => c.ports ?? []);
        for (const p of spec.ports) {
          const found =
            typeof p.targetPort === 'number'
              ? ports.some((cp) => cp.containerPort === p.targetPort)
              : ports.some((cp) => cp.name === p.targetPort);
          if (!found)
            problems.push(
              `Service ${svc.metadata.name} port ${p.name} -> ${p.targetPort} not on ${w.metadata.name}`,
            );
        }
      }
    }
    expect(problems).toEqual([]);
  });

  test('every Deployment, StatefulSet and PodDisruptionBudget selector matches its own pod labels', () => {
    const objects = objectsOf(variant);
    const problems: string[] = [];
    for (const o of objects.filter((x) => ['Deployment', 'StatefulSet'].includes(x.kind))) {
      const sel = specOf<{ selector: { matchLabels: Labels } }>(o).selector.matchLabels;
      if (!mapSelectorMatches(sel, podTemplateOf(o)!.metadata.labels))
        problems.push(`${o.kind}/${o.metadata.name}`);
    }
    for (const pdb of ofKind(objects, 'PodDisruptionBudget')) {
      const sel = specOf<{ selector: { matchLabels: Labels } }>(pdb).selector.matchLabels;
      const n = workloads(objects).filter(([, t]) => mapSelectorMatches(sel, t.metadata.labels)).length;
      if (n !== 1) problems.push(`PodDisruptionBudget/${pdb.metadata.name} matches ${n} workloads`);
    }
    expect(problems).toEqual([]);
  });

  test('every container runs non-root, read-only, without capabilities, under RuntimeDefault seccomp', () => {
    const problems: string[] = [];
    for (const [w, t] of workloads(objectsOf(variant))) {
      const pod = t.spec.securityContext ?? {};
      if (pod['runAsNonRoot'] !== true) problems.push(`${w.metadata.name}: pod runAsNonRoot`);
      if ((pod['seccompProfile'] as { type?: string } | undefined)?.type !== 'RuntimeDefault')
        problems.push(`${w.metadata.name}: pod seccomp`);
      for (const c of t.spec.containers) {
        const sc = c.securityContext ?? {};
        if (sc['readOnlyRootFilesystem'] !== true)
          problems.push(`${w.metadata.name}/${c.name}: readOnlyRootFilesystem`);
        if (sc['allowPrivilegeEscalation'] !== false)
          problems.push(`${w.metadata.name}/${c.name}: allowPrivilegeEscalation`);
        if (JSON.stringify((sc['capabilities'] as { drop?: string[] })?.drop) !== '["ALL"]')
          problems.push(`${w.metadata.name}/${c.name}: capabilities`);
      }
    }
    expect(problems).toEqual([]);
  });

  test('every container has CPU, memory and ephemeral-storage requests and limits', () => {
    const missing: string[] = [];
    for (const [w, t] of workloads(objectsOf(variant))) {
      for (const c of t.spec.containers) {
        for (const kind of ['requests', 'limits'] as const) {
          for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
            if (!c.resources?.[kind]?.[r]) missing.push(`${w.metadata.name}/${c.name} ${kind}.${r}`);
          }
        }
      }
    }
    expect(missing).toEqual([]);
  });

  test.each(['gateway', 'images', 'auth'])(
    '%s: liveness /healthz, readiness /readyz, and a drain that fits the grace period',
    (component) => {
      const objects = objectsOf(variant);
      const template = podTemplateOf(deploymentOf(objects, component))!;
      const c = template.spec.containers[0]!;
      expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
      const preStop = Number(c.lifecycle?.preStop?.exec?.command[1]);
      const drainMs = Number(c.env?.find((e) => e.name === 'SHUTDOWN_GRACE_MS')?.value);
      expect(preStop).toBeGreaterThan(0);
      expect(preStop * 1000 + drainMs).toBeLessThanOrEqual(
        template.spec.terminationGracePeriodSeconds! * 1000,
      );
      // The rollout never removes a serving pod before its replacement is ready.
      expect(
        specOf<{ strategy: { rollingUpdate: { maxUnavailable: number } } }>(deploymentOf(objects, component))
          .strategy.rollingUpdate.maxUnavailable,
      ).toBe(0);
    },
  );

  test('every pod runs with user, group and fsGroup IDs of 10000 or more', () => {
    const low: string[] = [];
    for (const [w, t] of workloads(objectsOf(variant))) {
      const pod = t.spec.securityContext ?? {};
      for (const key of ['runAsUser', 'runAsGroup', 'fsGroup']) {
        const id = pod[key];
        if (typeof id !== 'number' || id < 10000) low.push(`${w.metadata.name}: ${key}=${String(id)}`);
      }
      for (const c of t.spec.containers) {
        for (const key of ['runAsUser', 'runAsGroup']) {
          const id = c.securityContext?.[key];
          if (id !== undefined && (typeof id !== 'number' || id < 10000))
            low.push(`${w.metadata.name}/${c.name}: ${key}=${String(id)}`);
        }
      }
    }
    expect(low).toEqual([]);
  });

  test('no container uses one probe for both liveness and readiness', () => {
    const same: string[] = [];
    for (const [w, t] of workloads(objectsOf(variant))) {
      for (const c of t.spec.containers) {
        if (!c.livenessProbe || !c.readinessProbe) continue;
        const { httpGet: lh, exec: le, tcpSocket: lt } = c.livenessProbe;
        const { httpGet: rh, exec: re, tcpSocket: rt } = c.readinessProbe;
        const identical =
          (lh && rh && lh.path === rh.path && lh.port === rh.port) ||
          (le && re && JSON.stringify(le.command) === JSON.stringify(re.command)) ||
          (lt && rt && lt.port === rt.port);
        if (identical) same.push(`${w.metadata.name}/${c.name}`);
      }
    }
    expect(same).toEqual([]);
  });

  test('every emptyDir has a size limit', () => {
    const unbounded: string[] = [];
    for (const [w, t] of workloads(objectsOf(variant))) {
      for (const v of t.spec.volumes ?? []) {
        if (v.emptyDir && !v.emptyDir.sizeLimit) unbounded.push(`${w.metadata.name}/${v.name}`);
      }
    }
    expect(unbounded).toEqual([]);
  });

  test('every Deployment rolls out without taking a serving pod away first', () => {
    const problems: string[] = [];
    for (const d of ofKind(objectsOf(variant), 'Deployment')) {
      const strategy = specOf<{ strategy?: { type?: string; rollingUpdate?: { maxUnavailable?: number } } }>(
        d,
      ).strategy;
      if (strategy?.type !== 'RollingUpdate' || strategy.rollingUpdate?.maxUnavailable !== 0)
        problems.push(`${d.metadata.name}: ${JSON.stringify(strategy)}`);
    }
    expect(problems).toEqual([]);
  });

  test('every Deployment that may run several pods spreads them over nodes, softly', () => {
    const problems: string[] = [];
    for (const d of ofKind(objectsOf(variant), 'Deployment')) {
      const replicas = specOf<{ replicas?: number }>(d).replicas;
      if (replicas !== undefined && replicas < 2) continue; // undefined: an autoscaler sizes it
      const t = podTemplateOf(d)!;
      const spread = (t.spec.topologySpreadConstraints ?? []).find(
        (c) =>
          c.topologyKey === 'kubernetes.io/hostname' &&
          c.whenUnsatisfiable === 'ScheduleAnyway' &&
          mapSelectorMatches(c.labelSelector.matchLabels, t.metadata.labels),
      );
      if (!spread) problems.push(d.metadata.name);
    }
    expect(problems).toEqual([]);
  });

  test('credentials come from Secrets, never from literal env values', () => {
    const literal: string[] = [];
    for (const [w, t] of workloads(objectsOf(variant))) {
      for (const c of t.spec.containers) {
        for (const e of c.env ?? []) {
          if (/SECRET|PASSWORD|MONGO_URL/.test(e.name) && e.value !== undefined)
            literal.push(`${w.metadata.name}/${e.name}`);
        }
      }
    }
    expect(literal).toEqual([]);
  });
});

describe('MongoDB', () => {
  test.each(VARIANTS.filter((v) => v !== 'external-mongodb'))(
    'with the %s values runs as a high uid whose group owns its volume, probed two ways',
    (variant) => {
      const t = podTemplateOf(byName(objectsOf(variant), 'StatefulSet', 'laas-mongodb'))!;
      const sc = t.spec.securityContext!;
      expect(sc['runAsUser']).toBeGreaterThanOrEqual(10000);
      expect(sc['fsGroup']).toBe(sc['runAsGroup']);
      const c = t.spec.containers[0]!;
      // Liveness: a TCP connect; readiness: a real command through mongosh.
      expect(c.livenessProbe?.tcpSocket?.port).toBe('mongodb');
      expect(c.readinessProbe?.exec?.command[0]).toBe('mongosh');
    },
  );
});

describe('replicas belong to whoever scales', () => {
  test.each([
    ['default', 'gateway', undefined],
    ['default', 'images', undefined],
    ['default', 'auth', undefined],
    ['no-autoscaler', 'gateway', 2],
    ['no-autoscaler', 'images', 3],
    ['minimal', 'images', 1],
  ] as [Variant, string, number | undefined][])(
    'with the %s values the %s Deployment has replicas %p',
    (variant, component, replicas) => {
      expect(specOf<{ replicas?: number }>(deploymentOf(objectsOf(variant), component)).replicas).toBe(
        replicas,
      );
    },
  );

  test('every LatencyAutoscaler targets a Deployment of the release, within its own bounds', () => {
    const objects = objectsOf('default');
    const las = ofKind(objects, 'LatencyAutoscaler');
    expect(las.map((l) => l.metadata.name).sort()).toEqual(['laas-auth', 'laas-gateway', 'laas-images']);
    for (const la of las) {
      const spec = specOf<{
        scaleTargetRef: { kind: string; name: string };
        minReplicas: number;
        maxReplicas: number;
        metrics: { prometheusUrl: string; selector: string };
      }>(la);
      expect(byName(objects, spec.scaleTargetRef.kind, spec.scaleTargetRef.name)).toBeDefined();
      expect(spec.minReplicas).toBeLessThanOrEqual(spec.maxReplicas);
      expect(spec.metrics.prometheusUrl).toBe('http://laas-prometheus.laas.svc:9090');
    }
  });

  test("turning one service's autoscaling off gives it replicas back and drops only its LatencyAutoscaler", async () => {
    const objects = await renderChart({ set: ['images.autoscaling.enabled=false'] });
    expect(specOf<{ replicas?: number }>(deploymentOf(objects, 'images')).replicas).toBe(1);
    expect(
      ofKind(objects, 'LatencyAutoscaler')
        .map((l) => l.metadata.name)
        .sort(),
    ).toEqual(['laas-auth', 'laas-gateway']);
  });
});

describe('the defaults reproduce the experiment', () => {
  test('an images pod gets 250m of CPU, requested and limited', () => {
    const c = containerOf(objectsOf('default'), 'images');
    expect(c.resources?.requests?.['cpu']).toBe('250m');
    expect(c.resources?.limits?.['cpu']).toBe('250m');
  });

  test.each([
    ['images', 4000],
    ['auth', 4001],
    ['gateway', 4002],
  ] as [string, number][])('%s listens on port %d', (component, port) => {
    const c = containerOf(objectsOf('default'), component);
    expect(c.ports?.[0]?.containerPort).toBe(port);
    expect(c.env?.find((e) => e.name === 'PORT')?.value).toBe(String(port));
  });

  test('the gateway finds images and auth through their Services', () => {
    const env = Object.fromEntries(
      (containerOf(objectsOf('default'), 'gateway').env ?? []).map((e) => [e.name, e.value]),
    );
    expect(env['IMAGES_URL']).toBe('http://laas-images:4000');
    expect(env['AUTH_URL']).toBe('http://laas-auth:4001');
  });
});

describe('optional parts', () => {
  test.each([
    [
      'minimal',
      [
        'Deployment/laas-autoscaler',
        'Deployment/laas-prometheus',
        'LatencyAutoscaler/laas-images',
        'PodDisruptionBudget/laas-images',
      ],
    ],
    [
      'no-autoscaler',
      ['Deployment/laas-autoscaler', 'Role/laas-autoscaler', 'LatencyAutoscaler/laas-gateway'],
    ],
    ['external-mongodb', ['StatefulSet/laas-mongodb', 'Service/laas-mongodb', 'NetworkPolicy/laas-mongodb']],
    ['ingress-off', ['Ingress/laas']],
  ] as [Variant, string[]][])('the %s values leave out %j', (variant, absent) => {
    const present = new Set(objectsOf(variant).map((o) => `${o.kind}/${o.metadata.name}`));
    expect(absent.filter((a) => present.has(a))).toEqual([]);
  });

  test('the Ingress routes the configured host to the gateway Service with class nginx', async () => {
    const objects = await renderChart({ set: ['ingress.host=llamas.example.test'] });
    const spec = specOf<{
      ingressClassName: string;
      rules: { host: string; http: { paths: { backend: { service: { name: string } } }[] } }[];
    }>(byName(objects, 'Ingress', 'laas'));
    expect(spec.ingressClassName).toBe('nginx');
    expect(spec.rules[0]!.host).toBe('llamas.example.test');
    expect(spec.rules[0]!.http.paths[0]!.backend.service.name).toBe('laas-gateway');
  });

  test("the gateway's metrics are scraped on their own port, which the Ingress does not route to", async () => {
    const objects = await renderChart({ apiVersions: ['monitoring.coreos.com/v1'] });
    const template = podTemplateOf(deploymentOf(objects, 'gateway'))!;
    const gateway = template.spec.containers[0]!;
    const ports = Object.fromEntries((gateway.ports ?? []).map((p) => [p.name, p.containerPort]));
    const env = Object.fromEntries((gateway.env ?? []).map((e) => [e.name, e.value]));
    expect(ports['metrics']).not.toBe(ports['http']);
    expect(env['METRICS_PORT']).toBe(String(ports['metrics']));
    expect(template.metadata.annotations?.['prometheus.io/port']).toBe(String(ports['metrics']));
    const monitor = specOf<{ endpoints: { port: string }[] }>(
      byName(objects, 'ServiceMonitor', 'laas-gateway'),
    );
    expect(monitor.endpoints.map((e) => e.port)).toEqual(['metrics']);
    const ingress = specOf<{
      rules: { http: { paths: { backend: { service: { name: string; port: { name: string } } } }[] } }[];
    }>(byName(objects, 'Ingress', 'laas'));
    expect(ingress.rules.flatMap((r) => r.http.paths.map((p) => p.backend.service.port.name))).toEqual([
      'http',
    ]);
  });

  test('ServiceMonitors appear only when the Prometheus Operator API exists', async () => {
    const without = await renderChart();
    const withOperator = await renderChart({ apiVersions: ['monitoring.coreos.com/v1'] });
    expect(ofKind(without, 'ServiceMonitor')).toHaveLength(0);
    expect(
      ofKind(withOperator, 'ServiceMonitor')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(['laas-auth', 'laas-gateway', 'laas-images']);
  });

  test('the external MongoDB URL is stored in a Secret the services read', () => {
    const objects = objectsOf('external-mongodb');
    const secret = byName(objects, 'Secret', 'laas-mongodb') as K8sObject & { data: Record<string, string> };
    expect(Buffer.from(secret.data['mongo-url']!, 'base64').toString()).toMatch(
      /^mongodb:\/\/.*mongo\.example\.internal/,
    );
    const ref = containerOf(objects, 'images').env?.find((e) => e.name === 'MONGO_URL')?.valueFrom;
    expect(ref).toEqual({ secretKeyRef: { name: 'laas-mongodb', key: 'mongo-url' } });
  });

  test('the k6 Job runs a loadtest/ script from a ConfigMap against the gateway, one k6 run per stage', async () => {
    const objects = await renderChart({
      set: ['loadtest.enabled=true', 'loadtest.script=plateau.js'],
      extraArgs: [
        '--set-json',
        'loadtest.stages=[{"duration":"30s","rate":40},{"duration":"30s","rate":80}]',
      ],
    });
    const job = ofKind(objects, 'Job').find((j) => j.metadata.name.startsWith('laas-loadtest-'))!;
    const c = podTemplateOf(job)!.spec.containers[0]!;
    const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
    expect(env['BASE_URL']).toBe('http://laas-gateway:4002');
    expect(env['TARGET_PATH']).toBe('/random?count=25');
    const cm = byName(objects, 'ConfigMap', 'laas-loadtest') as K8sObject & { data: Record<string, string> };
    expect(cm.data['plateau.js']).toBe(readFileSync(join(chartDir, 'files', 'k6', 'plateau.js'), 'utf8'));
    const runs = cm.data['run.sh']!.split('\n').filter((l) => l.trim().startsWith('k6 run'));
    expect(runs.map((l) => l.trim())).toEqual([
      'k6 run --no-usage-report -e DURATION=30s -e RATE=40 /scripts/plateau.js || status=1',
      'k6 run --no-usage-report -e DURATION=30s -e RATE=80 /scripts/plateau.js || status=1',
    ]);
  });

  test("the catalog seed Job runs the images image's seed script against the same database and public URL", () => {
    const objects = objectsOf('default');
    const job = ofKind(objects, 'Job').find((j) => j.metadata.name.startsWith('laas-images-seed-'))!;
    const c = podTemplateOf(job)!.spec.containers[0]!;
    expect(c.command).toEqual(['node', 'services/images/dist/seed.js']);
    expect(c.image).toBe(containerOf(objects, 'images').image);
    expect(c.env).toEqual(
      containerOf(objects, 'images').env!.filter((e) =>
        ['MONGO_URL', 'MONGO_DB', 'PUBLIC_BASE_URL'].includes(e.name),
      ),
    );
  });
});

describe('generated credentials', () => {
  test('are random per render (generated, not hard-coded defaults)', async () => {
    const secretData = async (): Promise<string> =>
      JSON.stringify(ofKind(await renderChart(), 'Secret').map((s) => s['data']));
    expect(await secretData()).not.toEqual(await secretData());
  });

  test('values.yaml holds no password, key or token default', () => {
    const values = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
    expect(values).not.toMatch(/^\s*(password|jwtSecret|secret|token)\s*:\s*\S/im);
  });

  test('helm template output has no object without the release labels', async () => {
    const text = await renderChartText();
    const unlabelled = (await renderChart()).filter(
      (o) => o.metadata.labels?.['app.kubernetes.io/instance'] !== 'laas',
    );
    expect(text.length).toBeGreaterThan(0);
    expect(unlabelled.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });
});
