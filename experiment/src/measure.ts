import { findMaxRps } from './search.js';
import type { FindMaxRpsOptions, MaxRpsResult, SearchStep } from './search.js';

export interface MeasureOptions extends FindMaxRpsOptions {
  /** Independent searches. Default 3. */
  repeats?: number;
  /**
   * Growth factor of the searches after the first: they start at the previous result, so a
   * small factor brackets it in two plateaus. Default 1.15.
   */
  repeatGrowth?: number;
  /** Called before each plateau with the repeat number (1-based). */
  onRepeatStep?: (repeat: number, step: SearchStep) => void;
}

export interface RepeatedMaxRps {
  /** Median of the searches' max RPS. */
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, 0 when the median is 0. */
  spread: number;
  runs: MaxRpsResult[];
  /** The run whose max RPS is the median (its `atMax` gives the latencies at that load). */
  medianRun: MaxRpsResult;
}

export function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Repeats `findMaxRps` and reports the median and the spread. Only the first search brackets
 * from `startRps`; the next ones start at the previous result with a small growth factor.
 */
export async function measureMaxRps(options: MeasureOptions): Promise<RepeatedMaxRps> {
  const repeats = Math.max(1, options.repeats ?? 3);
  const runs: MaxRpsResult[] = [];
  for (let repeat = 1; repeat <= repeats; repeat++) {
    const previous = runs[runs.length - 1];
    const narrowed = previous !== undefined && previous.maxRps > 0;
    const run = await findMaxRps({
      ...options,
      startRps: narrowed ? previous.maxRps : options.startRps,
      growth: narrowed ? (options.repeatGrowth ?? 1.15) : options.growth,
      warmupSec: repeat === 1 ? options.warmupSec : 0,
      onStep: (step) => {
        options.onStep?.(step);
        options.onRepeatStep?.(repeat, step);
      },
    });
    runs.push(run);
  }
  const values = runs.map((r) => r.maxRps);
  const mid = median(values);
  const min = Math.min(...values);
  const max = Math.max(...values);
  const medianRun = [...runs].sort((a, b) => Math.abs(a.maxRps - mid) - Math.abs(b.maxRps - mid))[0]!;
  return { median: mid, min, max, spread: mid > 0 ? (max - min) / mid : 0, runs, medianRun };
}
