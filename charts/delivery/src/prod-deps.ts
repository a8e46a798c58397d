// The production dependency closure of a workspace, resolved the way Node resolves imports
// (nearest node_modules first, then the parents), over the repository's installed node_modules.
// This is what `npm ci --omit=dev --workspace=<pkg>` puts in the image, minus npm itself: the
// container smoke test copies exactly these folders, so a runtime import of a dev dependency, or
// an undeclared one, fails there as it would in the container.
import { existsSync, lstatSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface ResolvedPackage {
  name: string;
  /** Path relative to the repository root, e.g. node_modules/express. */
  installPath: string;
  /** For a workspace link (node_modules/@laas/shared -> services/shared): the linked folder. */
  linkTarget?: string;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Node's lookup: <dir>/node_modules/<name>, then each parent's, up to the root. */
function resolveFrom(root: string, fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === root || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

export function productionClosure(root: string, workspaceDir: string): ResolvedPackage[] {
  const seen = new Map<string, ResolvedPackage>();
  const missing: string[] = [];
  const visit = (pkgDir: string, physicalDir: string): void => {
    // Node resolves a module from its real path (symlinks followed), so both are the same here
    // except for the workspace itself.
    const m = manifest(physicalDir);
    const required = { ...m.dependencies };
    const optional = { ...m.optionalDependencies };
    for (const peer of Object.keys(m.peerDependencies ?? {})) {
      if (m.peerDependenciesMeta?.[peer]?.optional) optional[peer] = '*';
      else required[peer] = '*';
    }
    for (const [names, isOptional] of [
      [Object.keys(required), false],
      [Object.keys(optional), true],
    ] as const) {
      for (const name of names) {
        const found = resolveFrom(root, pkgDir, name);
        if (!found) {
          if (!isOptional) missing.push(`${m.name} needs ${name}`);
          continue;
        }
        const installPath = relative(root, found);
        if (seen.has(installPath)) continue;
        const isLink = lstatSync(found).isSymbolicLink();
        const real = realpathSync(found);
        seen.set(installPath, { name, installPath, ...(isLink ? { linkTarget: relative(root, real) } : {}) });
        visit(real, real);
      }
    }
  };
  visit(workspaceDir, workspaceDir);
  if (missing.length > 0) throw new Error(`unresolved production dependencies: ${missing.join(', ')}`);
  return [...seen.values()].sort((a, b) => a.installPath.localeCompare(b.installPath));
}
