import type { ResolvedSpec } from '../api/crd.js';
import type { MetricReading } from './types.js';

/**
 * A source of one service's load and latency. One implementation per backend (Prometheus today),
 * all behind this one method. `now` is the evaluation time (epoch ms), injected by the caller.
 * Implementations never throw for an operational failure: they return `{ kind: 'error' }` with a
 * typed MetricError; a throw means a programmer error.
 */
export interface MetricSource {
  read(spec: ResolvedSpec, now: number): Promise<MetricReading>;
}
