// The lab images, built for real: buildah runs each Dockerfile (RUN steps in chroot isolation) on
// the local Debian + Node base, and the archives it writes are read back the way a runtime reads
// them: the config from the archive, the layers applied into a root file system, the command
// started in it as the image's user. The first run in a fresh machine builds everything (cold:
// see lab/container-images/README.md for the time); later runs reuse the archives by content key.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, httpText, testMongoUrl, waitFor } from '@laas/testbed';
import { archiveConfig, unpackArchive } from '../src/archive.js';
import type { ImageConfig } from '../src/archive.js';
import { buildLabImages } from '../src/build.js';
import type { LabImageArchive } from '../src/build.js';
import { readVersions, storeDir } from '../src/layout.js';
import { importLabImages } from '../src/import.js';
import { run } from '../src/run.js';
import { startPrivateContainerd } from './support/containerd.js';
import type { PrivateContainerd } from './support/containerd.js';
import { prepareDevices, startInImage } from './support/in-image.js';

const COLD_BUILD_MS = 75 * 60_000;
const NODE_VERSION = readVersions().LAB_NODE_VERSION!;
// The PATH every image inherits from its base (or buildah's default for FROM scratch).
const BASE_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

let archives: LabImageArchive[];
const archiveOf = (name: string) => archives.find((a) => a.name === name)!;

beforeAll(async () => {
  archives = await buildLabImages({ log: (line) => process.stderr.write(`[images] ${line}\n`) });
}, COLD_BUILD_MS);

test('a second build with nothing changed reuses every archive, within 60 s', async () => {
  const started = Date.now();
  const again = await buildLabImages({ log: () => undefined });
  expect(again.map((a) => [a.name, a.cached])).toEqual(archives.map((a) => [a.name, true]));
  expect(Date.now() - started).toBeLessThan(60_000);
});

test("the builds leave no mount behind in the machine's mount table", () => {
  const store = storeDir();
  expect(
    readFileSync('/proc/mounts', 'utf8')
      .split('\n')
      .filter((l) => l.includes(store)),
  ).toEqual([]);
});

const nodeService = (dir: string, port: number) => ({
  entrypoint: ['docker-entrypoint.sh'],
  cmd: ['node', `${dir}/dist/main.js`],
  user: '10001:10001',
  workdir: '/app',
  env: [BASE_PATH, 'NODE_ENV=production', `NODE_VERSION=${NODE_VERSION}`],
  port: `${port}/tcp`,
});

describe.each([
  ['images', 'laas/images:dev', nodeService('services/images', 4000)],
  ['auth', 'laas/auth:dev', nodeService('services/auth', 4001)],
  ['gateway', 'laas/gateway:dev', nodeService('services/gateway', 4002)],
  ['autoscaler', 'laas/autoscaler:dev', nodeService('autoscaler', 8080)],
  [
    'k6',
    'laas/k6:dev',
    {
      entrypoint: ['k6'],
      cmd: null,
      user: '12345:12345',
      workdir: '/home/k6',
      env: [BASE_PATH],
      port: undefined,
    },
  ],
  [
    'prometheus',
    'laas/prometheus:dev',
    {
      entrypoint: ['/bin/prometheus'],
      cmd: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus'],
      user: '65534:65534',
      workdir: '/prometheus',
      env: [BASE_PATH],
      port: '9090/tcp',
    },
  ],
  [
    'ferretdb',
    'laas/ferretdb:dev',
    {
      entrypoint: ['/usr/bin/ferretdb'],
      cmd: ['--listen-addr=:27017', '--data-dir=/data/db', '--log-level=info'],
      user: '10001:10001',
      workdir: '/data/db',
      env: [BASE_PATH],
      port: '27017/tcp',
    },
  ],
  [
    'pause',
    'laas/pause:dev',
    {
      entrypoint: ['/pause'],
      cmd: null,
      user: '65535:65535',
      workdir: '',
      env: [BASE_PATH],
      port: undefined,
    },
  ],
])('the %s archive', (name, tag, expected) => {
  let config: ImageConfig;
  let tags: string[];
  beforeAll(async () => {
    ({ config, tags } = await archiveConfig(archiveOf(name).archive));
  });

  test(`is tagged docker.io/${tag}, the name pods use as ${tag}`, () => {
    expect(tags).toEqual([`docker.io/${tag}`]);
  });

  test(`starts ${JSON.stringify([...expected.entrypoint, ...(expected.cmd ?? [])])}`, () => {
    expect({ entrypoint: config.Entrypoint, cmd: config.Cmd ?? null }).toEqual({
      entrypoint: expected.entrypoint,
      cmd: expected.cmd,
    });
  });

  test(`runs as ${expected.user}, a non-root uid:gid of at least 10000, in '${expected.workdir || '/'}'`, () => {
    const [uid, gid] = config.User!.split(':').map(Number);
    expect({
      user: config.User,
      nonRoot: uid! >= 10000 && gid! >= 10000,
      workdir: config.WorkingDir ?? '',
    }).toEqual({
      user: expected.user,
      nonRoot: true,
      workdir: expected.workdir,
    });
  });

  test(`sets ${expected.env.join(', ')}${expected.port ? ` and exposes ${expected.port}` : ''}`, () => {
    expect(config.Env ?? []).toEqual(expect.arrayContaining(expected.env));
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual(expected.port ? [expected.port] : []);
  });
});

