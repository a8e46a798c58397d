// Log-spaced latency bins (1 ms .. ~30 s) for the router's view and the timeline's p99.
export const BINS = 120;
const BIN_MIN = 0.001;
const BIN_RATIO = Math.pow(30_000, 1 / BINS);

/** The bin of a latency in seconds: 1 ms and below is bin 0, 30 s and above the last. */
export const binOf = (s: number): number =>
  s <= BIN_MIN ? 0 : Math.min(BINS - 1, Math.floor(Math.log(s / BIN_MIN) / Math.log(BIN_RATIO)) + 1);
const binUpper = (b: number): number => BIN_MIN * Math.pow(BIN_RATIO, b);

/** The upper bound of the bin holding the q-quantile; null for an empty histogram. */
export function binQuantile(hist: ArrayLike<number>, q: number): number | null {
  let total = 0;
  for (let i = 0; i < BINS; i++) total += hist[i]!;
  if (total === 0) return null;
  const rank = q * total;
  let cum = 0;
  for (let i = 0; i < BINS; i++) {
    cum += hist[i]!;
    if (cum >= rank) return binUpper(i);
  }
  return binUpper(BINS - 1);
}
