import { TargetError, isTargetError } from '../src/target/types.js';
import { buildStatus, jsonEqual, round3 } from '../src/reconciler/status.js';
import type { ReconcileResult } from '../src/reconciler/status.js';
import { decide } from '../src/decider/decide.js';
import { INITIAL_STATE } from '../src/decider/types.js';
import { failed, ok, spec, T0 } from './support/fixtures.js';

const target = { replicas: 4, readyReplicas: 4, updatedReplicas: 4 };
const decided = (reading: ReturnType<typeof ok>, replicas = 4, scaled = false): ReconcileResult => {
  const { decision } = decide(
    { spec: spec(), target: { replicas, readyReplicas: replicas }, reading },
    INITIAL_STATE,
    T0,
  );
  return {
    kind: 'decided',
    decision,
    target: { ...target, replicas },
    scaled,
    lastScaleTime: scaled ? T0 : null,
  };
};
const condition = (r: ReconcileResult, type: string) =>
  buildStatus(undefined, r, 1, T0).conditions?.find((c) => c.type === type);

describe('status conditions say why, in PascalCase', () => {
  test.each([
    {
      label: 'valid metrics make ScalingActive True with ValidMetricFound',
      r: () => decided(ok(T0, { rps: 280 })),
      type: 'ScalingActive',
      status: 'True',
      reason: 'ValidMetricFound',
    },
    {
      label: 'an empty result makes ScalingActive False with MetricsMissing',
      r: () => decided(failed('EmptyResult')),
      type: 'ScalingActive',
      status: 'False',
      reason: 'MetricsMissing',
    },
    {
      label:
        'latency over the objective at a low load makes ScalingLimited True with LatencyNotExplainedByLoad',
      // 15 RPS per replica, under half the 70 planned.
      r: () => decided(ok(T0, { rps: 60, p99: 0.9 })),
      type: 'ScalingLimited',
      status: 'True',
      reason: 'LatencyNotExplainedByLoad',
    },
    {
      label: 'a burst beyond the maximum makes ScalingLimited True with TooManyReplicas',
      r: () => decided(ok(T0, { rps: 7000 }), 40, true),
      type: 'ScalingLimited',
      status: 'True',
      reason: 'TooManyReplicas',
    },
    {
      label: 'a missing target makes Ready False with TargetNotFound',
      r: (): ReconcileResult => ({ kind: 'targetMissing', message: 'deployment/x not found' }),
      type: 'Ready',
      status: 'False',
      reason: 'TargetNotFound',
    },
    {
      label: 'an invalid spec makes Ready False with InvalidSpec',
      r: (): ReconcileResult => ({ kind: 'invalidSpec', problems: ['minReplicas 5 > maxReplicas 2'] }),
      type: 'Ready',
      status: 'False',
      reason: 'InvalidSpec',
    },
  ])('$label', ({ r, type, status, reason }) => {
    expect(condition(r(), type)).toMatchObject({ status, reason });
  });
});

describe('status writes', () => {
  test('the transition time of a condition moves only when its status flips', () => {
    const first = buildStatus(undefined, decided(ok(T0, { rps: 280 })), 1, T0);
    const same = buildStatus(first, decided(ok(T0, { rps: 281 })), 1, T0 + 60_000);
    expect(same.conditions?.find((c) => c.type === 'ScalingActive')?.lastTransitionTime).toBe(
      new Date(T0).toISOString(),
    );
    const flipped = buildStatus(first, decided(failed('Timeout')), 1, T0 + 60_000);
    expect(flipped.conditions?.find((c) => c.type === 'ScalingActive')?.lastTransitionTime).toBe(
      new Date(T0 + 60_000).toISOString(),
    );
  });

  test('a reconcile on the same numbers builds an equal status (so nothing is written)', () => {
    const first = buildStatus(undefined, decided(ok(T0, { rps: 280 })), 1, T0);
    expect(jsonEqual(first, buildStatus(first, decided(ok(T0, { rps: 280 })), 1, T0 + 5000))).toBe(true);
  });

  test.each([
    {
      label: 'arrivals read are reported next to the served RPS, rounded like it',
      first: { rps: 280, arriving: 412.7 },
      then: { rps: 280, arriving: 412.7 },
      written: '413',
    },
    {
      label: 'a reading without arrivals reports none',
      first: { rps: 280 },
      then: { rps: 280 },
      written: undefined,
    },
    {
      label: 'arrivals that stop being read are removed, not left at their last value',
      first: { rps: 280, arriving: 412.7 },
      then: { rps: 280, arriving: null },
      written: undefined,
    },
  ])('$label', ({ first, then, written }) => {
    const before = buildStatus(undefined, decided(ok(T0, first)), 1, T0);
    const after = buildStatus(before, decided(ok(T0 + 5000, then)), 1, T0 + 5000);
    expect(after.observedArrivingRPS).toBe(written);
    expect(after.observedRPS).toBe('280');
  });

  test.each([
    { n: 412.7, text: '413' },
    { n: 70, text: '70' },
    { n: 0.1234, text: '0.123' },
    { n: Infinity, text: '+Inf' },
  ])('$n is written as "$text" (3 significant digits)', ({ n, text }) => {
    expect(round3(n)).toBe(text);
  });
});

describe('target errors are recognised by shape, not class', () => {
  test.each([
    { label: 'this package’s TargetError', error: new TargetError('Conflict', 'x'), is: true },
    {
      label: 'a restated class named TargetError with a known code (as in @laas/local)',
      error: Object.assign(new Error('x'), { name: 'TargetError', code: 'Conflict' }),
      is: true,
    },
    {
      label: 'an Error named TargetError with an unknown code',
      error: Object.assign(new Error('x'), { name: 'TargetError', code: 'Exploded' }),
      is: false,
    },
    { label: 'a plain Error', error: new Error('x'), is: false },
  ])('$label: $is', ({ error, is }) => {
    expect(isTargetError(error)).toBe(is);
  });
});
