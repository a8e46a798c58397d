import { capacityMemory } from '../src/decider/remember.js';
import { record } from '../src/decider/trail.js';
import type { Reason, Step } from '../src/decider/types.js';

describe('the trail of steps', () => {
  test.each<{ label: string; from: number; to: number; reason: Reason | null; recorded: boolean }>([
    {
      label: 'a step that moves the number with a reason is recorded',
      from: 12,
      to: 10,
      reason: 'TooManyReplicas',
      recorded: true,
    },
    {
      label: 'a step that keeps the number is not recorded, whatever its reason',
      from: 10,
      to: 10,
      reason: 'ScaleDownStabilized',
      recorded: false,
    },
    { label: 'a step without a reason is not recorded', from: 4, to: 6, reason: null, recorded: false },
  ])('$label', ({ from, to, reason, recorded }) => {
    const steps: Step[] = [];
    expect(record(steps, 'Clamp', from, { replicas: to, reason })).toBe(to);
    expect(steps).toEqual(recorded ? [{ step: 'Clamp', from, to, reason }] : []);
  });
});

describe('the capacity memory', () => {
  const prev = { capacityEstimate: 60, capacityAt: 1_000, capacitySource: 'Learned' as const };
  const unchanged = { changed: false, estimate: 60, at: 1_000, source: 'Learned' as const };
  test.each([
    {
      label: 'a newly learnt estimate is remembered with the time it was set',
      learned: { changed: true, estimate: 54, at: 9_000, source: 'Learned' as const },
      capacity: { estimate: 80, source: 'Learned' as const },
      memory: { capacityEstimate: 54, capacityAt: 9_000, capacitySource: 'Learned' },
    },
    {
      label: 'a learned estimate decayed to 80 is remembered as 60 at its time, not decayed twice',
      learned: unchanged,
      capacity: { estimate: 80, source: 'Learned' as const },
      memory: prev,
    },
    {
      label: 'a configured capacity is remembered without a time to decay from',
      learned: unchanged,
      capacity: { estimate: 100, source: 'Configured' as const },
      memory: { capacityEstimate: 100, capacityAt: null, capacitySource: 'Configured' },
    },
    {
      label: 'no capacity at all is remembered as none',
      learned: unchanged,
      capacity: { estimate: null, source: 'None' as const },
      memory: { capacityEstimate: null, capacityAt: null, capacitySource: 'None' },
    },
  ])('$label', ({ learned, capacity, memory }) => {
    expect(capacityMemory(learned, capacity, prev)).toEqual(memory);
  });
});
