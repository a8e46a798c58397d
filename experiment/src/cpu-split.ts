import type { CpuSplit } from '@laas/local';
import type { ExperimentResults, PointResult } from './run.js';

/** The machine's CPU not counted in any group: other work on the machine, the kernel, our own start-up. */
export const OTHER_COMPONENT = 'other';

/** Which limit held a replica count at its max-RPS plateau. */
export type Bottleneck = 'quota' | 'machine' | 'neither';

/**
 * Replicas count as held by their quota when they used at least this share of it. CFS enforces
 * the quota per 100 ms period, and a replica that is throttled in some periods and idle in
 * others averages below 100%: 85% is where the quota is the limit in practice.
 */
export const QUOTA_BOUND_SHARE = 0.85;
/**
 * The machine counts as full when its busy time is at least this share of all cores over the
 * window. The window runs from just before k6 starts to just after it exits, about 0.5 s longer
 * than the plateau, so a machine busy throughout an 8 s plateau reads about 8 / 8.5 = 94%.
 */
export const MACHINE_FULL_SHARE = 0.85;

export interface ComponentCores {
  component: string;
  /** Average cores used over the window (CPU seconds / wall seconds). */
  cores: number;
}

/** The CPU at one replica count's max-RPS plateau, and what held it. */
export interface CoresAtMax {
  replicas: number;
  /** The offered rate of that plateau. */
  rate: number;
  /** Cores used per component, in `componentOrder` order; `other` is the machine's busy time no group counted. */
  components: ComponentCores[];
  machineCores: number;
  /** Cores the replicas used, and the cores their quotas allow (replicas x quota). */
  replicaCores: number;
  quotaCores: number;
  /** Mean share of the replicas' 100 ms periods in which they ran out of quota. */
  throttledShare: number;
  bottleneck: Bottleneck;
}

/** Stack order: the replicas at the bottom, then the load generator, the proxy, the database. */
export function componentOrder(service: string): string[] {
  return [service, 'k6', 'nginx', 'ferretdb', 'prometheus', 'runner', OTHER_COMPONENT];
}

/**
 * Worked example, 5 replicas at 100m on 2 cores: the replicas used 0.31 cores of their 0.5
 * (62% < 85%) while the machine was busy 1.9 of 2 cores (95% >= 85%): the machine, not the
 * quota, was the limit. At 1 replica, 0.098 of 0.1 cores (98%): the quota.
 */
export function bottleneckOf(
  replicaCores: number,
  quotaCores: number,
  machineCores: number,
  cores: number,
): Bottleneck {
  if (quotaCores > 0 && replicaCores >= QUOTA_BOUND_SHARE * quotaCores) return 'quota';
  if (machineCores >= MACHINE_FULL_SHARE * cores) return 'machine';
  return 'neither';
}

/** The split of one plateau in cores, for a service's replicas at `cpuMillis` each on `cores` cores. */
export function coresOf(
  split: CpuSplit,
  options: { replicas: number; rate: number; service: string; cpuMillis: number; cores: number },
): CoresAtMax {
  const wall = split.wallSec > 0 ? split.wallSec : 1;
  const counted = Object.values(split.byComponent).reduce((sum, sec) => sum + sec, 0);
  const bySec: Record<string, number> = {
    ...split.byComponent,
    [OTHER_COMPONENT]: Math.max(0, split.machineBusySec - counted),
  };
  const order = componentOrder(options.service);
  const names = [...order, ...Object.keys(bySec).filter((name) => !order.includes(name))];
  const components = names
    .filter((component) => bySec[component] !== undefined)
    .map((component) => ({ component, cores: bySec[component]! / wall }));
  const replicaCores = (split.byComponent[options.service] ?? 0) / wall;
  const quotaCores = (options.replicas * options.cpuMillis) / 1000;
  const machineCores = split.machineBusySec / wall;
  const shares = Object.entries(split.throttledShare)
    .filter(([group]) => group.startsWith(`${options.service}-`))
    .map(([, share]) => share);
  return {
    replicas: options.replicas,
    rate: options.rate,
    components,
    machineCores,
    replicaCores,
    quotaCores,
    throttledShare: shares.length > 0 ? shares.reduce((a, b) => a + b, 0) / shares.length : 0,
    bottleneck: bottleneckOf(replicaCores, quotaCores, machineCores, options.cores),
  };
}

