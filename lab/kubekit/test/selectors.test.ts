import { mapSelectorMatches, selectorMatches, type LabelSelector } from '../src/index.js';

describe('label selectors, as the Kubernetes API evaluates them', () => {
  test.each<[string, LabelSelector | undefined, Record<string, string>, boolean]>([
    ['a missing selector matches every pod', undefined, { app: 'a' }, true],
    ['an empty selector matches every pod', {}, { any: 'thing' }, true],
    ['matchLabels that agree match', { matchLabels: { app: 'a' } }, { app: 'a', tier: 'web' }, true],
    ['matchLabels that differ do not', { matchLabels: { app: 'a' } }, { app: 'b' }, false],
    [
      'In holds for a listed value',
      { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web', 'api'] }] },
      { tier: 'api' },
      true,
    ],
    [
      'In fails on a missing label',
      { matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] },
      {},
      false,
    ],
    [
      'NotIn holds on a missing label',
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] },
      {},
      true,
    ],
    [
      'NotIn fails for a listed value',
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] },
      { tier: 'web' },
      false,
    ],
    [
      'Exists fails on a missing label',
      { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
      {},
      false,
    ],
    [
      'Exists holds for an empty value',
      { matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
      { tier: '' },
      true,
    ],
    [
      'DoesNotExist holds on a missing label',
      { matchExpressions: [{ key: 'tier', operator: 'DoesNotExist' }] },
      {},
      true,
    ],
    [
      'labels and expressions are ANDed',
      { matchLabels: { app: 'a' }, matchExpressions: [{ key: 'tier', operator: 'Exists' }] },
      { app: 'a' },
      false,
    ],
  ])('%s', (_sentence, selector, labels, expected) => {
    expect(selectorMatches(selector, labels)).toBe(expected);
  });

  test('an operator the API does not define is an error, not a guess', () => {
    expect(() => selectorMatches({ matchExpressions: [{ key: 'tier', operator: 'Like' }] }, {})).toThrow(
      /unknown label selector operator Like/,
    );
  });

  test.each<[string, Record<string, string> | undefined, Record<string, string>, boolean]>([
    [
      'a Service selector whose pairs are all among the labels selects the pod',
      { app: 'a' },
      { app: 'a', x: 'y' },
      true,
    ],
    ['one differing pair is enough to miss', { app: 'a', tier: 'web' }, { app: 'a', tier: 'api' }, false],
    ['an empty Service selector selects nothing', {}, { app: 'a' }, false],
    ['a Service without a selector selects nothing', undefined, { app: 'a' }, false],
  ])('%s', (_sentence, selector, labels, expected) => {
    expect(mapSelectorMatches(selector, labels)).toBe(expected);
  });
});
