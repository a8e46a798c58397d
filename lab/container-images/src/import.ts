// importLabImages: loads the built archives into a containerd (the lab cluster's, or a private
// one in tests) with `ctr images import`, in the namespace the kubelet's CRI reads (k8s.io).
import { join } from 'node:path';
import { defaultOut } from './layout.js';
import { readManifest } from './manifest.js';
import { run } from './run.js';
import { selectImages } from './specs.js';

export interface ImportOptions {
  /** containerd's socket (its --address / [grpc] address). */
  address: string;
  /** containerd namespace; the CRI plugin, so the kubelet, only sees 'k8s.io'. */
  namespace?: string;
  out?: string;
  images?: readonly string[];
  /** The ctr binary (default: ctr on PATH). */
  ctr?: string;
}

/** Imports every archive of the manifest; returns the names containerd now has. */
export async function importLabImages(o: ImportOptions): Promise<string[]> {
  const out = o.out ?? defaultOut;
  const namespace = o.namespace ?? 'k8s.io';
  const ctr = o.ctr ?? 'ctr';
  const manifest = readManifest(out);
  const wanted = selectImages(o.images ?? []).map((s) => s.name);
  const entries = manifest.images.filter((e) => wanted.includes(e.name));
  const missing = wanted.filter((n) => !entries.some((e) => e.name === n));
  if (missing.length > 0)
    throw new Error(`${join(out, 'manifest.json')} lists no archive for ${missing.join(', ')}: build first`);
  for (const entry of entries) {
    await run(ctr, [
      '--address',
      o.address,
      '--namespace',
      namespace,
      'images',
      'import',
      join(out, entry.archive),
    ]);
  }
  const listed = (
    await run(ctr, ['--address', o.address, '--namespace', namespace, 'images', 'list', '--quiet'])
  )
    .split('\n')
    .map((l) => l.trim());
  const absent = entries.filter((e) => !listed.includes(e.qualifiedTag));
  if (absent.length > 0)
    throw new Error(`ctr imported but does not list ${absent.map((e) => e.qualifiedTag).join(', ')}`);
  return entries.map((e) => e.qualifiedTag);
}
