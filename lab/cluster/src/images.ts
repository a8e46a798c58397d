import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { mustRun } from './run.js';

/** One file of an image: copied from `source` to `/<path>` with `mode`. */
export interface ImageFile {
  source: string;
  path: string;
  mode?: number;
}

export interface BinaryImageSpec {
  /** Fully qualified name, e.g. laas.local/lab/labtool:lab (what pods' `image:` must say). */
  name: string;
  files: ImageFile[];
  entrypoint: string[];
  cmd?: string[];
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/**
 * Writes an OCI image layout archive (oci-layout, index.json, blobs/sha256/...) holding one
 * uncompressed layer with `files` (static binaries need nothing else: runc creates /proc, /dev,
 * /sys and the mount points for /etc/hosts and /etc/resolv.conf itself). No registry, no daemon.
 *
 * Cached by content: the archive's name is the hash of the spec and the files' bytes, so an
 * unchanged image is not rebuilt. Returns the archive's path.
 */
export async function buildBinaryImage(spec: BinaryImageSpec, cacheDir: string): Promise<string> {
  mkdirSync(cacheDir, { recursive: true });
  const inputs = createHash('sha256').update(
    JSON.stringify({ ...spec, files: spec.files.map((f) => [f.path, f.mode]) }),
  );
  for (const file of spec.files) inputs.update(readFileSync(file.source));
  const key = inputs.digest('hex').slice(0, 16);
  const archive = join(cacheDir, `${spec.name.replace(/[^a-zA-Z0-9_.-]/g, '_')}-${key}.tar`);
  if (existsSync(archive)) return archive;

  const work = `${archive}.work`;
  rmSync(work, { recursive: true, force: true });
  const rootfs = join(work, 'rootfs');
  const layout = join(work, 'layout');
  const blobs = join(layout, 'blobs', 'sha256');
  mkdirSync(rootfs, { recursive: true });
  mkdirSync(blobs, { recursive: true });
  for (const file of spec.files) {
    const target = join(rootfs, file.path);
    mkdirSync(join(target, '..'), { recursive: true });
    copyFileSync(file.source, target);
    await mustRun('chmod', [(file.mode ?? 0o755).toString(8), target]);
  }
  // A reproducible layer: fixed owner, mtime and order.
  const layerPath = join(work, 'layer.tar');
  await mustRun('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-C',
    rootfs,
    '-cf',
    layerPath,
    '.',
  ]);
  const layer = readFileSync(layerPath);
  const layerDigest = sha256(layer);
  writeFileSync(join(blobs, layerDigest), layer);

  const blob = (value: unknown): { digest: string; size: number } => {
    const text = JSON.stringify(value);
    const digest = sha256(text);
    writeFileSync(join(blobs, digest), text);
    return { digest: `sha256:${digest}`, size: Buffer.byteLength(text) };
  };
  const config = blob({
    architecture: 'amd64',
    os: 'linux',
    config: { Entrypoint: spec.entrypoint, ...(spec.cmd ? { Cmd: spec.cmd } : {}), WorkingDir: '/' },
    rootfs: { type: 'layers', diff_ids: [`sha256:${layerDigest}`] },
    history: [{ created_by: 'laas cluster/src/images.ts', created: '1970-01-01T00:00:00Z' }],
  });
  const manifest = blob({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
    layers: [
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: `sha256:${layerDigest}`,
        size: layer.length,
      },
    ],
  });
  writeFileSync(join(layout, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(layout, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          ...manifest,
          // containerd's importer names the image after this annotation (a bare
          // org.opencontainers.image.ref.name would give "import-<date>:<tag>").
          annotations: { 'io.containerd.image.name': spec.name },
        },
      ],
    }),
  );
  await mustRun('tar', [
    '--sort=name',
    '--owner=0',
    '--group=0',
    '--numeric-owner',
    '--mtime=@0',
    '-C',
    layout,
    '-cf',
    `${archive}.tmp`,
    '.',
  ]);
  renameSync(`${archive}.tmp`, archive);
  rmSync(work, { recursive: true, force: true });
  return archive;
}

/**
 * Imports OCI/Docker image archives into the node's containerd, in the `k8s.io` namespace the
 * CRI (and so the kubelet) uses. Pods then run them with imagePullPolicy IfNotPresent or Never.
 */
export async function importImages(containerdSocket: string, archives: string[]): Promise<void> {
  for (const archive of archives) {
    try {
      await mustRun(
        'ctr',
        ['--address', containerdSocket, '--namespace', 'k8s.io', 'images', 'import', archive],
        {
          timeoutMs: 600_000,
        },
      );
    } catch (error) {
      throw new Error(
        `importing image archive ${basename(archive)} into containerd failed: ${(error as Error).message}`,
      );
    }
  }
}

/** `*.tar` files of a folder (e.g. .lab/images, where the image builder leaves its archives). */
export function archivesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.tar'))
    .sort()
    .map((name) => join(dir, name));
}

/** Image names containerd's CRI knows (what the kubelet sees). */
export async function listImages(containerdSocket: string): Promise<string[]> {
  const out = await mustRun('ctr', [
    '--address',
    containerdSocket,
    '--namespace',
    'k8s.io',
    'images',
    'list',
    '--quiet',
  ]);
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}
