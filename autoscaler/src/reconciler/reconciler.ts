// One reconcile of one LatencyAutoscaler: read the target, read the metrics, ask the decider,
// apply (scale, Event), write status when it changed. The reconciler never decides; the decider
// never does I/O. Errors are typed (TargetError, MetricError) and handled here, in one place:
//   - target NotFound          -> condition TargetNotFound, no retry (the 5 s resync looks again)
//   - scale Conflict (409)     -> re-read and decide again, up to 3 times
//   - other TargetError        -> condition, then rethrow so the queue retries with backoff
//   - metrics error            -> a NoData decision (hold), not an error
import { resolveSpec, validateSpec } from '../api/crd.js';
import type { LatencyAutoscaler, LatencyAutoscalerStatus } from '../api/types.js';
import { decide } from '../decider/decide.js';
import type { DeciderState } from '../decider/types.js';
import type { MetricSource } from '../metrics/source.js';
import type { ScaleTarget, TargetState } from '../target/types.js';
import { isTargetError } from '../target/types.js';
import type { OperatorMetrics } from './metrics.js';
import type { ReconcileResult } from './status.js';
import { buildStatus, jsonEqual, stateFromStatus } from './status.js';

export interface StatusWriter {
  /** Writes `status` of `obj` (a merge patch of the status subresource). */
  write(obj: LatencyAutoscaler, status: LatencyAutoscalerStatus): Promise<void>;
}

export interface EventRecorder {
  record(obj: LatencyAutoscaler, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void>;
}

export interface Logger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

export interface ReconcilerDeps {
  metrics: MetricSource;
  targetFor(namespace: string, name: string): ScaleTarget;
  status: StatusWriter;
  events: EventRecorder;
  clock: () => number;
  log: Logger;
  operatorMetrics?: OperatorMetrics;
  /** Decide and log; scale nothing, write nothing. */
  dryRun?: boolean;
  /** Checked before every write: a deposed leader must not act on a decision it made as leader. */
  isLeader?: () => boolean;
  /** A stopwatch in ms for the reconcile-duration metric only (never for decisions). */
  elapsed?: () => number;
}

export const keyOf = (o: { metadata: { namespace: string; name: string } }): string =>
  `${o.metadata.namespace}/${o.metadata.name}`;

const MAX_CONFLICT_RETRIES = 3;

export class Reconciler {
  private readonly states = new Map<string, DeciderState>();
  /** Keys whose missing target was already announced (the cache may lag behind our status write). */
  private readonly warnedMissing = new Set<string>();

  constructor(private readonly deps: ReconcilerDeps) {}

  /** Forget a deleted object's memory. */
  forget(key: string): void {
    this.states.delete(key);
    this.warnedMissing.delete(key);
  }

  /** State survives restarts and leader changes through status (see memoryOf). */
  private stateFor(obj: LatencyAutoscaler): DeciderState {
    return this.states.get(keyOf(obj)) ?? stateFromStatus(obj.status);
  }

  private leading(): boolean {
    return this.deps.isLeader?.() ?? true;
  }

  async reconcile(original: LatencyAutoscaler): Promise<ReconcileResult> {
    const elapsed = this.deps.elapsed ?? (() => performance.now());
    const start = elapsed();
    try {
      return await this.reconcileOnce(original);
    } finally {
      this.deps.operatorMetrics?.reconcileDuration.observe((elapsed() - start) / 1000);
    }
  }

