export {
  CFS_PERIOD_US,
  CGROUP_ROOT,
  cfsQuotaUs,
  cgroupSupport,
  cgroupsOfPid,
  createCgroup,
  parseCpuMillis,
  parseMemoryBytes,
  sweepStaleCgroups,
} from './cgroup.js';
export type { Cgroup, CgroupLimits, CgroupReadback, CgroupSupport } from './cgroup.js';
export { startLimitedProcess } from './limited-process.js';
export type { LimitedProcess, LimitedProcessOptions } from './limited-process.js';
export { REPO_ROOT, SERVICES, authService, gatewayService, imagesService } from './services.js';
export type { ServiceContext, ServiceSpec } from './services.js';
export { startReplica } from './replica.js';
export type { Replica, ReplicaOptions } from './replica.js';
export { routesConfig, startLocalNginx } from './nginx.js';
export type { LocalNginx, ServiceRoute } from './nginx.js';
export { ReplicaPool } from './pool.js';
export type { ReplicaCounts, ReplicaPoolOptions } from './pool.js';
export { LocalScaleTarget, LocalTargetError } from './scale-target.js';
export type { LocalTargetState } from './scale-target.js';
export { startLocalSystem, writeReplicaTargets } from './system.js';
export type { LocalSystem, LocalSystemOptions } from './system.js';
