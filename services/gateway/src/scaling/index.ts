export { scalingReporter, type ScalingOptions } from './route.js';
export { buildReport, lastDecision, offReport, type RangeSeries, type ScalingReport } from './report.js';
export { scalingQuery } from './promql.js';
export { SharedLoad } from './cache.js';
export { queryRange } from './prometheus.js';
