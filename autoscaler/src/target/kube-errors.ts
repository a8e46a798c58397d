import { TargetError, isTargetError } from './types.js';
import type { TargetErrorCode } from './types.js';

/** The HTTP status of an error thrown by @kubernetes/client-node (ApiException.code), if any. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Maps a client error to a TargetError; programmer errors (no HTTP status) are rethrown as is. */
export function toTargetError(error: unknown, what: string): TargetError {
  if (isTargetError(error)) return new TargetError(error.code, error.message);
  const status = statusOf(error);
  const byStatus: Record<number, TargetErrorCode> = {
    404: 'NotFound',
    409: 'Conflict',
    403: 'Forbidden',
    401: 'Forbidden',
    422: 'Invalid',
  };
  const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
  if (status !== undefined)
    return new TargetError(byStatus[status] ?? 'Unavailable', `${what}: HTTP ${status}: ${message}`);
  // Network errors (ECONNREFUSED, reset) have no status: the API server is unavailable.
  return new TargetError('Unavailable', `${what}: ${message}`);
}
