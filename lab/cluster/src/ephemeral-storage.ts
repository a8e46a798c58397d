// The node's ephemeral-storage capacity, which the kubelet cannot report here.
//
// cadvisor finds no filesystem statistics for this machine's disk, so the kubelet runs with
// localStorageCapacityIsolation: false and publishes no `ephemeral-storage` in the node's
// capacity. The scheduler still compares every pod's ephemeral-storage request with the node's
// allocatable (absent = 0), so a chart that requests any (laas requests 64-128Mi per container)
// stays Pending with "Insufficient ephemeral-storage". `up` therefore publishes the capacity of
// the file system holding the state folder, where the kubelet keeps pods' writable layers and
// emptyDirs. The kubelet keeps a capacity it does not manage when it updates the node status, and
// derives allocatable from capacity.

/** What statfs(2) says about a file system (the fields node:fs statfsSync returns). */
export interface FsStats {
  bsize: number;
  blocks: number;
}

/**
 * The node status patch that publishes a file system's size as ephemeral-storage capacity and
 * allocatable, in whole MiB: e.g. 4096-byte blocks × 26_214_400 blocks = 100 GiB = "102400Mi".
 */
export function ephemeralStoragePatch(stats: FsStats): {
  status: { capacity: Record<string, string>; allocatable: Record<string, string> };
} {
  const mib = Math.floor((stats.bsize * stats.blocks) / (1024 * 1024));
  const quantity = `${Math.max(mib, 0)}Mi`;
  return {
    status: { capacity: { 'ephemeral-storage': quantity }, allocatable: { 'ephemeral-storage': quantity } },
  };
}
