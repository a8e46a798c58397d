// kube-score's verdict on rendered manifests, and the chart's list of accepted findings
// (charts/laas/kube-score-ignore.yaml). Parsing and matching are pure; running the pinned
// binary is the one I/O step (scoreManifests).
import { readFileSync } from 'node:fs';
import yaml from 'js-yaml';
import { toolPath } from '@laas/testbed';
import { run } from './tools.js';

export type Grade = 'critical' | 'warning' | 'ok';

/** One check's verdict on one object, as `kube-score score -o json` (v2) reports it. */
export interface Finding {
  check: string;
  grade: Grade;
  kind: string;
  name: string;
  /** The object's app.kubernetes.io/component label ('' when it has none). */
  component: string;
  messages: string[];
}

interface ScoredObject {
  type_meta: { kind: string };
  object_meta: { name: string; labels?: Record<string, string> };
  checks: {
    check: { id: string };
    grade: number;
    skipped: boolean;
    comments: { path?: string; summary: string }[] | null;
  }[];
}

// kube-score's grades: 1 critical, 5 warning, 7 almost OK, 10 all OK (scorecard.Grade).
function gradeOf(value: number): Grade {
  if (value <= 1) return 'critical';
  if (value <= 5) return 'warning';
  return 'ok';
}

/** Every check kube-score ran and did not skip, from its JSON output. */
export function findingsOf(json: string): Finding[] {
  const objects = JSON.parse(json) as ScoredObject[];
  return objects.flatMap((o) =>
    o.checks
      .filter((c) => !c.skipped)
      .map((c) => ({
        check: c.check.id,
        grade: gradeOf(c.grade),
        kind: o.type_meta.kind,
        name: o.object_meta.name,
        component: o.object_meta.labels?.['app.kubernetes.io/component'] ?? '',
        messages: (c.comments ?? []).map((m) => (m.path ? `(${m.path}) ${m.summary}` : m.summary)),
      })),
  );
}

export interface IgnoreEntry {
  check: string;
  grade: Exclude<Grade, 'ok'>;
  /** Kind/component pairs; undefined: any object. */
  objects?: string[];
  reason: string;
}

export class IgnoreListError extends Error {
  constructor(message: string) {
    super(`kube-score ignore list: ${message}`);
    this.name = 'IgnoreListError';
  }
}

/** Parses and checks the ignore list: every entry names a check, a grade and a reason. */
export function parseIgnoreList(text: string): IgnoreEntry[] {
  const doc = yaml.load(text);
  if (!Array.isArray(doc)) throw new IgnoreListError('the file must be a YAML list of entries');
  return doc.map((raw: unknown, i) => {
    const e = raw as Partial<IgnoreEntry>;
    const where = `entry ${i + 1} (${e?.check ?? 'no check'})`;
    if (typeof e?.check !== 'string' || !/^[a-z0-9-]+$/.test(e.check))
      throw new IgnoreListError(`${where}: check must be a kube-score check ID`);
    if (e.grade !== 'critical' && e.grade !== 'warning')
      throw new IgnoreListError(`${where}: grade must be critical or warning`);
    if (typeof e.reason !== 'string' || e.reason.trim().length < 40)
      throw new IgnoreListError(`${where}: reason must say why, in a sentence or more`);
    if (
      e.objects !== undefined &&
      !(Array.isArray(e.objects) && e.objects.every((o) => /^[A-Za-z]+\/[a-z0-9-]+$/.test(o)))
    )
      throw new IgnoreListError(`${where}: objects must be a list of Kind/component`);
    return { check: e.check, grade: e.grade, reason: e.reason, ...(e.objects ? { objects: e.objects } : {}) };
  });
}

export function readIgnoreList(path: string): IgnoreEntry[] {
  return parseIgnoreList(readFileSync(path, 'utf8'));
}

export function matches(entry: IgnoreEntry, finding: Finding): boolean {
  return (
    entry.check === finding.check &&
    entry.grade === finding.grade &&
    (entry.objects === undefined || entry.objects.includes(`${finding.kind}/${finding.component}`))
  );
}

/** Critical and warning findings that no entry of the list accepts. */
export function unaccepted(findings: Finding[], ignore: IgnoreEntry[]): Finding[] {
  return findings.filter((f) => f.grade !== 'ok' && !ignore.some((e) => matches(e, f)));
}

export function kubeScorePath(): string {
  return toolPath('kube-score');
}

/** Scores a multi-document manifest text with the pinned kube-score; returns its findings. */
export async function scoreManifests(manifests: string): Promise<Finding[]> {
  // kube-score exits 1 when it finds anything critical: that is a verdict, not a failure, so
  // only an empty or unparsable output counts as one.
  const result = await run(kubeScorePath(), ['score', '--output-format', 'json', '-'], { input: manifests });
  if (!result.stdout.trim().startsWith('['))
    throw new Error(`kube-score failed (exit ${result.code}): ${result.stderr || result.stdout}`);
  return findingsOf(result.stdout);
}