  private async reconcileOnce(original: LatencyAutoscaler): Promise<ReconcileResult> {
    // Objects from the informer cache are shared: never mutate them.
    const obj = structuredClone(original);
    const key = keyOf(obj);
    const { log, operatorMetrics: m } = this.deps;
    const now = this.deps.clock();
    const spec = resolveSpec(obj.spec);
    const problems = validateSpec(spec);
    if (problems.length > 0) {
      const result: ReconcileResult = { kind: 'invalidSpec', problems };
      await this.writeStatus(obj, result, now);
      return result;
    }
    const target = this.deps.targetFor(obj.metadata.namespace, spec.targetName);

    let t: TargetState;
    try {
      t = await target.get();
    } catch (error) {
      return this.targetFailure(obj, target, error, now);
    }
    this.warnedMissing.delete(key);
    const reading = await this.deps.metrics.read(spec, now);
    const prior = this.stateFor(obj);

    for (let attempt = 1; ; attempt++) {
      const { decision, state } = decide({ spec, target: t, reading }, prior, now);
      m?.decisions.inc({ outcome: decision.outcome, reason: decision.reason });
      const logged = {
        key,
        target: target.description,
        from: decision.currentReplicas,
        to: decision.desiredReplicas,
        reason: decision.reason,
        observed: decision.observed,
        capacityEstimate: decision.capacityEstimate,
        dryRun: this.deps.dryRun === true,
      };
      const change = decision.desiredReplicas !== t.replicas;
      if (!change || this.deps.dryRun || !this.leading()) {
        (change ? log.info : log.debug).call(log, logged, decision.message);
        // A dry run remembers recommendations (so its log shows what the real one would do) but
        // not a scale that did not happen.
        this.states.set(key, change ? { ...state, lastScaleTime: prior.lastScaleTime } : state);
        const result: ReconcileResult = {
          kind: 'decided',
          decision,
          target: t,
          scaled: false,
          lastScaleTime: prior.lastScaleTime,
          state,
        };
        if (!this.deps.dryRun) await this.writeStatus(obj, result, now);
        return result;
      }
      try {
        await target.scale(decision.desiredReplicas, t.version);
      } catch (error) {
        if (isTargetError(error) && error.code === 'Conflict' && attempt < MAX_CONFLICT_RETRIES) {
          // Someone changed the scale after we read it: our decision rests on stale numbers.
          log.info({ key, attempt }, 'scale conflict: reading the target again');
          m?.reconcileErrors.inc({ kind: 'Conflict' });
          try {
            t = await target.get();
          } catch (again) {
            return this.targetFailure(obj, target, again, now);
          }
          continue;
        }
        return this.targetFailure(obj, target, error, now);
      }
      this.states.set(key, state);
      const direction = decision.desiredReplicas > t.replicas ? 'up' : 'down';
      m?.scales.inc({ direction });
      log.info(logged, `scaled ${target.description} ${direction}: ${decision.message}`);
      const result: ReconcileResult = {
        kind: 'decided',
        decision,
        target: t,
        scaled: true,
        lastScaleTime: now,
        state,
      };
      await this.deps.events.record(
        obj,
        'Normal',
        'SuccessfulRescale',
        `New size: ${decision.desiredReplicas} (from ${t.replicas}); reason: ${decision.reason}: ${decision.message}`,
      );
      await this.writeStatus(obj, result, now);
      return result;
    }
  }

  private async targetFailure(
    obj: LatencyAutoscaler,
    target: ScaleTarget,
    error: unknown,
    now: number,
  ): Promise<ReconcileResult> {
    if (!isTargetError(error)) throw error; // programmer error: the queue logs and backs off
    this.deps.operatorMetrics?.reconcileErrors.inc({ kind: error.code });
    if (error.code === 'NotFound') {
      const result: ReconcileResult = { kind: 'targetMissing', message: `${target.description} not found` };
      const key = keyOf(obj);
      // Remembered here too: the informer cache may not show our status write by the next resync.
      const wasMissing =
        this.warnedMissing.has(key) ||
        obj.status?.conditions?.some((c) => c.type === 'Ready' && c.reason === 'TargetNotFound');
      // One Warning when it goes missing, not one every resync.
      if (!wasMissing && !this.deps.dryRun && this.leading()) {
        this.warnedMissing.add(key);
        await this.deps.events.record(obj, 'Warning', 'TargetNotFound', result.message);
      }
      this.deps.log.warn({ key: keyOf(obj), target: target.description }, result.message);
      await this.writeStatus(obj, result, now);
      return result;
    }
    const reason =
      error.code === 'Forbidden'
        ? 'FailedGetScale'
        : error.code === 'Invalid'
          ? 'FailedUpdateScale'
          : 'TargetUnavailable';
    await this.writeStatus(obj, { kind: 'targetFailed', reason, message: error.message }, now);
    throw error;
  }

  private async writeStatus(obj: LatencyAutoscaler, result: ReconcileResult, now: number): Promise<void> {
    if (this.deps.dryRun || !this.leading()) return;
    const next = buildStatus(obj.status, result, obj.metadata.generation, now);
    if (jsonEqual(obj.status ?? {}, next)) return;
    try {
      await this.deps.status.write(obj, next);
    } catch (error) {
      this.deps.operatorMetrics?.reconcileErrors.inc({ kind: 'StatusWrite' });
      // Deleted meanwhile: nothing to report to.
      if ((error as { code?: unknown }).code === 404) return;
      throw error;
    }
  }
}
