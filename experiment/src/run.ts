import os from 'node:os';
import type { CpuSplit } from '@laas/local';
import { describeMachine } from './machine.js';
import type { MachineInfo } from './machine.js';
import { measureMaxRps } from './measure.js';
import { DEFAULT_CRITERIA } from './k6.js';
import type { Criteria, PlateauResult, PlateauRunner } from './k6.js';
import type { MaxRpsResult, SearchStep } from './search.js';

/** Where the experiment runs: sets the replica count and runs one plateau against the service. */
export interface ExperimentEnvironment {
  readonly name: 'local' | 'cluster' | 'minikube';
  /** What is measured (for the report), e.g. "nginx -> images (local processes)". */
  readonly description: string;
  /** Base URL k6 calls. */
  readonly url: string;
  /** The service scaled; on the local environment also the CPU component its replicas are counted under. */
  readonly service?: string;
  /** Scales the service and resolves once that many replicas are ready and routed to. */
  setReplicas(replicas: number): Promise<void>;
  runPlateau: PlateauRunner;
  stop(): Promise<void>;
}

export interface ExperimentOptions {
  replicas: number[];
  /** Per-replica CPU limit, millicores. */
  cpuMillis: number;
  repeats: number;
  plateauSec: number;
  /** First offered rate for one replica. */
  startRps: number;
  /** Bisection stops when the pass/fail gap is within this fraction. */
  resolution: number;
  path: string;
  /** At most this many plateaus per search. */
  maxSteps: number;
}

/**
 * The defaults are a scale model of the original on a 2-core machine. Its replicas had 250m each,
 * but here k6, nginx and the database share the two cores with the replicas: 5 x 250m = 1.25
 * cores of quota plus a load generator that spends more CPU per request than a replica does
 * cannot fit, and the curve would show the machine, not the replicas. At 100m, 5 replicas hold
 * 0.5 core of quota and the rest of the system serving their requests fits in the other 1.5
 * (each report computes the largest quota that fits from the costs it measured). `--cpu 250m`
 * reproduces the original's setting.
 */
export const DEFAULT_EXPERIMENT: ExperimentOptions = {
  replicas: [1, 2, 3, 5],
  cpuMillis: 100,
  repeats: 3,
  plateauSec: 8,
  startRps: 100,
  resolution: 0.05,
  path: '/random?count=25',
  maxSteps: 10,
};

export interface PointResult {
  replicas: number;
  /** Median of the repeats' max RPS. */
  maxRps: number;
  min: number;
  max: number;
  /** (max - min) / median. */
  spread: number;
  /** Latencies of the plateau at the median max RPS. */
  atMax?: {
    rate: number;
    p50Ms: number;
    p95Ms: number;
    p99Ms: number;
    errorRate: number;
    achievedRps: number;
    /** Requests completed in that plateau. */
    requests?: number;
    /** Where the machine's CPU went during that plateau (local environment). */
    cpu?: CpuSplit;
  };
  /** maxRps / (replicas x maxRps at the smallest replica count, scaled to 1 replica). */
  efficiency?: number;
  repeats: MaxRpsResult[];
}

export interface ExperimentResults {
  startedAt: string;
  finishedAt: string;
  durationSec: number;
  target: { name: string; description: string; service?: string };
  options: ExperimentOptions;
  machine: MachineInfo;
  /** 1/5/15-minute load averages at the start and at the end (other work on the machine skews results). */
  loadAverage: { start: number[]; end: number[] };
  criteria: Criteria;
  points: PointResult[];
}

export interface Progress {
  replicas: number;
  pointIndex: number;
  points: number;
  repeat: number;
  repeats: number;
  step: number;
  rate: number;
  result?: PlateauResult;
  /** Seconds left, estimated from the plateaus so far. */
  etaSec: number;
  elapsedSec: number;
}

/** Plateaus a search usually needs: bracketing from scratch, or starting at the previous result. */
const FIRST_SEARCH_STEPS = 7;
const REPEAT_SEARCH_STEPS = 4;

