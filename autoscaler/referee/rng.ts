// Seeded randomness for the referee: every run is a pure function of its seed.

import { seededRandom, type Random } from '@laas/shared';

/** A PRNG: uniform in [0, 1); mulberry32 from @laas/shared, the one the images service uses too. */
export type { Random };
export const seeded: (seed: number) => Random = seededRandom;

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
