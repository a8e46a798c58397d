// The seeded PRNG the service uses (mulberry32, from @laas/shared), so statistical tests are deterministic.
export { seededRandom } from '@laas/shared';

/**
 * Pearson's chi-square statistic of observed counts against a uniform expectation, and the
 * critical value for `df` degrees of freedom at significance 0.001 (Wilson–Hilferty
 * approximation: accurate to well under 1% for df >= 30).
 */
export function chiSquareUniform(counts: number[]): { statistic: number; critical: number; df: number } {
  const total = counts.reduce((a, b) => a + b, 0);
  const expected = total / counts.length;
  const statistic = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
  const df = counts.length - 1;
  const z = 3.090232; // upper 0.001 quantile of the standard normal
  const critical = df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
  return { statistic, critical, df };
}
