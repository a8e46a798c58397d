// The load traces: offered RPS over time, plus the events that scaling can or cannot fix.
// Loads are in the images service's own units: one replica at 250m serves about 220 RPS within
// the objective (the 250m reference run, autoscaler/referee/data), so 150 RPS is about one replica's worth at 70 %.

export interface Trace {
  name: string;
  /** One line for the report. */
  description: string;
  durationSeconds: number;
  /** Offered RPS at time t (seconds). */
  rps(t: number): number;
  /** Replicas at t = 0 (the steady state for the starting load). */
  initialReplicas: number;
  /** Request CPU multiplier at t (the request-cost change). */
  costFactor?(t: number): number;
  /** Extra off-CPU seconds per request at t (a slow dependency). */
  extraWait?(t: number): number;
  /**
   * The fraction of its CPU quota the node grants a replica at t (1: all of it). A busy node
   * (a noisy neighbour, or the shared machine the closed loop ran on, issue 12) grants less: the
   * replica then breaches at a load under what its quota promises, while its CPU per request
   * stays the same and its CPU utilisation reads low.
   */
  cpuGrant?(t: number): number;
  /** Metrics unavailable in [from, to) seconds. */
  outage?: { from: number; to: number };
  /** The step whose recovery is timed. */
  stepAt?: number;
}

const between = (t: number, from: number, to: number): boolean => t >= from && t < to;

export const TRACES: readonly Trace[] = [
  {
    name: 'step-5x',
    description: '150 RPS, then 5x (750 RPS) from 180 s to 420 s, then back',
    durationSeconds: 600,
    rps: (t) => (between(t, 180, 420) ? 750 : 150),
    initialReplicas: 1,
    stepAt: 180,
  },
  {
    name: 'flash-crowd',
    description: '120 RPS, 10x (1200 RPS) for 60 s at 180 s',
    durationSeconds: 480,
    rps: (t) => (between(t, 180, 240) ? 1200 : 120),
    initialReplicas: 1,
    stepAt: 180,
  },
  {
    name: 'diurnal',
    description: 'a day compressed to 15 minutes: 80 RPS at night, 900 RPS at noon (sinusoid)',
    durationSeconds: 900,
    rps: (t) => 80 + (900 - 80) * 0.5 * (1 - Math.cos((2 * Math.PI * t) / 900)),
    initialReplicas: 1,
  },
  {
    name: 'sawtooth',
    description: 'ramps 100 -> 700 RPS over 150 s, then drops to 100, three times',
    durationSeconds: 450,
    rps: (t) => 100 + 600 * ((t % 150) / 150),
    initialReplicas: 1,
  },
  {
    name: 'slow-ramp',
    description: '100 -> 1000 RPS linearly over 10 minutes',
    durationSeconds: 600,
    rps: (t) => 100 + (900 * t) / 600,
    initialReplicas: 1,
  },
  {
    name: 'cost-change',
    description: '400 RPS throughout; from 180 s each request needs twice the CPU',
    durationSeconds: 540,
    rps: () => 400,
    costFactor: (t) => (t >= 180 ? 2 : 1),
    initialReplicas: 3,
    stepAt: 180,
  },
  {
    name: 'starved-step',
    description:
      'the 5x step (150 -> 750 RPS from 180 s to 420 s) on a busy node that grants each replica half its CPU quota',
    durationSeconds: 600,
    rps: (t) => (between(t, 180, 420) ? 750 : 150),
    cpuGrant: () => 0.5,
    initialReplicas: 2,
    stepAt: 180,
  },
  {
    name: 'downstream-slowdown',
    description: '400 RPS; from 180 s to 360 s the database answers 400 ms slower (scaling cannot fix it)',
    durationSeconds: 540,
    rps: () => 400,
    extraWait: (t) => (between(t, 180, 360) ? 0.4 : 0),
    initialReplicas: 3,
  },
  {
    name: 'metrics-outage',
    description: '150 -> 900 RPS over 8 minutes; metrics unavailable from 180 s to 360 s',
    durationSeconds: 540,
    rps: (t) => (t < 480 ? 150 + (750 * t) / 480 : 900),
    outage: { from: 180, to: 360 },
    initialReplicas: 1,
  },
];
