import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { isRunning, logTail } from './daemons.js';
import type { Daemon } from './daemons.js';

/** The status and body of GET url (self-signed serving certificates accepted: health endpoints only). */
export function httpGet(url: string, timeoutMs = 2_000): Promise<{ status: number; body: string }> {
  return new Promise((resolveResponse, reject) => {
    const target = new URL(url);
    const requester = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = requester(target, { agent: false, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () =>
        resolveResponse({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** A component that did not become ready: names it, its log and the log's last lines. */
export class ComponentError extends Error {
  constructor(
    readonly component: string,
    readonly reason: string,
    readonly logPath?: string,
  ) {
    super(
      `lab cluster: ${component} ${reason}` +
        (logPath ? `\n--- log: ${logPath} (last lines) ---\n${logTail(logPath)}` : ''),
    );
    this.name = 'ComponentError';
  }
}

export interface ReadyOptions {
  /** The component, for the error ("kubelet"). */
  component: string;
  /** What is awaited, for the error ("/healthz on 198.19.255.2:10248"). */
  what: string;
  timeoutMs: number;
  intervalMs?: number;
  /** When given, the wait fails at once if this process exits, and the error quotes its log. */
  daemon?: Daemon;
  logPath?: string;
}

/**
 * Calls `check` until it returns true (a throw counts as "not yet"), at most `timeoutMs`.
 * Bounded: every wait of `up` goes through here, so a stuck component fails with its name,
 * what was awaited, the last check's error and the tail of its log.
 */
export async function waitReady(check: () => Promise<boolean>, options: ReadyOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const logPath = options.logPath ?? options.daemon?.logPath;
  let last = '';
  for (;;) {
    if (options.daemon && !isRunning(options.daemon.pid)) {
      throw new ComponentError(options.component, `exited while waiting for ${options.what}`, logPath);
    }
    try {
      if (await check()) return;
      last = '';
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() >= deadline) {
      throw new ComponentError(
        options.component,
        `not ready after ${Math.round(options.timeoutMs / 1000)} s: waited for ${options.what}${last ? ` (last check: ${last})` : ''}`,
        logPath,
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}
