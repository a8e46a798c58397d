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
  private n = 0;

  constructor(
    n: number,
    private readonly random: Random,
  ) {
    this.restart(n);
  }

  /**
   * Starts over as a fresh permutation of 0..n-1, keeping the object and its map: the hot path
   * holds one permutation and restarts it per request instead of allocating one.
   */
  restart(n: number): this {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${n}`);
    this.n = n;
    this.drawn = 0;
    this.swapped.clear();
    return this;
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
    while (out.length < count && this.drawn < this.n) out.push(this.next());
    return out;
  }

  /** Writes the next up to `count` values into `out` (at most its length); returns how many. */
  takeInto(out: Uint32Array, count: number): number {
    const wanted = Math.min(count, out.length);
    let taken = 0;
    while (taken < wanted && this.drawn < this.n) out[taken++] = this.next();
    return taken;
  }

  /** One Fisher–Yates step over the virtual array: the value at position `drawn`. */
  private next(): number {
    const i = this.drawn;
    const j = i + Math.floor(this.random() * (this.n - i));
    const atI = this.swapped.get(i) ?? i;
    const atJ = this.swapped.get(j) ?? j;
    this.swapped.set(j, atI);
    this.swapped.delete(i);
    this.drawn++;
    return atJ;
  }
}
