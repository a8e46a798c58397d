// Where things live. Archives go to the repo's git-ignored .lab/images/; the builder's storage and
// downloads (GiBs of layers) stay out of the repo, so no tool that walks the repo (jest, tsc,
// eslint, the build context itself) ever crosses them.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { BuildahStore } from './buildah.js';

import { repoRoot } from '@laas/kubekit';

export { repoRoot };

export const defaultOut = join(repoRoot, '.lab', 'images');

/** LAAS_IMAGES_STORE, else ~/.cache/laas-images. */
export function storeDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAAS_IMAGES_STORE ?? join(homedir(), '.cache', 'laas-images');
}

export function defaultStore(env: NodeJS.ProcessEnv = process.env): BuildahStore {
  const dir = storeDir(env);
  const driver = env.LAAS_IMAGES_DRIVER === 'vfs' ? 'vfs' : 'overlay';
  return { root: join(dir, `buildah-${driver}`), runroot: join(dir, 'buildah-run'), driver };
}

/** tools/bin, or LAAS_TOOLS_BIN (the same override the installer and the test bed read). */
export function toolsBin(env: NodeJS.ProcessEnv = process.env): string {
  return env.LAAS_TOOLS_BIN ?? join(repoRoot, 'tools', 'bin');
}

/** The KEY=value pins of tools/versions.env. */
export function readVersions(path = join(repoRoot, 'tools', 'versions.env')): Record<string, string> {
  const pins: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^([A-Z0-9_]+)=(\S*)$/.exec(line.trim());
    if (m) pins[m[1]!] = m[2]!;
  }
  return pins;
}
