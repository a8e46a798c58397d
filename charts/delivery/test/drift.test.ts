// Copies and coordinates that must not drift: the rendered manifests vs the chart, the chart's
// copies vs their sources (autoscaler CRD and Role, k6 scripts), and the chart vs the code it runs
// (probe paths, env read by each service's config loader, entry points and CLI flags).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { renderChart } from '../src/chart.js';
import { cmdOf, parseDockerfile, runtimeStage } from '../src/dockerfile.js';
import { byName, ofKind, podTemplateOf } from '../src/objects.js';
import type { Container, K8sObject } from '../src/objects.js';
import { chartDir, helmPath, repoRoot, run } from '../src/tools.js';

const read = (...path: string[]): string => readFileSync(join(repoRoot, ...path), 'utf8');

describe('k8s/ holds exactly what k8s/render.sh makes from the chart', () => {
  let out: string;
  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'laas-render-'));
    const result = await run('bash', [join(repoRoot, 'k8s', 'render.sh'), out], {
      env: { ...process.env, HELM: helmPath() },
    });
    if (result.code !== 0) throw new Error(`k8s/render.sh failed: ${result.stderr}`);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  test.each(['rendered/laas.yaml', 'crd/laas.dev_latencyautoscalers.yaml'])(
    'k8s/%s is up to date (run k8s/render.sh after changing the chart)',
    (file) => {
      expect(read('k8s', file)).toBe(readFileSync(join(out, file), 'utf8'));
    },
  );
});

describe("the chart's copies equal their sources (k8s/render.sh refreshes them)", () => {
  test.each([
    [
      'the LatencyAutoscaler CRD',
      'autoscaler/crd/laas.dev_latencyautoscalers.yaml',
      'charts/laas/crds/laas.dev_latencyautoscalers.yaml',
    ],
    ['the autoscaler Role', 'autoscaler/rbac/role.yaml', 'charts/laas/files/rbac/role.yaml'],
  ])('%s: %s', (_what, source, copy) => {
    expect(read(copy)).toBe(read(source));
  });

  test('the rendered Role grants exactly the rules of autoscaler/rbac/role.yaml', async () => {
    const objects = await renderChart();
    const source = yaml.load(read('autoscaler/rbac/role.yaml')) as { rules: unknown };
    expect(byName(objects, 'Role', 'laas-autoscaler')['rules']).toEqual(source.rules);
  });
});

