export { toolPath, systemToolPath, toolsDir, toolsBinDir } from './paths.js';
export type { BuiltTool, SystemTool } from './paths.js';
export { freePort } from './ports.js';
export { waitFor } from './wait.js';
export type { WaitOptions } from './wait.js';
export {
  makeTempDir,
  removeTempDir,
  spawnServer,
  waitUntilReady,
  retryOnPortClash,
  ServerStartError,
} from './processes.js';
export type { ServerProcess, SpawnOptions } from './processes.js';
export { httpText } from './http.js';
export type { HttpResponse, HttpRequestOptions } from './http.js';
export { startMongo } from './mongo.js';
export type { MongoServer, StartMongoOptions } from './mongo.js';
export { startPrometheus, prometheusConfig, writeFileSdTargets } from './prometheus.js';
export type { PrometheusServer, StartPrometheusOptions, PromQueryData, PromSample } from './prometheus.js';
export { startKube, kubeClusterFromKubeconfig, SERVICE_CLUSTER_IP_RANGE } from './kube.js';
export type { KubeCluster, KubeServer, StartKubeOptions } from './kube.js';
export { runKubectl } from './kubectl.js';
export type { CommandResult, KubectlOptions } from './kubectl.js';
export { kubeconfigText, writeKubeconfig, readClusterOf } from './kubeconfig.js';
export type { KubeconfigSpec, KubeconfigUser } from './kubeconfig.js';
export { startNginx, proxyHttpConfig } from './nginx.js';
export type { NginxConfig, NginxProxyConfig, NginxServer } from './nginx.js';
export { TEST_ENV, testMongoUrl, testKube } from './test-env.js';
