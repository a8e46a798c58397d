// A per-object work queue, like client-go's: a key is queued at most once, processed by at most
// one worker at a time (a key added while it is being processed is processed again after), and
// failures are retried with a per-key exponential backoff (1 s, 2 s, 4 s ... 60 s) so that a
// broken object cannot start a retry storm. Timers are injected for tests.

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, unknown>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly worker: (key: string) => Promise<void>,
    private readonly opts: {
      concurrency?: number;
      baseDelayMs?: number;
      maxDelayMs?: number;
      timers?: Timers;
      onError?: (key: string, error: unknown) => void;
    } = {},
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.queued.add(key);
    this.pump();
  }

  /** Retry after the key's backoff. */
  private addRateLimited(key: string): void {
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const delay = Math.min((this.opts.baseDelayMs ?? 1000) * 2 ** (n - 1), this.opts.maxDelayMs ?? 60_000);
    const timers = this.opts.timers ?? realTimers;
    if (this.delayed.has(key)) return;
    this.delayed.set(
      key,
      timers.setTimeout(() => {
        this.delayed.delete(key);
        this.add(key);
      }, delay),
    );
  }

  /** Drops a key: deleted objects are not retried. */
  forget(key: string): void {
    this.queued.delete(key);
    this.dirty.delete(key);
    this.failures.delete(key);
    const h = this.delayed.get(key);
    if (h !== undefined) (this.opts.timers ?? realTimers).clearTimeout(h);
    this.delayed.delete(key);
  }

  get length(): number {
    return this.queued.size;
  }

  private pump(): void {
    const concurrency = this.opts.concurrency ?? 4;
    while (!this.stopped && this.running < concurrency && this.queued.size > 0) {
      const key = this.queued.values().next().value as string;
      this.queued.delete(key);
      this.active.add(key);
      this.running += 1;
      void this.worker(key)
        .then(
          () => this.failures.delete(key),
          (error: unknown) => {
            this.opts.onError?.(key, error);
            this.addRateLimited(key);
          },
        )
        .finally(() => {
          this.active.delete(key);
          this.running -= 1;
          if (this.dirty.delete(key)) this.add(key);
          this.pump();
          if (this.running === 0 && this.queued.size === 0) this.idleWaiters.splice(0).forEach((f) => f());
        });
    }
  }

  /** Resolves when nothing is queued or running (delayed retries excluded). */
  idle(): Promise<void> {
    if (this.running === 0 && this.queued.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    for (const key of [...this.delayed.keys()]) this.forget(key);
    this.queued.clear();
  }
}
