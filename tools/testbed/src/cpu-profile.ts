/**
 * Reading a V8 CPU profile (`node --cpu-prof`'s .cpuprofile) for the services' `npm run profile`
 * scripts: self time summed by function and by where the code lives, and the lines they print.
 */

/** The parts of a .cpuprofile this reads. */
export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  /** Microseconds before each sample. */
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Microseconds sampled, idle included. */
  totalUs: number;
  /** Microseconds not idle. */
  busyUs: number;
  /** Self time by "function file:line". */
  functions: Map<string, number>;
  /** Self time by area: node internals, native, npm: <package>, @laas/<workspace>, GC... */
  areas: Map<string, number>;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)']);

/** Where a function's code lives, for the by-area sum. */
export function areaOf(functionName: string, url: string): string {
  if (SPECIAL.has(functionName)) return functionName;
  if (url === '') return '(native: V8 builtins, JSON, syscalls)';
  if (url.startsWith('node:')) return 'node internals (http, net, streams)';
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (npm) return `npm: ${npm[1]}`;
  const service = /\/services\/([^/]+)\//.exec(url);
  if (service) return `@laas/${service[1]}`;
  return url;
}

/** A location short enough to read: the path below node_modules or from services/ on. */
function shortUrl(url: string): string {
  return url.replace(/^.*node_modules\//, '').replace(/^.*\/services\//, 'services/');
}

export function summariseCpuProfile(profile: CpuProfile): ProfileSummary {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const functions = new Map<string, number>();
  const areas = new Map<string, number>();
  const add = (map: Map<string, number>, key: string, us: number): void => {
    map.set(key, (map.get(key) ?? 0) + us);
  };
  let totalUs = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    const frame = frames.get(id);
    if (!frame) return;
    const { functionName, url, lineNumber } = frame;
    add(functions, `${functionName || '(anonymous)'} ${shortUrl(url)}${url ? `:${lineNumber + 1}` : ''}`, us);
    add(areas, areaOf(functionName, url), us);
    totalUs += us;
  });
  return { totalUs, busyUs: totalUs - (areas.get('(idle)') ?? 0), functions, areas };
}

/** The report: self time by area, then the `top` functions, each as a share of the busy time. */
export function profileReport(summary: ProfileSummary, top: number): string[] {
  const pct = (us: number): string => `${((100 * us) / summary.busyUs).toFixed(1).padStart(5)}%`;
  const ranked = (map: Map<string, number>): [string, number][] =>
    [...map].filter(([key]) => !key.startsWith('(idle)')).sort((a, b) => b[1] - a[1]);
  return [
    'self time by area (% of busy time):',
    ...ranked(summary.areas).map(([area, us]) => `  ${pct(us)}  ${area}`),
    `top ${top} functions by self time (% of busy time):`,
    ...ranked(summary.functions)
      .slice(0, top)
      .map(([name, us]) => `  ${pct(us)}  ${name}`),
  ];
}
