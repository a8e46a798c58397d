/**
 * One load per interval, shared by every caller: the first call starts a load, and every call
 * in the next `ttlMs` (from that start) gets the same promise, still pending or settled,
 * failures included. So N open pages polling every 2 s cost the loader at most one call per
 * second, and a Prometheus that is down is not hammered either.
 * Worked example: ttl 1000 ms, calls at t = 0, 10, 900, 1000 ms → loads at 0 and 1000.
 */
export class SharedLoad<T> {
  private current: { startedAt: number; result: Promise<T> } | null = null;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly clock: () => number,
  ) {}

  get(): Promise<T> {
    const now = this.clock();
    if (this.current && now - this.current.startedAt < this.ttlMs) return this.current.result;
    const result = this.load();
    // A rejected promise that nobody awaits yet must not crash the process as "unhandled".
    result.catch(() => undefined);
    this.current = { startedAt: now, result };
    return result;
  }
}