/** Unpacks an archive into a fresh folder for the tests of one describe block. */
function unpacked(name: string): { rootfs: () => string; config: () => ImageConfig } {
  let rootfs = '';
  let config: ImageConfig = {};
  beforeAll(async () => {
    rootfs = mkdtempSync(join(tmpdir(), `laas-image-${name}-`));
    await unpackArchive(archiveOf(name).archive, rootfs);
    prepareDevices(rootfs);
    config = (await archiveConfig(archiveOf(name).archive)).config;
  }, 120_000);
  afterAll(() => {
    if (rootfs) rmSync(rootfs, { recursive: true, force: true });
  });
  return { rootfs: () => rootfs, config: () => config };
}

function outputOf(
  child: ChildProcess,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }> {
  return new Promise((resolve) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
}

describe.each([
  [
    'images',
    'v24',
    (port: number) => ({
      PORT: String(port),
      MONGO_URL: testMongoUrl(),
      MONGO_DB: `lab_image_images_${process.pid}`,
    }),
  ],
  [
    'auth',
    'v24',
    (port: number) => ({
      PORT: String(port),
      MONGO_URL: testMongoUrl(),
      MONGO_DB: `lab_image_auth_${process.pid}`,
      AUTH_DEV_MODE: 'true',
    }),
  ],
  [
    'gateway',
    'v24',
    (port: number) => ({
      PORT: String(port),
      IMAGES_URL: 'http://127.0.0.1:9',
      AUTH_URL: 'http://127.0.0.1:9',
    }),
  ],
])('the %s image, unpacked from its archive and started as its config says', (name, _v, envOf) => {
  const image = unpacked(name);

  test(`node inside it is ${NODE_VERSION}`, async () => {
    const child = startInImage({
      rootfs: image.rootfs(),
      config: image.config(),
      args: ['node', '--version'],
    });
    expect(await outputOf(child)).toEqual({ code: 0, signal: null, out: `v${NODE_VERSION}\n` });
  });

  test('its CMD answers /healthz, then exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const child = startInImage({
      rootfs: image.rootfs(),
      config: image.config(),
      env: { ...envOf(port), LOG_LEVEL: 'warn', SHUTDOWN_GRACE_MS: '2000' },
    });
    const exit = outputOf(child);
    try {
      await waitFor(async () => (await httpText(`http://127.0.0.1:${port}/healthz`)).status === 200, {
        what: `${name} to answer /healthz`,
        timeoutMs: 30_000,
        abortIf: () => (child.exitCode !== null ? `it exited (${child.exitCode})` : undefined),
      });
    } catch (err) {
      child.kill('SIGKILL');
      throw new Error(`${String(err)}\n${(await exit).out}`);
    }
    child.kill('SIGTERM');
    const result = await exit;
    expect({ code: result.code, signal: result.signal, out: result.code === 0 ? '' : result.out }).toEqual({
      code: 0,
      signal: null,
      out: '',
    });
  }, 60_000);
});

describe('the autoscaler image, unpacked from its archive', () => {
  const image = unpacked('autoscaler');
  test(`runs node ${NODE_VERSION} as uid 10001, and its compiled entry point is there`, async () => {
    const child = startInImage({
      rootfs: image.rootfs(),
      config: image.config(),
      args: [
        'node',
        '-e',
        "console.log(process.version, process.getuid(), require('fs').existsSync('autoscaler/dist/main.js'))",
      ],
    });
    expect(await outputOf(child)).toEqual({ code: 0, signal: null, out: `v${NODE_VERSION} 10001 true\n` });
  });
});

describe('the k6 image, unpacked from its archive', () => {
  const image = unpacked('k6');
  test(`runs the pinned k6 (${readVersions().K6_VERSION}) as its entrypoint`, async () => {
    const child = startInImage({ rootfs: image.rootfs(), config: image.config(), args: ['version'] });
    const result = await outputOf(child);
    expect({ code: result.code, version: result.out.includes(readVersions().K6_VERSION!) }).toEqual({
      code: 0,
      version: true,
    });
  });
  test("has the shell the chart's loadtest Job runs its script with", async () => {
    const child = startInImage({
      rootfs: image.rootfs(),
      config: { ...image.config(), Entrypoint: ['sh', '-c'] },
      args: ['echo shell ok'],
    });
    expect(await outputOf(child)).toEqual({ code: 0, signal: null, out: 'shell ok\n' });
  });
});

