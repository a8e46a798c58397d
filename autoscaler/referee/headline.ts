// Prints the headline table for the README from results/results.json: for our default
// setting, its violating requests and replica-seconds, and per baseline the verdict for any
// setting of ours and for the default, with the front's value at the default's cost where the
// rule gives one. `node dist/headline.js`.
import { readFileSync } from 'node:fs';
import type { Point, Verdict } from './aggregate.js';
import { OURS, frontAt } from './aggregate.js';

const path = process.argv[2] ?? 'results/results.json';
const r = JSON.parse(readFileSync(path, 'utf8')) as { points: Point[]; verdicts: Verdict[] };
const traces = [...new Set(r.points.map((p) => p.trace))];
const baselines = [...new Set(r.points.map((p) => p.family))].filter((f) => f !== OURS);
const defaultSetting = r.points.find((p) => p.family === OURS)!.setting;
const k = (x: number) =>
  x >= 10_000 ? `${(x / 1000).toFixed(0)}k` : x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0);
console.log(`| trace | ours ${defaultSetting}: violating / replica-s | ${baselines.join(' | ')} |`);
console.log(`|---|---:|${baselines.map(() => '---').join('|')}|`);
for (const t of traces) {
  const ours = r.points.find((p) => p.trace === t && p.family === OURS && p.setting === defaultSetting)!;
  const cells = baselines.map((b) => {
    const f = frontAt(
      r.points.filter((p) => p.trace === t && p.family === b),
      ours.replicaSeconds.median,
    );
    const v = r.verdicts.find((x) => x.trace === t && x.baseline === b)!;
    return `${v.verdict} / ${v.defaultVerdict}${f === null ? '' : ` (${k(f.violating)})`}`;
  });
  console.log(
    `| ${t} | ${k(ours.violating.median)} / ${k(ours.replicaSeconds.median)} | ${cells.join(' | ')} |`,
  );
}
