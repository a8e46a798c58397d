import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_CRITERIA, runLocalPlateau } from './k6.js';
import type { Criteria, PlateauResult, PlateauRunner } from './k6.js';

export interface FindMaxRpsOptions {
  /** Base URL of the service under test, e.g. http://127.0.0.1:8080. */
  url: string;
  /** Request path. Default /random?count=25. */
  path?: string;
  /** First offered rate. Default 200. */
  startRps?: number;
  /** Factor between rates while looking for the first failure (or first pass). Default 1.5. */
  growth?: number;
  /** Stop bisecting once (fail - pass) / pass <= this. Default 0.05. */
  resolution?: number;
  /** Length of one plateau. Default 5 s. */
  plateauSec?: number;
  /** At most this many plateaus (the warm-up not counted). Default 10. */
  maxSteps?: number;
  /** Below this rate the search gives up and reports 0. Default 5. */
  minRps?: number;
  /** Above this rate the search stops climbing and reports it (the load generator's own ceiling). Default 20 000. */
  maxRps?: number;
  /** Pause after a failed plateau, so the next one does not start on a backlog. Default 2 s. */
  cooldownSec?: number;
  /**
   * After a failed plateau and the cooldown, wait until the service answers quickly again (its
   * backlog from the overload is gone). Default: when `url` is on this machine, probe it until
   * three requests in a row answer within 100 ms (up to 20 s); otherwise nothing.
   */
  settle?: () => Promise<void>;
  /** A warm-up plateau (not judged) of this length at half the start rate. Default 0 = none. */
  warmupSec?: number;
  criteria?: Criteria;
  /** Headers on every request, the settle probe's included (e.g. an Authorization token). */
  headers?: Record<string, string>;
  /** Runs one plateau. Default: the local k6 (`runLocalPlateau`). */
  runPlateau?: PlateauRunner;
  /** Called before each plateau with its number and rate. */
  onStep?: (step: SearchStep) => void;
}

export interface SearchStep {
  /** 1-based plateau number within this search. */
  step: number;
  rate: number;
  /** Highest passing / lowest failing rate so far. */
  passRps?: number;
  failRps?: number;
  /** Set once the plateau ran. */
  result?: PlateauResult;
}

export interface MaxRpsResult {
  /** The highest offered rate that passed the criteria (0 if none did). */
  maxRps: number;
  /** The plateau at maxRps (latencies "at that load"). */
  atMax?: PlateauResult;
  /** The lowest failing rate (undefined when the search hit maxRps or maxSteps without failing). */
  failRps?: number;
  /** Every plateau, in order. */
  steps: PlateauResult[];
  /** Why the search stopped. */
  stoppedBecause: 'resolution' | 'maxSteps' | 'maxRps' | 'minRps';
}

/**
 * The highest constant arrival rate the service sustains with p99 < 300 ms, errors < 1% and
 * (almost) no dropped iterations, found with a search over short plateaus, each its own k6 run
 * (k6 thresholds are cumulative over a run, so every rate gets a fresh run).
 *
 * First it brackets: from `startRps` it multiplies by `growth` until a plateau fails (or divides
 * until one passes); then it bisects between the highest pass and the lowest fail until they are
 * within `resolution`. Worked example, growth 1.5, resolution 5%: 400 pass, 600 pass, 900 fail,
 * 750 fail, 675 pass, 713 pass -> (750 - 713) / 713 = 5.2%, 732 fail -> 713 RPS in 7 plateaus.
 */
export async function findMaxRps(options: FindMaxRpsOptions): Promise<MaxRpsResult> {
  const run = options.runPlateau ?? runLocalPlateau;
  const growth = options.growth ?? 1.5;
  const resolution = options.resolution ?? 0.05;
  const plateauSec = options.plateauSec ?? 5;
  const maxSteps = options.maxSteps ?? 10;
  const minRps = options.minRps ?? 5;
  const maxRps = options.maxRps ?? 20_000;
  const cooldownMs = (options.cooldownSec ?? 2) * 1000;
  const criteria = options.criteria ?? DEFAULT_CRITERIA;
  const base = {
    baseUrl: options.url,
    path: options.path,
    durationSec: plateauSec,
    criteria,
    headers: options.headers,
  };
  const settle =
    options.settle ??
    (isLocalUrl(options.url)
      ? () =>
          waitUntilResponsive(`${options.url}${options.path ?? '/random?count=25'}`, {
            headers: options.headers,
          })
      : async () => undefined);

  let rate = Math.max(minRps, Math.round(options.startRps ?? 200));
  if (options.warmupSec && options.warmupSec > 0) {
    await run({ ...base, rate: Math.max(minRps, Math.round(rate / 2)), durationSec: options.warmupSec });
  }

  const steps: PlateauResult[] = [];
  let pass: PlateauResult | undefined;
  let failRps: number | undefined;
  for (;;) {
    if (steps.length >= maxSteps) return finish('maxSteps');
    options.onStep?.({ step: steps.length + 1, rate, passRps: pass?.rate, failRps });
    const result = await run({ ...base, rate });
    steps.push(result);
    options.onStep?.({ step: steps.length, rate, passRps: pass?.rate, failRps, result });
    if (result.passed) {
      if (!pass || result.rate > pass.rate) pass = result;
    } else {
      failRps = failRps === undefined ? result.rate : Math.min(failRps, result.rate);
      if (cooldownMs > 0) await sleep(cooldownMs);
      await settle();
    }

    if (failRps === undefined) {
      if (rate >= maxRps) return finish('maxRps');
      rate = Math.min(maxRps, Math.round(rate * growth));
    } else if (!pass) {
      const next = Math.round(rate / growth);
      if (next < minRps) return finish('minRps');
      rate = next;
    } else {
      if ((failRps - pass.rate) / pass.rate <= resolution || failRps - pass.rate <= 1)
        return finish('resolution');
      rate = Math.round((pass.rate + failRps) / 2);
    }
  }

  function finish(stoppedBecause: MaxRpsResult['stoppedBecause']): MaxRpsResult {
    return { maxRps: pass?.rate ?? 0, atMax: pass, failRps, steps, stoppedBecause };
  }
}

function isLocalUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  } catch {
    return false;
  }
}

/**
 * Probes `url` until `streak` requests in a row answer 2xx within `fastMs` (an overloaded server
 * keeps working through its queue after k6 stops), giving up silently after `timeoutMs`.
 */
export async function waitUntilResponsive(
  url: string,
  options: { fastMs?: number; streak?: number; timeoutMs?: number; headers?: Record<string, string> } = {},
): Promise<boolean> {
  const fastMs = options.fastMs ?? 100;
  const streak = options.streak ?? 3;
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let fast = 0;
  while (Date.now() < deadline) {
    const started = Date.now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000), headers: options.headers });
      await response.arrayBuffer();
      fast = response.ok && Date.now() - started < fastMs ? fast + 1 : 0;
    } catch {
      fast = 0;
    }
    if (fast >= streak) return true;
    await sleep(100);
  }
  return false;
}
