export {
  CFS_PERIOD_US,
  CGROUP_ROOT,
  cfsQuotaUs,
  cgroupSupport,
  cgroupsOfPid,
  chooseCgroupBackend,
  cpuMaxLine,
  parseCpuMax,
  parseCpuStat,
  parseMountinfo,
  parseProcCgroup,
  resetCgroupSupport,
  RUNNER_LEAF,
  v2Base,
  createAccountingGroup,
  createCgroup,
  parseCpuMillis,
  parseMemoryBytes,
  sweepStaleCgroups,
  uniqueGroupName,
} from './cgroup.js';
export type {
  Cgroup,
  CgroupLayout,
  CgroupLimits,
  CgroupReadback,
  CgroupSupport,
  CgroupVersion,
  CpuStat,
  CpuThrottling,
  MountEntry,
} from './cgroup.js';
export { cpuSplit, parseMachineBusySec, readCpu } from './accounting.js';
export type { AccountedGroup, CpuReading, CpuSplit } from './accounting.js';
export {
  commandInCgroups,
  makeTempDir,
  removeTempDir,
  spawnServer,
  waitUntilReady,
  retryOnPortClash,
  ServerStartError,
} from './processes.js';
export type { ServerProcess, SpawnOptions, Supervision } from './processes.js';
export { freePort } from './ports.js';
export { waitFor } from './wait.js';
export type { WaitOptions } from './wait.js';
export { toolPath, systemToolPath, toolsDir, toolsBinDir } from './tool-paths.js';
export type { BuiltTool, SystemTool } from './tool-paths.js';
export { httpText } from './http.js';
export type { HttpResponse, HttpRequestOptions } from './http.js';
export { startMongo } from './mongo.js';
export type { MongoServer, StartMongoOptions } from './mongo.js';
export { startPrometheus, prometheusConfig, writeFileSdGroups, writeFileSdTargets } from './prometheus.js';
export type {
  FileSdGroup,
  PrometheusServer,
  StartPrometheusOptions,
  PromQueryData,
  PromSample,
} from './prometheus.js';
export { startNginxProcess } from './nginx.js';
export type { NginxProcess, NginxProcessOptions } from './nginx.js';
export { startLimitedProcess } from './limited-process.js';
export type { LimitedProcess, LimitedProcessOptions } from './limited-process.js';
export { REPO_ROOT, SERVICES, authService, gatewayService, imagesService } from './services.js';
export type { ServiceContext, ServiceSpec } from './services.js';
export { startReplica } from './replica.js';
export type { Replica, ReplicaOptions } from './replica.js';
export { routesConfig, startLocalNginx } from './routes.js';
export type { LocalNginx, ServiceRoute } from './routes.js';
export { ReplicaPool } from './pool.js';
export type { ReplicaCounts, ReplicaPoolOptions } from './pool.js';
export { LocalScaleTarget, LocalTargetError } from './scale-target.js';
export type { LocalTargetState } from './scale-target.js';
export { startLocalSystem, writeReplicaTargets } from './system.js';
export type { LocalSystem, LocalSystemOptions } from './system.js';
