// The process helpers are production code of the local system (@laas/local), which runs FerretDB,
// nginx, Prometheus and the replicas the same way; the test bed re-exports them.
export {
  makeTempDir,
  removeTempDir,
  spawnServer,
  waitUntilReady,
  retryOnPortClash,
  ServerStartError,
} from '@laas/local';
export type { ServerProcess, SpawnOptions, Supervision } from '@laas/local';
