// Static checks of the Dockerfiles (no container engine here: the images are built in CI, and
// container-smoke.test.ts reproduces their runtime).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cmdOf, copiesOf, parseDockerfile, runtimeStage, valueOf } from '../src/dockerfile.js';
import type { Stage } from '../src/dockerfile.js';
import { repoRoot } from '../src/tools.js';

const IMAGES = [
  ['images', 'services/images', '@laas/images'],
  ['auth', 'services/auth', '@laas/auth'],
  ['gateway', 'services/gateway', '@laas/gateway'],
  ['autoscaler', 'autoscaler', '@laas/autoscaler'],
] as const;

describe.each(IMAGES)('the %s Dockerfile', (_name, dir, pkg) => {
  let stages: Stage[];
  let runtime: Stage;
  beforeAll(() => {
    stages = parseDockerfile(join(repoRoot, dir, 'Dockerfile'));
    runtime = runtimeStage(stages);
  });

  test('is multi-stage: build, production dependencies, runtime', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'deps', 'runtime']);
  });

  test('runs on Node 24 (alpine or slim)', () => {
    expect(runtime.from).toMatch(/^node:24(\.\d+)*-(alpine|slim)/);
  });

  test('installs only the production dependencies of its own workspace', () => {
    const deps = stages.find((s) => s.name === 'deps')!;
    const install = deps.instructions.find((i) => i.op === 'RUN')!.args;
    expect(install).toContain('npm ci --omit=dev');
    expect(install).toContain(`--workspace=${pkg}`);
    expect(install).toContain('--include-workspace-root=false');
    expect(copiesOf(runtime).find((c) => c.sources.includes('/src/node_modules'))?.from).toBe('deps');
  });

  test("copies only built output and manifests into the runtime, never sources or the build stage's node_modules", () => {
    const sources = copiesOf(runtime).flatMap((c) => c.sources.map((s) => `${c.from}:${s}`));
    expect(
      sources.filter((s) => !/^(deps:\/src\/node_modules|build:\/src\/.+\/(dist|package\.json))$/.test(s)),
    ).toEqual([]);
  });

  test('runs as a numeric non-root uid:gid of at least 10000 (the kubelet can verify runAsNonRoot)', () => {
    const [uid, gid] = (valueOf(runtime, 'USER') ?? '').split(':').map(Number);
    expect({ uid: uid! >= 10000, gid: gid! >= 10000 }).toEqual({ uid: true, gid: true });
  });

  test('takes every stage from the NODE_IMAGE build argument, whose default is the official image', () => {
    const text = readFileSync(join(repoRoot, dir, 'Dockerfile'), 'utf8');
    expect(text).toMatch(/^ARG NODE_IMAGE=node:24-(alpine|bookworm-slim)$/m);
    expect(text.match(/^FROM .*$/gm)).toEqual([
      'FROM ${NODE_IMAGE} AS build',
      'FROM ${NODE_IMAGE} AS deps',
      'FROM ${NODE_IMAGE} AS runtime',
    ]);
  });

  test(`starts with CMD ["node", "${dir}/dist/main.js"] so SIGTERM reaches node`, () => {
    expect(cmdOf(runtime)).toEqual(['node', `${dir}/dist/main.js`]);
    expect(runtime.instructions.some((i) => i.op === 'ENTRYPOINT')).toBe(false);
  });

  test('bakes in no secret', () => {
    const text = readFileSync(join(repoRoot, dir, 'Dockerfile'), 'utf8');
    expect(text).not.toMatch(/^\s*(ENV|ARG)\s+\S*(SECRET|PASSWORD|TOKEN|MONGO_URL)/im);
  });
});

describe('the three service Dockerfiles', () => {
  // One file per service on purpose (see the comment at their top); this keeps the copies in step.
  const normalised = (name: string, port: string): string =>
    readFileSync(join(repoRoot, 'services', name, 'Dockerfile'), 'utf8')
      .replaceAll('lab/container-images', '<builder>')
      .replaceAll('npm run container-images', 'npm run <builder>')
      .replaceAll(name, '<service>')
      .replace(new RegExp(`\\b${port}\\b`, 'g'), '<port>');
  // What only the gateway has: the web page it serves at /.
  const withoutWebPage = (text: string): string =>
    text
      .split('\n')
      .filter((line) => !line.includes('/web/') && !line.startsWith('# The web page'))
      .join('\n');

  test.each([
    ['auth', '4001', false],
    ['gateway', '4002', true],
  ] as const)(
    'images and %s differ only in the service name and port (the gateway: and the web page)',
    (name, port, web) => {
      const text = normalised(name, port);
      if (web) expect(text).toContain('COPY --from=build /src/services/web/dist ./services/web/dist');
      expect(web ? withoutWebPage(text) : text).toBe(normalised('images', '4000'));
    },
  );
});

describe('.dockerignore', () => {
  const lines = readFileSync(join(repoRoot, '.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  test.each(['**/node_modules', '**/dist', '.git', '.env', 'tools/bin', '.lab'])(
    'keeps %s out of the build context',
    (pattern) => {
      expect(lines).toContain(pattern);
    },
  );

  test('keeps every workspace folder in (npm ci needs them all to match the lock file)', () => {
    const workspaces = (
      JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }
    ).workspaces;
    expect(workspaces.filter((w) => lines.includes(w) || lines.includes(w.replace(/\/\*$/, '')))).toEqual([]);
  });
});
