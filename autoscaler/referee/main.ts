// `npm run eval -w @laas/referee`: runs the referee and writes its report, results and charts.
//   --seeds 10 --workers 2 --out results --traces step-5x,flash-crowd --settings 3
// (defaults: 10 seeds, 2 workers, every trace, every setting of every family)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { writeChart } from '@laas/plot';
import { aggregate, verdicts } from './aggregate.js';
import { paretoSpec, timelineSpec } from './charts.js';
import { jobs, runAll } from './jobs.js';
import { renderReport } from './report.js';
import { TRACES } from './traces.js';
import { POLICIES } from './policies/index.js';
import { WARMUP_SECONDS } from './sim.js';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

const seeds = Number(flag('seeds', '10'));
const workers = Number(flag('workers', '2'));
const out = flag('out', 'results');
const only = flag('traces', '');
const settingsFlag = flag('settings', '');
const settings = settingsFlag === '' ? undefined : Number(settingsFlag);
const traces = only === '' ? TRACES.map((t) => t.name) : only.split(',');
for (const t of traces) if (!TRACES.some((x) => x.name === t)) throw new Error(`unknown trace ${t}`);

const started = new Date();
const t0 = performance.now();
const list = jobs(settings === undefined ? { seeds, traces } : { seeds, traces, settings });
console.log(`referee: ${list.length} runs on ${workers} workers`);
const runs = await runAll(list, workers, (done) => {
  if (done % 50 === 0 || done === list.length) console.log(`  ${done}/${list.length}`);
});
const seconds = (performance.now() - t0) / 1000;
const points = aggregate(runs);
const defaultSetting = POLICIES[0]!.settings[0]!;
const v = verdicts(points, defaultSetting);
mkdirSync(out, { recursive: true });
const selected = TRACES.filter((t) => traces.includes(t.name));
for (const t of selected) {
  await writeChart(
    join(out, `pareto-${t.name}`),
    paretoSpec(
      t.name,
      t.description,
      points.filter((p) => p.trace === t.name),
    ),
  );
  const timelines = runs.filter((r) => r.trace === t.name && r.timeline.length > 0);
  await writeChart(join(out, `timeline-${t.name}`), timelineSpec(t.name, timelines));
}
const command = `npm run eval -w @laas/referee -- ${process.argv.slice(2).join(' ')}`.trim();
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, load average ${loadavg()
  .map((x) => x.toFixed(1))
  .join('/')} at the end (shared machine)`;
writeFileSync(
  join(out, 'report.md'),
  renderReport({
    command,
    startedAt: started.toISOString(),
    seconds,
    seeds,
    workers,
    machine,
    traces: selected,
    points,
    verdicts: v,
    warmupSeconds: WARMUP_SECONDS,
    defaultSetting,
  }),
);
writeFileSync(
  join(out, 'results.json'),
  JSON.stringify(
    {
      command,
      startedAt: started.toISOString(),
      seconds,
      points,
      verdicts: v,
      // Timelines only of the runs that are drawn (seed 1, each family's default setting).
      runs,
    },
    null,
    1,
  ) + '\n',
);
console.log(`referee: ${runs.length} runs in ${seconds.toFixed(0)} s; report ${join(out, 'report.md')}`);
for (const x of v)
  console.log(
    `  ${x.trace.padEnd(20)} vs ${x.baseline.padEnd(26)} ${x.verdict} (default: ${x.defaultVerdict})`,
  );
