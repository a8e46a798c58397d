/** A source of uniform numbers in [0, 1), like Math.random: injected wherever randomness is. */
export type Random = () => number;

/**
 * A seeded PRNG: mulberry32, 32 bits of state, well mixed and tiny. The same seed gives the same
 * sequence on every machine and run, which is what its users need: the images service draws each
 * seed picture's traits from the picture's id, and the autoscaler's referee replays a trace from
 * its seed. Not for secrets, and not for more than ~1e9 draws from one seed (the period is 2^32).
 */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
