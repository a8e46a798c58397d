// The thing being scaled, behind the smallest interface that serves the reconciler. Kubernetes
// Deployments implement it today (./deployment.ts); the embedded system adds a local-process
// implementation. Keep it this small and stable.

/** What `get` reports. */
export interface TargetState {
  /** Replicas asked for (spec), starting ones included. */
  replicas: number;
  /** Replicas ready to serve. */
  readyReplicas: number;
  /** Replicas running the current template (a rollout in progress has fewer). */
  updatedReplicas: number;
  /**
   * An opaque version of what was read. Passed back to `scale`, an implementation may refuse to
   * scale (TargetError 'Conflict') when the target changed since: the decision was based on a
   * replica count that no longer holds. Implementations without versions return undefined.
   */
  version?: string;
}

export type TargetErrorCode = 'NotFound' | 'Conflict' | 'Forbidden' | 'Invalid' | 'Unavailable';

/**
 * Implementations may throw this class or any Error with `name === 'TargetError'` and a `code`
 * from TargetErrorCode (e.g. @laas/local restates it to avoid depending on this package):
 * callers test with `isTargetError`, never `instanceof`.
 */
export class TargetError extends Error {
  override readonly name = 'TargetError';
  constructor(
    readonly code: TargetErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export interface ScaleTarget {
  /** For logs and events, e.g. "deployment/images". */
  readonly description: string;
  /** Reads the current state. Throws TargetError. */
  get(): Promise<TargetState>;
  /** Sets the replica count. Throws TargetError ('Conflict' when `version` is stale). */
  scale(replicas: number, version?: string): Promise<void>;
}

/** True for a TargetError of this package or of any implementation that restates it. */
export function isTargetError(error: unknown): error is Error & { code: TargetErrorCode } {
  const codes: readonly string[] = ['NotFound', 'Conflict', 'Forbidden', 'Invalid', 'Unavailable'];
  if (!(error instanceof Error) || error.name !== 'TargetError') return false;
  const code: unknown = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' && codes.includes(code);
}
