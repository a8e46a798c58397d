import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Machine-wide sysctls the kubelet sets at start (pkg/kubelet/cm setupKernelTunables, with
 * protectKernelDefaults=false): they are not per network namespace, so `up` saves them and
 * `down` writes them back.
 */
export const KUBELET_SYSCTLS = [
  'vm/overcommit_memory',
  'vm/panic_on_oom',
  'kernel/panic',
  'kernel/panic_on_oops',
  'kernel/keys/root_maxkeys',
  'kernel/keys/root_maxbytes',
] as const;

export type SavedSysctls = Record<string, string>;

export function readSysctls(names: readonly string[] = KUBELET_SYSCTLS): SavedSysctls {
  const saved: SavedSysctls = {};
  for (const name of names) {
    try {
      saved[name] = readFileSync(`/proc/sys/${name}`, 'utf8').trim();
    } catch {
      // not on this kernel
    }
  }
  return saved;
}

/** Writes back the values that differ; returns the names it had to restore. */
export function restoreSysctls(saved: SavedSysctls): string[] {
  const restored: string[] = [];
  for (const [name, value] of Object.entries(saved)) {
    try {
      if (readFileSync(`/proc/sys/${name}`, 'utf8').trim() !== value) {
        writeFileSync(`/proc/sys/${name}`, value);
        restored.push(name);
      }
    } catch {
      // read-only here: nothing we can do, and the kubelet could not change it either
    }
  }
  return restored;
}
