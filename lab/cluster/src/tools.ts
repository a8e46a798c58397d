import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '@laas/kubekit';

export { repoRoot };

/** Default state folder of `npm run cluster -- up` (git-ignored). */
export const DEFAULT_STATE_DIR = join(repoRoot, '.lab', 'cluster');
/** Where image builders leave OCI/Docker archives that `up` imports into the node (`*.tar`). */
export const DEFAULT_IMAGES_DIR = join(repoRoot, '.lab', 'images');

export type ClusterTool =
  | 'etcd'
  | 'kube-apiserver'
  | 'kube-controller-manager'
  | 'kube-scheduler'
  | 'kubelet'
  | 'kube-proxy'
  | 'coredns'
  | 'labtool'
  | 'metrics-server';

/** tools/bin, or LAAS_TOOLS_BIN. */
export function toolsBin(): string {
  return process.env.LAAS_TOOLS_BIN || join(repoRoot, 'tools', 'bin');
}

/** Absolute path of a tool built by `npm run tools`; throws with the fix when it is missing. */
export function clusterTool(name: ClusterTool): string {
  const path = join(toolsBin(), name);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(
      `lab cluster: ${name} is not installed at ${path}: run \`npm run tools\` (bash tools/install.sh) first`,
    );
  }
  return path;
}

/** Programs from Debian packages the node needs on PATH (installed by `npm run tools`). */
export const SYSTEM_PROGRAMS = [
  'containerd',
  'containerd-shim-runc-v2',
  'runc',
  'ctr',
  'ip',
  'nsenter',
  'iptables',
  'openssl',
  'kubectl',
  'tar',
];