describe('the prometheus image, unpacked from its archive', () => {
  const image = unpacked('prometheus');
  test("runs the pinned Prometheus of tools/go/prometheus (the chart default's version) as its entrypoint", async () => {
    const child = startInImage({ rootfs: image.rootfs(), config: image.config(), args: ['--version'] });
    const result = await outputOf(child);
    const version = /prometheus, version (\S+)/.exec(result.out)?.[1];
    const tags = /tags:\s+(\S+)/.exec(result.out)?.[1];
    expect({ code: result.code, version, tags }).toEqual({
      code: 0,
      version: readVersions().PROMETHEUS_VERSION,
      tags: 'netgo,stringlabels',
    });
  });
});

describe('the ferretdb image, unpacked from its archive', () => {
  const image = unpacked('ferretdb');
  test('runs the pinned FerretDB (v1.24, SQLite backend) as its entrypoint', async () => {
    const child = startInImage({ rootfs: image.rootfs(), config: image.config(), args: ['--version'] });
    expect(await outputOf(child)).toEqual({ code: 0, signal: null, out: 'ferretdb v1.24.0 (sqlite)\n' });
  });
});

describe('the pause image, unpacked from its archive', () => {
  const image = unpacked('pause');
  test('holds its pod open until SIGTERM, then exits 0', async () => {
    const child = startInImage({ rootfs: image.rootfs(), config: image.config() });
    const exit = outputOf(child);
    await new Promise((r) => setTimeout(r, 500));
    expect(child.exitCode).toBeNull();
    child.kill('SIGTERM');
    expect(await exit).toEqual({ code: 0, signal: null, out: '' });
  });
});

describe('importLabImages into a private containerd', () => {
  let containerd: PrivateContainerd;
  beforeAll(async () => {
    containerd = await startPrivateContainerd();
  }, 60_000);
  afterAll(async () => {
    await containerd?.stop();
  });

  test("loads every archive into namespace k8s.io under the names the kubelet resolves the pods' tags to", async () => {
    const imported = await importLabImages({ address: containerd.address, namespace: 'k8s.io' });
    const listed = (
      await run('ctr', [
        '--address',
        containerd.address,
        '--namespace',
        'k8s.io',
        'images',
        'list',
        '--quiet',
      ])
    )
      .split('\n')
      .filter(Boolean)
      .sort();
    expect({ imported: [...imported].sort(), listed }).toEqual({
      imported: archives.map((a) => a.qualifiedTag).sort(),
      listed: archives.map((a) => a.qualifiedTag).sort(),
    });
  }, 600_000);

  test('the images image runs there with runc: its CMD answers /healthz on the host network, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const id = `laas-images-test-${process.pid}`;
    const ctr = (args: string[]) =>
      run('ctr', ['--address', containerd.address, '--namespace', 'k8s.io', ...args]);
    const env = {
      PORT: String(port),
      MONGO_URL: testMongoUrl(),
      MONGO_DB: `lab_image_ctr_${process.pid}`,
      SHUTDOWN_GRACE_MS: '2000',
    };
    await ctr([
      'run',
      '--detach',
      '--net-host',
      // runc's state in the private containerd's folder, not the machine's /run/containerd/runc.
      '--runc-root',
      join(containerd.dir, 'runc'),
      ...Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]),
      'docker.io/laas/images:dev',
      id,
    ]);
    try {
      await waitFor(async () => (await httpText(`http://127.0.0.1:${port}/healthz`)).status === 200, {
        what: 'the images container to answer /healthz',
        timeoutMs: 60_000,
      });
      await ctr(['task', 'kill', '--signal', 'SIGTERM', id]);
      const status = await waitFor(
        async () => {
          const line = (await ctr(['task', 'list'])).split('\n').find((l) => l.startsWith(id));
          return line?.includes('STOPPED') ? line : undefined;
        },
        { what: 'the images container to stop after SIGTERM', timeoutMs: 30_000, intervalMs: 250 },
      );
      expect(status).toMatch(/STOPPED/);
      // `ctr task delete` exits with the task's exit status: 0 means node drained and exited 0.
      await expect(ctr(['task', 'delete', id]).then(() => 'exit 0')).resolves.toBe('exit 0');
    } finally {
      await ctr(['task', 'delete', '--force', id]).catch(() => undefined);
      await ctr(['container', 'delete', id]).catch(() => undefined);
    }
  }, 180_000);

  test("an address where no containerd listens fails with ctr's own message", async () => {
    await expect(
      importLabImages({ address: join(containerd.dir, 'nobody.sock'), images: ['pause'] }),
    ).rejects.toThrow(/ctr .*images import .*failed/);
  }, 60_000);
});
