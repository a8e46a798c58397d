import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { repoRoot } from '@laas/kubekit';

/** tools/ of the repo. */
export const toolsDir = join(repoRoot, 'tools');

/** Where `npm run tools` (tools/install.sh) puts the pinned binaries; LAAS_TOOLS_BIN overrides it. */
export function toolsBinDir(): string {
  return process.env.LAAS_TOOLS_BIN || join(toolsDir, 'bin');
}

/** Tools built by tools/install.sh into tools/bin. */
export type BuiltTool = 'ferretdb' | 'etcd' | 'kube-apiserver' | 'k6' | 'helm' | 'actionlint' | 'kube-score';

/** Tools that tools/install.sh installs from Debian packages (found on PATH or in /usr/sbin). */
export type SystemTool = 'prometheus' | 'nginx' | 'kubectl' | 'openssl';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of a pinned tool in tools/bin.
 * Throws with the fix in the message when it has not been installed.
 */
export function toolPath(name: BuiltTool): string {
  const path = join(toolsBinDir(), name);
  if (!isExecutable(path)) {
    throw new Error(
      `${name} is not installed at ${path}: run \`npm run tools\` (bash tools/install.sh) first`,
    );
  }
  return path;
}

/** Absolute path of a system tool, searched on PATH, then in /usr/sbin and /usr/bin. */
export function systemToolPath(name: SystemTool): string {
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter).filter(Boolean),
    '/usr/local/sbin',
    '/usr/sbin',
    '/usr/bin',
  ];
  for (const dir of dirs) {
    const path = join(dir, name);
    if (existsSync(path) && isExecutable(path)) return path;
  }
  throw new Error(
    `${name} is not on PATH (nor in /usr/sbin): run \`npm run tools\` (bash tools/install.sh) first`,
  );
}
