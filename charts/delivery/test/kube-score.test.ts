// kube-score (pinned in tools/) over the chart: the default render and every ci/ variant, with
// the load-test Job and the `helm test` pod included, so every template is scored somewhere.
// A CRITICAL or WARNING finding fails unless charts/laas/kube-score-ignore.yaml accepts it with
// a reason; an entry of that list that no render needs any more fails too.
import { join } from 'node:path';
import { CI_VARIANTS, renderChartText } from '../src/chart.js';
import type { Variant } from '../src/chart.js';
import {
  IgnoreListError,
  matches,
  parseIgnoreList,
  readIgnoreList,
  scoreManifests,
  unaccepted,
} from '../src/kube-score.js';
import type { Finding } from '../src/kube-score.js';
import { chartDir } from '../src/tools.js';

const VARIANTS: Variant[] = ['default', ...CI_VARIANTS];
const ignoreList = readIgnoreList(join(chartDir, 'kube-score-ignore.yaml'));
const findings = new Map<Variant, Finding[]>();

beforeAll(async () => {
  for (const variant of VARIANTS) {
    // The default render leaves the k6 Job out; the ingress-off variant turns it on.
    findings.set(variant, await scoreManifests(await renderChartText({ variant })));
  }
}, 180_000);

const describeFinding = (f: Finding): string =>
  `${f.grade.toUpperCase()} ${f.check} on ${f.kind}/${f.name}: ${f.messages.join('; ')}`;

describe.each(VARIANTS)('kube-score with the %s values', (variant) => {
  test('scores every workload of the render', () => {
    const scored = new Set(findings.get(variant)!.map((f) => `${f.kind}/${f.component}`));
    expect([...scored]).toEqual(
      expect.arrayContaining(['Deployment/gateway', 'Pod/test', 'Job/images-seed']),
    );
  });

  test('finds nothing critical or warning that the ignore list does not accept', () => {
    expect(unaccepted(findings.get(variant)!, ignoreList).map(describeFinding)).toEqual([]);
  });
});

describe('the kube-score ignore list', () => {
  test.each(ignoreList.map((e) => [`${e.check} (${e.grade})`, e]))(
    '%s is still needed by some render',
    (_label, entry) => {
      const used = VARIANTS.some((v) => findings.get(v)!.some((f) => matches(entry, f)));
      expect(used).toBe(true);
    },
  );

  test.each([
    ['a file that is not a list', 'check: x', 'must be a YAML list'],
    [
      'an entry without a check',
      '- grade: critical\n  reason: because the chart has a reason a sentence long',
      'check must be',
    ],
    [
      'an entry with an unknown grade',
      '- check: a\n  grade: fatal\n  reason: because the chart has a reason a sentence long',
      'grade must be',
    ],
    ['an entry without a reason', '- check: a\n  grade: warning', 'reason must say why'],
    ['a one-word reason', '- check: a\n  grade: warning\n  reason: local', 'reason must say why'],
    [
      'objects that are not Kind/component',
      '- check: a\n  grade: warning\n  objects: [gateway]\n  reason: because the chart has a reason a sentence long',
      'objects must be a list of Kind/component',
    ],
  ])('refuses %s', (_label, text, message) => {
    expect(() => parseIgnoreList(text)).toThrow(IgnoreListError);
    expect(() => parseIgnoreList(text)).toThrow(message);
  });
});
