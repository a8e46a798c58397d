/** A source of uniform numbers in [0, 1). Injected so tests can fix the sequence. */
export type Random = () => number;

/**
 * A lazily materialised random permutation of 0..n-1 (Fisher–Yates over a virtual array).
 * Only swapped positions are stored, so drawing k values costs O(k) time and memory whatever n
 * is: 25 draws from a catalog of 1,000,000 touch 25 map entries, not a million-element array.
 * Every prefix is a uniform sample without replacement, in uniformly random order, and the
 * permutation can be continued — which is how gaps in the id space are skipped without bias.
 */
export class LazyPermutation {
  private readonly swapped = new Map<number, number>();
  private drawn = 0;

  constructor(
    private readonly n: number,
    private readonly random: Random,
  ) {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
  }

  get remaining(): number {
    return this.n - this.drawn;
  }

  /** How many swapped positions the permutation holds: its memory, at most one per value drawn. */
  get heldPositions(): number {
    return this.swapped.size;
  }

  /** The next up to `count` values of the permutation. */
  take(count: number): number[] {
    const out: number[] = [];
    while (out.length < count && this.drawn < this.n) {
      const i = this.drawn;
      const j = i + Math.floor(this.random() * (this.n - i));
      const atI = this.swapped.get(i) ?? i;
      const atJ = this.swapped.get(j) ?? j;
      this.swapped.set(j, atI);
      this.swapped.delete(i);
      this.drawn++;
      out.push(atJ);
    }
    return out;
  }
}
