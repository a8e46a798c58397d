import type { ReplicaPool } from './pool.js';

/**
 * The same shape as the autoscaler's `ScaleTarget` / `TargetState` (autoscaler/src/target/types.ts),
 * restated here so @laas/local does not depend on the autoscaler package; TypeScript's structural
 * typing makes a `LocalScaleTarget` usable wherever a `ScaleTarget` is expected.
 */
export interface LocalTargetState {
  replicas: number;
  readyReplicas: number;
  updatedReplicas: number;
  version?: string;
}

/** Thrown like the autoscaler's TargetError: `name` 'TargetError' and a `code`. */
export class LocalTargetError extends Error {
  override readonly name = 'TargetError';
  constructor(
    readonly code: 'Conflict' | 'Invalid' | 'Unavailable',
    message: string,
  ) {
    super(message);
  }
}

/**
 * A service's replica processes as a scale target, so the autoscaler drives the local system as
 * it drives a Deployment. `version` counts scale requests: a `scale` carrying an older version
 * than the current one is refused with 'Conflict' (someone else scaled since it was read).
 * Unlike a Deployment patch, `scale` resolves once the change is done: new replicas are ready
 * and behind nginx, removed ones are out of nginx and drained.
 */
export class LocalScaleTarget {
  readonly description: string;
  private generation = 0;

  constructor(private readonly pool: ReplicaPool) {
    this.description = `local/${pool.service}`;
  }

  get(): Promise<LocalTargetState> {
    const counts = this.pool.counts();
    return Promise.resolve({
      ...counts,
      updatedReplicas: counts.readyReplicas,
      version: String(this.generation),
    });
  }

  async scale(replicas: number, version?: string): Promise<void> {
    if (version !== undefined && version !== String(this.generation)) {
      throw new LocalTargetError(
        'Conflict',
        `${this.description} was scaled since version ${version} was read`,
      );
    }
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new LocalTargetError(
        'Invalid',
        `${this.description}: replicas must be a whole number >= 0, got ${replicas}`,
      );
    }
    this.generation++;
    try {
      await this.pool.scale(replicas);
    } catch (error) {
      throw new LocalTargetError(
        'Unavailable',
        `scaling ${this.description} to ${replicas}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
}
