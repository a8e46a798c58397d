// The process helpers and the servers the local system runs (FerretDB, Prometheus) are production
// code of @laas/local; the test bed hands them on, and adds what only tests need (the API server,
// kubectl, the shared test servers).
export {
  toolPath,
  systemToolPath,
  toolsDir,
  toolsBinDir,
  freePort,
  waitFor,
  makeTempDir,
  removeTempDir,
  spawnServer,
  waitUntilReady,
  retryOnPortClash,
  ServerStartError,
  httpText,
  startMongo,
  startPrometheus,
  prometheusConfig,
  writeFileSdGroups,
  writeFileSdTargets,
} from '@laas/local';
export type {
  BuiltTool,
  SystemTool,
  WaitOptions,
  ServerProcess,
  SpawnOptions,
  Supervision,
  HttpResponse,
  HttpRequestOptions,
  MongoServer,
  StartMongoOptions,
  FileSdGroup,
  PrometheusServer,
  StartPrometheusOptions,
  PromQueryData,
  PromSample,
} from '@laas/local';
export { startKube, kubeClusterFromKubeconfig, SERVICE_CLUSTER_IP_RANGE } from './kube.js';
export type { KubeCluster, KubeServer, StartKubeOptions } from './kube.js';
export { runKubectl } from './kubectl.js';
export type { CommandResult, KubectlOptions } from './kubectl.js';
export { kubeconfigText, writeKubeconfig, readClusterOf } from './kubeconfig.js';
export type { KubeconfigSpec, KubeconfigUser } from './kubeconfig.js';
export { startNginx, proxyHttpConfig } from './nginx.js';
export type { NginxConfig, NginxProxyConfig, NginxServer } from './nginx.js';
export { TEST_ENV, testMongoUrl, testKube } from './test-env.js';
export { areaOf, profileReport, summariseCpuProfile } from './cpu-profile.js';
export type { CpuProfile, ProfileSummary } from './cpu-profile.js';
