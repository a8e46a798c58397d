export { startLabCluster, stopLabCluster, labClusterStatus, teardown } from './cluster.js';
export type {
  ComponentStatus,
  LabCluster,
  LabClusterStatus,
  StartLabClusterOptions,
  StopReport,
} from './cluster.js';
export { buildBinaryImage, importImages, archivesIn, listImages } from './images.js';
export type { BinaryImageSpec, ImageFile } from './images.js';
export { COREDNS_IMAGE, LABTOOL_IMAGE, PAUSE_IMAGE } from './configs.js';
export {
  clusterLayout,
  statePaths,
  CLUSTER_DOMAIN,
  CONTEXT_NAME,
  DNS_SERVICE_IP,
  KUBERNETES_SERVICE_IP,
  MAX_INSTANCES,
  NODE_NAME,
  POD_CIDR,
  SERVICE_CIDR,
} from './layout.js';
export type { ClusterLayout, StatePaths } from './layout.js';
export { METRICS_SERVER_PORT, STORAGE_CLASS } from './addons.js';
export { DEFAULT_IMAGES_DIR, DEFAULT_STATE_DIR, repoRoot } from './tools.js';
export { ComponentError } from './wait.js';
export { claimForStateDir, REGISTRY_DIR } from './registry.js';
export type { InstanceClaim } from './registry.js';