describe('the chart agrees with the code it runs', () => {
  let objects: K8sObject[];
  beforeAll(async () => {
    objects = await renderChart();
  });
  const containerOf = (name: string): Container =>
    podTemplateOf(byName(objects, 'Deployment', name))!.spec.containers[0]!;

  /** The env a container would see, with secretKeyRefs resolved from the rendered Secrets. */
  const envOf = (c: Container): Record<string, string> => {
    const secrets = new Map(
      ofKind(objects, 'Secret').map((s) => [s.metadata.name, s['data'] as Record<string, string>]),
    );
    return Object.fromEntries(
      (c.env ?? []).map((e) => {
        if (e.value !== undefined) return [e.name, e.value];
        const ref = (e.valueFrom as { secretKeyRef?: { name: string; key: string } }).secretKeyRef!;
        return [e.name, Buffer.from(secrets.get(ref.name)![ref.key]!, 'base64').toString()];
      }),
    );
  };

  test.each([
    ['images', '/healthz'],
    ['images', '/readyz'],
    ['auth', '/healthz'],
    ['auth', '/readyz'],
    ['gateway', '/healthz'],
    ['gateway', '/readyz'],
  ])('the %s service registers the probe path %s', (service, path) => {
    const probes = [
      containerOf(`laas-${service}`).livenessProbe,
      containerOf(`laas-${service}`).readinessProbe,
    ];
    expect(probes.map((p) => p?.httpGet?.path)).toContain(path);
    // Registered by the service itself, or by the shared kit it builds its app with.
    const registers = (dir: string): boolean =>
      sourcesOf(dir).some((f) => new RegExp(`\\.get\\(\\s*['"]${path}['"]`).test(readFileSync(f, 'utf8')));
    const usesKit = sourcesOf(`services/${service}/src`).some((f) =>
      /\b(baseApp|healthRouter)\b/.test(readFileSync(f, 'utf8')),
    );
    expect(registers(`services/${service}/src`) || (usesKit && registers('services/shared/src'))).toBe(true);
  });

  test('the autoscaler serves every path the chart probes and scrapes it on', () => {
    const t = podTemplateOf(byName(objects, 'Deployment', 'laas-autoscaler'))!;
    const c = t.spec.containers[0]!;
    const paths = [
      c.livenessProbe?.httpGet?.path,
      c.readinessProbe?.httpGet?.path,
      t.metadata.annotations?.['prometheus.io/path'],
    ];
    expect(paths).toEqual(['/healthz', '/metrics', '/metrics']);
    const text = sourcesOf('autoscaler/src')
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const path of paths) expect(text).toMatch(new RegExp(`['"\`]${path}['"\`]`));
  });

  test('every flag the chart passes to the autoscaler is in its usage', () => {
    const usage = read('autoscaler/src/main.ts');
    const flags = (containerOf('laas-autoscaler').args ?? []).map((a) => a.split('=')[0]!);
    expect(flags.length).toBeGreaterThan(0);
    expect(flags.filter((f) => !usage.includes(`[${f} `) && !usage.includes(`${f} `))).toEqual([]);
  });

  test('the autoscaler command in the chart is the CMD of its image', () => {
    const cmd = cmdOf(runtimeStage(parseDockerfile(join(repoRoot, 'autoscaler', 'Dockerfile'))));
    expect(containerOf('laas-autoscaler').command).toEqual(cmd);
  });

  test('the seed Job runs a script the images image contains', () => {
    const job = ofKind(objects, 'Job').find((j) => j.metadata.name.startsWith('laas-images-seed'))!;
    const script = podTemplateOf(job)!.spec.containers[0]!.command![1]!;
    expect(script).toBe('services/images/dist/seed.js');
    expect(existsSync(join(repoRoot, 'services/images/src/seed.ts'))).toBe(true);
    expect(read('services/images/Dockerfile')).toContain(
      'COPY --from=build /src/services/images/dist ./services/images/dist',
    );
  });

  test('the images config loader accepts the env the chart gives it', async () => {
    const { loadImagesConfig } = await import('../../../services/images/src/config.js');
    const config = loadImagesConfig(envOf(containerOf('laas-images')));
    expect(config.port).toBe(4000);
    expect(config.mongoUrl).toMatch(/^mongodb:\/\/laas:[A-Za-z0-9]+@laas-mongodb\.laas\.svc:27017\//);
  });

  test('the auth config loader accepts the env the chart gives it, and its key file is the generated Ed25519 private key', async () => {
    const { loadAuthConfig } = await import('../../../services/auth/src/config.js');
    const { ed25519FromPem } = await import('../../../services/auth/src/domain/signing-keys.js');
    const container = containerOf('laas-auth');
    const config = loadAuthConfig(envOf(container));
    expect(config.port).toBe(4001);
    // The file auth reads is a key of the Secret mounted where the path points.
    const mounts = (container as { volumeMounts?: { name: string; mountPath: string }[] }).volumeMounts ?? [];
    const mount = mounts.find((m) => config.privateKeyFile?.startsWith(`${m.mountPath}/`))!;
    const volume = podTemplateOf(byName(objects, 'Deployment', 'laas-auth'))!.spec.volumes!.find(
      (v) => v.name === mount.name,
    )!;
    const secretName = (volume['secret'] as { secretName: string }).secretName;
    const data = byName(objects, 'Secret', secretName)['data'] as Record<string, string>;
    const pem = Buffer.from(
      data[config.privateKeyFile!.slice(mount.mountPath.length + 1)]!,
      'base64',
    ).toString();
    expect(ed25519FromPem(pem, 'the generated key').type).toBe('private');
  });

  test('the gateway config loader accepts the env the chart gives it, and fetches keys from auth', async () => {
    const { loadGatewayConfig, resolveJwksUrl } = await import('../../../services/gateway/src/config.js');
    const config = loadGatewayConfig(envOf(containerOf('laas-gateway')));
    expect(config.port).toBe(4002);
    expect(config.imagesUrl).toBe('http://laas-images:4000');
    expect(resolveJwksUrl(config)).toBe('http://laas-auth:4001/.well-known/jwks.json');
    expect(Object.keys(envOf(containerOf('laas-gateway')))).not.toContain('JWT_PRIVATE_KEY_FILE');
  });
});

describe('values.yaml documents every parameter (bitnami `## @param` style)', () => {
  const text = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
  const documented = new Set([...text.matchAll(/^\s*## @param (\S+)/gm)].map((m) => m[1]!));
  const leaves: string[] = [];
  const walk = (value: unknown, path: string): void => {
    if (value && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
    } else leaves.push(path);
  };
  walk(yaml.load(text), '');

  test('every value has a @param line, or one of its parents does', () => {
    const undocumented = leaves.filter((leaf) => {
      const parts = leaf.split('.');
      return !parts.some((_, i) => documented.has(parts.slice(0, i + 1).join('.')));
    });
    expect(undocumented).toEqual([]);
  });

  test('every @param line names a value that exists', () => {
    const known = new Set(
      leaves.flatMap((l) => l.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))),
    );
    expect([...documented].filter((p) => !known.has(p))).toEqual([]);
  });
});

function sourcesOf(dir: string): string[] {
  const root = join(repoRoot, dir);
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name.endsWith('.ts')) out.push(p);
    }
  };
  walk(root);
  return out;
}