/** The split at every replica count's max-RPS plateau that has one (local runs with cpuacct). */
export function coresAtMax(results: ExperimentResults): CoresAtMax[] {
  const service = results.target.service ?? 'images';
  return results.points.flatMap((point: PointResult) =>
    point.atMax?.cpu
      ? [
          coresOf(point.atMax.cpu, {
            replicas: point.replicas,
            rate: point.atMax.rate,
            service,
            cpuMillis: results.options.cpuMillis,
            cores: results.machine.cores,
          }),
        ]
      : [],
  );
}

/** The components that grow with the request rate besides the replicas: the load generator, the proxy, the database. */
const PER_REQUEST_PARTS = ['k6', 'nginx', 'ferretdb'];

/**
 * CPU milliseconds per request of the replicas and of each part that grows with the rate: the
 * slope of a least-squares line through (requests, CPU seconds) over every plateau of the run.
 * The line's intercept takes the fixed cost of a plateau (k6 starting, about 0.07 s of CPU here;
 * idle timers), which a plain ratio would spread over the requests: 0.07 s over 300 requests
 * adds 0.23 ms to each.
 */
export function cpuPerRequestMs(results: ExperimentResults): Record<string, number> {
  const service = results.target.service ?? 'images';
  const samples: Record<string, [number, number][]> = {};
  for (const point of results.points) {
    for (const step of point.repeats.flatMap((run) => run.steps)) {
      if (!step.cpu || step.requests <= 0) continue;
      for (const component of [service, ...PER_REQUEST_PARTS]) {
        const sec = step.cpu.byComponent[component];
        if (sec !== undefined) (samples[component] ??= []).push([step.requests, sec]);
      }
    }
  }
  return Object.fromEntries(
    Object.entries(samples).flatMap(([component, pairs]) => {
      const slope = leastSquaresSlope(pairs);
      return slope === undefined ? [] : [[component, slope * 1000]];
    }),
  );
}

/** Slope of the least-squares line through the points; undefined with fewer than 3 or no spread in x. */
export function leastSquaresSlope(points: [number, number][]): number | undefined {
  if (points.length < 3) return undefined;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / points.length;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / points.length;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of points) {
    sxx += (x - meanX) ** 2;
    sxy += (x - meanX) * (y - meanY);
  }
  return sxx > 0 ? sxy / sxx : undefined;
}

/**
 * The largest per-replica quota (millicores) at which `replicas` replicas, each busy up to its
 * quota, and the load generator, proxy and database serving their requests fit in `share` of the
 * machine. Worked example: a replica spends 0.125 ms per request and k6 + nginx 0.35 ms, so each
 * replica-core of work brings 0.35 / 0.125 = 2.8 cores of the rest: 5 x q x 3.8 <= 0.85 x 2 cores
 * gives q <= 89m.
 */
export function quotaThatFits(
  perRequestMs: Record<string, number>,
  service: string,
  options: { replicas: number; cores: number; share?: number },
): number | undefined {
  const replicaMs = perRequestMs[service];
  if (!replicaMs || replicaMs <= 0) return undefined;
  const restMs = Object.entries(perRequestMs)
    .filter(([component]) => component !== service)
    .reduce((sum, [, ms]) => sum + ms, 0);
  const budget = (options.share ?? MACHINE_FULL_SHARE) * options.cores;
  return (1000 * budget) / (options.replicas * (1 + restMs / replicaMs));
}