export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * For each replica count: scale, then measure the max sustained RPS `repeats` times (see
 * `measureMaxRps`). The first search for n replicas starts from what n-1 reached scaled by
 * sqrt(n / n_prev): between "no gain" and "linear", so either way the bracket takes few steps.
 */
export async function runExperiment(
  options: ExperimentOptions,
  environment: ExperimentEnvironment,
  onProgress: (progress: Progress) => void = () => undefined,
): Promise<ExperimentResults> {
  const started = Date.now();
  const loadAtStart = os.loadavg().map((v) => Number(v.toFixed(2)));
  const points: PointResult[] = [];
  let plateausDone = 0;
  let plateauTimeMs = 0;
  let stepStarted = Date.now();

  const remainingPlateaus = (pointIndex: number, repeat: number, step: number): number => {
    const perPoint = FIRST_SEARCH_STEPS + (options.repeats - 1) * REPEAT_SEARCH_STEPS;
    const thisSearch = Math.max(1, (repeat === 1 ? FIRST_SEARCH_STEPS : REPEAT_SEARCH_STEPS) - step + 1);
    const laterRepeats = (options.repeats - repeat) * REPEAT_SEARCH_STEPS;
    return thisSearch + laterRepeats + (options.replicas.length - pointIndex - 1) * perPoint;
  };

  for (const [pointIndex, replicas] of options.replicas.entries()) {
    await environment.setReplicas(replicas);
    const previous = points[points.length - 1];
    const startRps =
      previous && previous.maxRps > 0
        ? Math.round(previous.maxRps * Math.sqrt(replicas / previous.replicas))
        : options.startRps * replicas;
    const measured = await measureMaxRps({
      url: environment.url,
      path: options.path,
      startRps,
      plateauSec: options.plateauSec,
      resolution: options.resolution,
      maxSteps: options.maxSteps,
      repeats: options.repeats,
      warmupSec: 3,
      runPlateau: environment.runPlateau,
      onRepeatStep: (repeat: number, step: SearchStep) => {
        if (step.result) {
          plateausDone++;
          plateauTimeMs += Date.now() - stepStarted;
        } else {
          stepStarted = Date.now();
        }
        const average = plateausDone > 0 ? plateauTimeMs / plateausDone / 1000 : options.plateauSec + 2;
        onProgress({
          replicas,
          pointIndex,
          points: options.replicas.length,
          repeat,
          repeats: options.repeats,
          step: step.step,
          rate: step.rate,
          result: step.result,
          etaSec: remainingPlateaus(pointIndex, repeat, step.step) * average,
          elapsedSec: (Date.now() - started) / 1000,
        });
      },
    });
    const atMax = measured.medianRun.atMax;
    points.push({
      replicas,
      maxRps: measured.median,
      min: measured.min,
      max: measured.max,
      spread: measured.spread,
      atMax: atMax && {
        rate: atMax.rate,
        p50Ms: atMax.p50Ms,
        p95Ms: atMax.p95Ms,
        p99Ms: atMax.p99Ms,
        errorRate: atMax.errorRate,
        achievedRps: atMax.achievedRps,
        requests: atMax.requests,
        cpu: atMax.cpu,
      },
      repeats: measured.runs,
    });
  }

  // Scaling efficiency against one replica (measured, or extrapolated from the smallest count).
  const base = points[0];
  if (base && base.maxRps > 0) {
    const perReplica = base.maxRps / base.replicas;
    for (const point of points) point.efficiency = point.maxRps / (point.replicas * perReplica);
  }

  return {
    startedAt: new Date(started).toISOString(),
    finishedAt: new Date().toISOString(),
    durationSec: Math.round((Date.now() - started) / 1000),
    target: { name: environment.name, description: environment.description, service: environment.service },
    options,
    machine: describeMachine(),
    loadAverage: { start: loadAtStart, end: os.loadavg().map((v) => Number(v.toFixed(2))) },
    criteria: DEFAULT_CRITERIA,
    points,
  };
}
