import { startReplica } from './replica.js';
import type { Replica } from './replica.js';
import type { ServiceSpec } from './services.js';

export interface ReplicaPoolOptions {
  spec: ServiceSpec;
  /** Environment of every replica (from `spec.env(ctx)`). */
  env: Record<string, string>;
  cpuMillis?: number;
  memoryBytes?: number;
  shutdownGraceMs?: number;
  /**
   * Publishes this pool's ready replicas (nginx upstreams, Prometheus targets): the whole set,
   * replacing the one published before. Resolves once nginx no longer sends new requests to
   * replicas outside the set.
   */
  publish(ready: readonly Replica[]): Promise<void>;
  /** Keep this Node process alive while replicas run (see `SpawnOptions.ref`). Default false. */
  ref?: boolean;
  /** Progress lines ("images-3 ready on 127.0.0.1:41234"). */
  log?: (line: string) => void;
}

/** What a Deployment's scale subresource reports: desired replicas, and how many are ready. */
export interface ReplicaCounts {
  replicas: number;
  readyReplicas: number;
}

/**
 * The replicas of one service, scaled like a Deployment:
 *  - up: start the new processes, wait for each /readyz, then publish them (nginx reload);
 *  - down: unpublish the newest replicas first (nginx reload, old workers gone), then SIGTERM
 *    them and wait for their drain.
 * Scale calls are serialised; `replicas` (desired) changes at once, `readyReplicas` once done.
 */
export class ReplicaPool {
  private readonly ready: Replica[] = [];
  private desired = 0;
  private ordinal = 0;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: ReplicaPoolOptions) {}

  get service(): string {
    return this.options.spec.name;
  }

  /** The ready replicas, oldest first. */
  replicas(): readonly Replica[] {
    return [...this.ready];
  }

  counts(): ReplicaCounts {
    return { replicas: this.desired, readyReplicas: this.ready.length };
  }

  scale(replicas: number): Promise<void> {
    if (!Number.isInteger(replicas) || replicas < 0) {
      return Promise.reject(new Error(`replicas must be a whole number >= 0, got ${replicas}`));
    }
    this.desired = replicas;
    const run = (): Promise<void> => this.apply(replicas);
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stops every replica (unpublishing them first). */
  stop(): Promise<void> {
    return this.scale(0);
  }

  private async apply(wanted: number): Promise<void> {
    const log = this.options.log ?? (() => undefined);
    if (wanted > this.ready.length) {
      const names = Array.from(
        { length: wanted - this.ready.length },
        () => `${this.service}-${++this.ordinal}`,
      );
      const started = await Promise.allSettled(
        names.map((name) =>
          startReplica({
            spec: this.options.spec,
            name,
            env: this.options.env,
            cpuMillis: this.options.cpuMillis,
            memoryBytes: this.options.memoryBytes,
            shutdownGraceMs: this.options.shutdownGraceMs,
            ref: this.options.ref,
          }),
        ),
      );
      const up = started
        .filter((s): s is PromiseFulfilledResult<Replica> => s.status === 'fulfilled')
        .map((s) => s.value);
      for (const replica of up) log(`${replica.name} ready on ${replica.address}`);
      if (up.length > 0) {
        // Counted as ready only once published: a caller that sees readyReplicas rise can rely
        // on nginx routing to the new replicas already.
        await this.options.publish([...this.ready, ...up]);
        this.ready.push(...up);
      }
      const failed = started.filter((s): s is PromiseRejectedResult => s.status === 'rejected');
      if (failed.length > 0) {
        throw new Error(
          failed.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('\n'),
        );
      }
    } else if (wanted < this.ready.length) {
      const leaving = this.ready.splice(wanted);
      await this.options.publish(this.replicas());
      log(`${leaving.map((r) => r.name).join(', ')} removed from nginx; draining`);
      await Promise.all(leaving.map((replica) => replica.stop()));
      log(`${leaving.map((r) => r.name).join(', ')} stopped`);
    }
  }
}
