export {
  DEFAULT_CRITERIA,
  LOADTEST_DIR,
  PLATEAU_SCRIPT,
  SMOKE_SCRIPT,
  judgePlateau,
  localPlateauRunner,
  runK6,
  runLocalPlateau,
  summaryFromLogs,
} from './k6.js';
export type {
  Criteria,
  K6Metric,
  K6RunOptions,
  K6RunResult,
  K6Summary,
  PlateauOptions,
  PlateauResult,
  PlateauRunner,
} from './k6.js';
export { findMaxRps, waitUntilResponsive } from './search.js';
export type { FindMaxRpsOptions, MaxRpsResult, SearchStep } from './search.js';
export { measureMaxRps, median } from './measure.js';
export type { MeasureOptions, RepeatedMaxRps } from './measure.js';
export { describeMachine } from './machine.js';
export { decideLimits } from './limits.js';
export type { LimitDecision, LimitInputs } from './limits.js';
export type { MachineInfo } from './machine.js';
export { DEFAULT_EXPERIMENT, formatDuration, runExperiment } from './run.js';
export type {
  ExperimentOptions,
  ExperimentResults,
  ExperimentEnvironment,
  PointResult,
  Progress,
} from './run.js';
export { cpuSection, reportMarkdown, writeReport } from './report.js';
export { ORIGINAL_LAAS, cpuSplitSpec, scalingSpec } from './charts.js';
export {
  MACHINE_FULL_SHARE,
  OTHER_COMPONENT,
  QUOTA_BOUND_SHARE,
  bottleneckOf,
  componentOrder,
  coresAtMax,
  coresOf,
  cpuPerRequestMs,
  leastSquaresSlope,
  quotaThatFits,
} from './cpu-split.js';
export type { Bottleneck, ComponentCores, CoresAtMax } from './cpu-split.js';
export type { ReportFiles } from './report.js';
export { RUNNER_COMPONENT, startLocalEnvironment } from './local-environment.js';
export type { LocalEnvironmentOptions } from './local-environment.js';
export {
  K6_IMAGE,
  DryRunStop,
  createKubeEnvironment,
  dryRunKube,
  k6ConfigMap,
  loadKubeConfig,
  plateauJob,
  WAIT_SCRIPT,
} from './kube-environment.js';
export type { KubeCall, KubeEnvironment, KubeEnvironmentOptions } from './kube-environment.js';
export { USAGE, parseCli, parseSeconds, progressLine, timestampFolder } from './cli.js';
export type { CliOptions } from './cli.js';
