import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this long. Default 30 s. */
  timeoutMs?: number;
  /** Pause between attempts. Default 100 ms. */
  intervalMs?: number;
  /** What we wait for, for the error message ("FerretDB to accept connections"). */
  what: string;
  /** Checked before each attempt; a returned string aborts the wait with that reason (e.g. "the process exited"). */
  abortIf?: () => string | undefined;
}

/**
 * Calls `check` until it returns a value other than undefined/false, and returns that value.
 * A throw from `check` counts as "not yet"; the last one is quoted in the timeout error.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    const aborted = options.abortIf?.();
    if (aborted !== undefined) {
      throw new Error(
        `gave up waiting for ${options.what}: ${aborted}${lastError ? ` (last check: ${lastError})` : ''}`,
      );
    }
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      lastError = '';
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${options.what}${lastError ? ` (last check: ${lastError})` : ''}`,
      );
    }
    await sleep(intervalMs);
  }
}
