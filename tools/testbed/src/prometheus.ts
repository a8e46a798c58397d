export { startPrometheus, prometheusConfig, writeFileSdGroups, writeFileSdTargets } from '@laas/local';
export type {
  FileSdGroup,
  PrometheusServer,
  StartPrometheusOptions,
  PromQueryData,
  PromSample,
} from '@laas/local';
