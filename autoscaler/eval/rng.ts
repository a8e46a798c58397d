// Seeded randomness for the referee: every run is a pure function of its seed.

/** A PRNG: uniform in [0, 1). mulberry32, 32-bit state (enough for ~1e9 draws per run). */
export type Random = () => number;

export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Exponential with the given mean. */
export function exponential(random: Random, mean: number): number {
  return -mean * Math.log(1 - random());
}

/** Standard normal (Box-Muller; one of the pair is dropped, simplicity over speed). */
export function normal(random: Random): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Log-normal given its mean and coefficient of variation (sd / mean), the two numbers a fit
 * reports: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2.
 */
export function logNormal(random: Random, mean: number, cv: number): number {
  const s2 = Math.log(1 + cv * cv);
  return Math.exp(Math.log(mean) - s2 / 2 + Math.sqrt(s2) * normal(random));
}
