// Step 0: whether a reading can be used, and what to do without one.
import type { ResolvedSpec } from '../api/crd.js';
import type { MetricSample } from '../metrics/types.js';
import type { DeciderInput, MetricsReason } from './types.js';

type Checked = { ok: true; sample: MetricSample } | { ok: false; reason: MetricsReason; message: string };

/** Step 0: can these numbers be trusted at all? Anything doubtful is "no data". */
export function checkReading(input: DeciderInput, now: number): Checked {
  const r = input.reading;
  if (r.kind === 'error') {
    const reason: MetricsReason =
      r.error.code === 'EmptyResult'
        ? 'MetricsMissing'
        : r.error.code === 'NotANumber' || r.error.code === 'MultipleSeries' || r.error.code === 'BadResponse'
          ? 'MetricsInvalid'
          : 'MetricsUnavailable';
    return { ok: false, reason, message: `${r.error.code}: ${r.error.message}` };
  }
  const s = r.sample;
  const ageSeconds = (now - s.observedAt) / 1000;
  if (ageSeconds > input.spec.metrics.maxAgeSeconds) {
    return {
      ok: false,
      reason: 'MetricsStale',
      message: `reading is ${ageSeconds.toFixed(0)}s old (max ${input.spec.metrics.maxAgeSeconds}s)`,
    };
  }
  for (const [name, v] of [
    ['rpsShort', s.rpsShort],
    ['rpsLong', s.rpsLong],
  ] as const) {
    if (!Number.isFinite(v) || v < 0)
      return { ok: false, reason: 'MetricsInvalid', message: `${name} is ${v}` };
  }
  if (s.latencySeconds !== null && (Number.isNaN(s.latencySeconds) || s.latencySeconds < 0)) {
    return { ok: false, reason: 'MetricsInvalid', message: `latency is ${s.latencySeconds}` };
  }
  if (s.withinObjective !== null && !(s.withinObjective >= 0 && s.withinObjective <= 1)) {
    return {
      ok: false,
      reason: 'MetricsContradictory',
      message: `fraction within objective is ${s.withinObjective}`,
    };
  }
  // Requests were counted in the short window but no request latency was observed in it: the
  // counter and the histogram disagree (e.g. one of them is not scraped). Trust neither.
  if (s.rpsShort > 0 && s.latencySeconds === null && s.withinObjective === null) {
    return {
      ok: false,
      reason: 'MetricsContradictory',
      message: `${s.rpsShort.toFixed(2)} RPS but no latency observations`,
    };
  }
  return { ok: true, sample: s };
}

/**
 * Step 0b, when the numbers cannot be used: hold for `noDataHoldSeconds` (a scrape or two lost
 * is no reason to act), then go to `fallbackReplicas` if that is more than now, as KEDA's
 * fallback does. Never down on missing data: 0 RPS and "no series" look alike.
 * E.g. hold 60 s, fallback 6: at 4 replicas, the 13th failed evaluation (65 s) asks for 6.
 */
export function holdWithoutData(
  spec: ResolvedSpec,
  current: number,
  since: number,
  now: number,
): { replicas: number; reason: 'MetricsFallback' | null } {
  const expired = now - since >= spec.metrics.noDataHoldSeconds * 1000;
  if (expired && spec.fallbackReplicas !== null && spec.fallbackReplicas > current)
    return { replicas: spec.fallbackReplicas, reason: 'MetricsFallback' };
  return { replicas: current, reason: null };
}
