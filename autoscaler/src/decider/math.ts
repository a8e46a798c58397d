// Arithmetic the steps share.

/** Floating error guard for ceil: 700/70 must be 10, not 10.000000000000002 -> 11. */
export const EPSILON = 1e-9;

export const ceil = (x: number): number => Math.ceil(x - EPSILON);

/** A number for a message: integers as they are, others to 2 decimals; n/a for none. */
export function fmt(n: number | null | undefined): string {
  if (n === null || n === undefined) return 'n/a';
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}
