import { AppError } from '@laas/shared';

/**
 * Bounds the password hashing of one process: at most `concurrency` argon2id computations at
 * once, at most `maxWaiting` more waiting their turn, and anything beyond answered at once with
 * 429 `server_busy` and `Retry-After`. Why: each hash holds 19 MiB and ~50 ms of a core on libuv's
 * thread pool; without a bound a burst of registrations queues there unseen, every login behind
 * it waits, and memory grows with the burst. Worked numbers with the defaults (2 running, 8
 * waiting, ~50 ms a hash): the 11th request in a burst is refused at once, and the 10th waits
 * about 4 x 50 ms = 200 ms for its turn.
 */
export interface HashQueueOptions {
  concurrency: number;
  maxWaiting: number;
}

export class HashQueue {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly options: HashQueueOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1)
      throw new RangeError(`concurrency must be >= 1, got ${options.concurrency}`);
    if (!Number.isInteger(options.maxWaiting) || options.maxWaiting < 0)
      throw new RangeError(`maxWaiting must be >= 0, got ${options.maxWaiting}`);
  }

  /** Hashes running now, and waiting. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.options.concurrency) {
      if (this.waiting.length >= this.options.maxWaiting) {
        throw new AppError(429, 'server_busy', 'too many password checks at once: try again in a second', {
          headers: { 'retry-after': '1' },
        });
      }
      // The slot is handed over by the finishing task (running stays counted), so no
      // newcomer can overtake a waiter.
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
