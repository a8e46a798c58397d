// The list of built archives in the output folder (manifest.json): what the cluster imports, and
// the keys that let the next build reuse an archive instead of rebuilding it.
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ManifestEntry {
  name: string;
  /** The tag pods use (laas/images:dev). */
  tag: string;
  /** The name containerd stores it under (docker.io/laas/images:dev). */
  qualifiedTag: string;
  /** File name inside the output folder. */
  archive: string;
  key: string;
  bytes: number;
  builtAt: string;
  buildSeconds: number;
}

export interface Manifest {
  images: ManifestEntry[];
}

export const MANIFEST = 'manifest.json';

export function readManifest(out: string): Manifest {
  const path = join(out, MANIFEST);
  if (!existsSync(path)) return { images: [] };
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

export function writeManifest(out: string, manifest: Manifest): void {
  const path = join(out, MANIFEST);
  const sorted = { images: [...manifest.images].sort((a, b) => a.name.localeCompare(b.name)) };
  writeFileSync(`${path}.tmp`, `${JSON.stringify(sorted, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

/** The entry for `name` if its archive is still there, complete, and was built from `key`. */
export function reusable(
  out: string,
  manifest: Manifest,
  name: string,
  key: string,
): ManifestEntry | undefined {
  const entry = manifest.images.find((e) => e.name === name);
  if (!entry || entry.key !== key) return undefined;
  const path = join(out, entry.archive);
  return existsSync(path) && statSync(path).size === entry.bytes ? entry : undefined;
}

export function upsert(manifest: Manifest, entry: ManifestEntry): Manifest {
  return { images: [...manifest.images.filter((e) => e.name !== entry.name), entry] };
}
