import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';
import type { Counter, Histogram } from 'prom-client';
import { AppError, hasBody, payloadTooLarge, type Logger } from '@laas/shared';

/**
 * Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the message: never
 * forwarded in either direction. `host` is set by the pool for the upstream, and `expect` is
 * answered by Node itself. Content-Length is end-to-end and passes through unchanged.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'expect',
  'http2-settings',
]);

/** Identity headers the gateway sets from a verified token; never trusted from a client. */
export const IDENTITY_HEADERS = ['x-auth-user-id', 'x-auth-user-email'] as const;

/** Names listed in a Connection header are hop-by-hop too (e.g. "Connection: close, x-secret"). */
function connectionTokens(value: string | string[] | undefined): Set<string> | null {
  // Nearly every message says just "keep-alive" (images' answers do, each one): no names to drop.
  if (value === undefined || value === 'keep-alive' || value === 'close') return null;
  const names = (Array.isArray(value) ? value.join(',') : value)
    .split(',')
    .map((t) => t.trim().toLowerCase());
  return new Set(names.filter((n) => n !== '' && n !== 'close' && n !== 'keep-alive'));
}

export function forwardableHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = connectionTokens(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name) || named?.has(name)) continue;
    out[name] = value;
  }
  return out;
}

export interface UpstreamOptions {
  name: string;
  baseUrl: string;
  timeoutMs: number;
  connections: number;
  bodyLimitBytes: number;
  /** Requests sent to this upstream and not yet answered; one more answers 503 upstream_busy. */
  maxInFlight: number;
  latency: Histogram<'upstream' | 'status_code'>;
  /** gateway_upstream_retries_total: every second attempt, by upstream and reason. */
  retries: Counter<'upstream' | 'reason'>;
  /** Each retry is logged at warn with the request id, so a retry is never silent. */
  logger: Logger;
}

/**
 * An idempotent request without a body whose connection failed before any answer byte is sent
 * once more, on another connection. The case it is for: a pod that is draining closes its idle
 * keep-alive connections (SIGTERM, after preStop), and a request the gateway wrote on one of them
 * at that same moment meets a reset or "other side closed". Measured in the lab cluster: 1 request
 * in 1,200 at 20 RPS while two images pods were evicted one after the other. The second attempt
 * opens a new connection, which kube-proxy no longer sends to the leaving pod (its endpoint went at
 * deletion, 5 s of preStop earlier). As nginx's proxy_next_upstream and Envoy's retry policy do,
 * only methods that RFC 9110 §9.2.2 calls idempotent are repeated, and only once: a POST may have
 * been acted on, and a second failure means the upstream is really down. Every retry is counted
 * (gateway_upstream_retries_total) and logged, so a drain regression shows instead of hiding
 * behind a retry. Never when the client has gone: nobody would read the answer.
 */
const MAX_ATTEMPTS = 2;
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
/** Connection-level failures, by the reason label they are counted under. */
const RETRY_REASONS: Readonly<Record<string, string>> = {
  UND_ERR_SOCKET: 'socket_closed',
  ECONNRESET: 'connection_reset',
  ECONNREFUSED: 'connection_refused',
  EPIPE: 'broken_pipe',
};

/** The reason label of a connection-level failure, or null when the failure is not one. */
export function retryReason(err: unknown): string | null {
  return RETRY_REASONS[String((err as { code?: unknown } | null)?.code)] ?? null;
}

/**
 * One upstream service behind a pool of keep-alive connections (undici). Requests and
 * responses pass through without being parsed (a request body is read whole as bytes, see
 * readBody; a response is streamed): the gateway never parses a JSON body it only forwards,
 * which is what made the scaling thesis's gateway the bottleneck.
 */
export class Upstream {
  private readonly pool: Pool;
  private readonly basePath: string;
  /** The latency histogram's child per status code, so a request builds no label object. */
  private readonly latencyByStatus = new Map<number, { observe(seconds: number): void }>();
  private inFlight = 0;

  constructor(private readonly options: UpstreamOptions) {
    const base = new URL(options.baseUrl);
    this.basePath = base.pathname.replace(/\/$/, '');
    this.pool = new Pool(base.origin, {
      connections: options.connections,
      // An idle socket is kept for what the upstream announces (Keep-Alive: timeout=N, less
      // undici's 2 s margin) up to 60 s, or 4 s when it announces nothing (below Node's server
      // default of 5 s), so the gateway never reuses a socket the upstream is closing. The laas
      // services announce 65 s: sockets opened for a burst then outlive a lull of up to 60 s, where
      // a 4 s cap made the gateway reconnect (measured: 15 connects per 4,000 requests at a
      // steady 400 RPS on a loaded machine, each a TCP handshake on both sides).
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: Math.min(options.timeoutMs, 5_000),
    });
  }

  get name(): string {
    return this.options.name;
  }

  /**
   * Forwards `req` to `path` (path and query, already rewritten) and streams the answer back.
   * Resolves once the answer is complete (or the client went away); rejects with the AppError to
   * answer when the upstream failed before the status line was sent.
   */
  forward(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    extraHeaders: Record<string, string>,
  ): Promise<void> {
    const headers = forwardableHeaders(req.headers);
    const remote = req.socket.remoteAddress;
    if (remote !== undefined) {
      const prior = req.headers['x-forwarded-for'];
      headers['x-forwarded-for'] = prior ? `${String(prior)}, ${remote}` : remote;
    }
    headers['x-forwarded-proto'] ??= (req.socket as TLSSocket).encrypted ? 'https' : 'http';
    if (req.headers.host !== undefined) headers['x-forwarded-host'] ??= req.headers.host;
    for (const name in extraHeaders) headers[name] = extraHeaders[name]!;

    if (!hasBody(req.headers)) return this.send(req, res, headers, path, null);
    return readBody(req, this.options.bodyLimitBytes).then((body) =>
      this.send(req, res, headers, path, body),
    );
  }

  private send(
    req: IncomingMessage,
    res: ServerResponse,
    headers: Record<string, string | string[]>,
    path: string,
    body: Buffer | null,
  ): Promise<void> {
    const { name, maxInFlight } = this.options;
    if (this.inFlight >= maxInFlight) {
      // A bounded wait instead of an unbounded queue: undici would queue every request the pool
      // cannot send yet, and past a few hundred queued the answers come too late to be of use.
      return Promise.reject(
        new AppError(
          503,
          'upstream_busy',
          `the ${name} service has too many requests waiting; try again shortly`,
          {
            headers: { 'retry-after': '1' },
          },
        ),
      );
    }
    this.inFlight++;
    const request = { method: req.method as 'GET', path: this.basePath + path, headers, body };
    const repeatable = body === null && IDEMPOTENT.has(req.method ?? 'GET');
    return new Promise<void>((resolve, reject) => {
      const settled = (): void => void this.inFlight--;
      const done = (): void => {
        settled();
        resolve();
      };
      const failed = (err: AppError): void => {
        settled();
        reject(err);
      };
      const dispatch = (attempt: number): void => {
        const again =
          repeatable && attempt < MAX_ATTEMPTS
            ? (reason: string, err: Error) => {
                this.retried(req, reason, err);
                dispatch(attempt + 1);
              }
            : null;
        this.pool.dispatch(request, new Forwarding(this, res, done, failed, again));
      };
      dispatch(1);
    });
  }

  private retried(req: IncomingMessage, reason: string, err: Error): void {
    const { name, retries, logger } = this.options;
    retries.inc({ upstream: name, reason });
    logger.warn(
      { requestId: req.headers['x-request-id'], upstream: name, reason, method: req.method, err },
      `retrying a ${req.method} on a new connection: the ${name} connection failed before any answer`,
    );
  }

  /** Records the time from forwarding to the upstream's answer (or failure), by status. */
  observe(status: number, start: bigint): void {
    const child = this.latencyByStatus.get(status) ?? this.latencyChild(status);
    child.observe(Number(process.hrtime.bigint() - start) / 1e9);
  }

  private latencyChild(status: number): { observe(seconds: number): void } {
    const child = this.options.latency.labels({ upstream: this.options.name, status_code: String(status) });
    this.latencyByStatus.set(status, child);
    return child;
  }

  /** The answer to a failure before the status line was sent. */
  mapError(err: unknown): AppError {
    const code = (err as { code?: unknown } | null)?.code;
    // Not logged here: the pipeline's answerError logs every 5xx once, with this error as cause.
    const { name, timeoutMs } = this.options;
    if (
      code === 'UND_ERR_HEADERS_TIMEOUT' ||
      code === 'UND_ERR_BODY_TIMEOUT' ||
      code === 'UND_ERR_CONNECT_TIMEOUT'
    ) {
      return new AppError(
        504,
        'upstream_timeout',
        `the ${name} service did not answer within ${timeoutMs} ms`,
        {
          cause: err,
        },
      );
    }
    if (code === 'UND_ERR_ABORTED' || (err as Error | null)?.name === 'AbortError') {
      // The client disconnected first: nobody will read this answer.
      return new AppError(499, 'client_closed_request', 'the client closed the connection');
    }
    return new AppError(
      502,
      'upstream_unavailable',
      `the ${name} service is unreachable; try again shortly`,
      {
        headers: { 'retry-after': '1' },
        cause: err,
      },
    );
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * One forwarded request, as undici's dispatch handler: the upstream's status and headers are
 * copied onto `res` and its body written into it as it arrives. This is undici's `stream()` without
 * its wrapping (an AsyncResource, a `finished()` with its listeners and a callback per request):
 * measured in the gateway's CPU profile (`npm run profile:gateway -w @laas/experiment`), that wrapping was
 * the largest share of the forward's own JavaScript. Backpressure: when `res` is full the
 * upstream is paused until it drains. If the client goes away mid-answer, `res` closes and the
 * upstream request is aborted; a client that leaves before the upstream answers is bounded by
 * the upstream timeout.
 */
class Forwarding implements Dispatcher.DispatchHandler {
  private readonly start = process.hrtime.bigint();
  /** Headers copied from the upstream: removed again if the answer fails before its first byte. */
  private copied: string[] | null = null;
  private done = false;

  constructor(
    private readonly upstream: Upstream,
    private readonly res: ServerResponse,
    private readonly resolve: () => void,
    private readonly reject: (err: AppError) => void,
    /** Sends the request once more, when it may be (see MAX_ATTEMPTS); null when it may not. */
    private readonly again: ((reason: string, err: Error) => void) | null,
  ) {}

  // Present so that undici treats this as a handler of its current interface (it wraps one
  // without it as a legacy handler); there is nothing to do before the upstream answers.
  onRequestStart(): void {}

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    if (statusCode < 200) return; // 1xx: informational, the final answer follows
    const { res } = this;
    if (res.destroyed) {
      // The client left while the upstream was working: nobody reads this answer.
      controller.abort(new ClientGone());
      return;
    }
    this.upstream.observe(statusCode, this.start);
    res.statusCode = statusCode;
    const named = connectionTokens(headers.connection);
    const copied: string[] = [];
    for (const header in headers) {
      const value = headers[header];
      if (value === undefined || HOP_BY_HOP.has(header) || named?.has(header)) continue;
      // The pipeline's CORS may have set "Vary: Origin" already: keep it next to the upstream's.
      const prior = header === 'vary' ? res.getHeader('vary') : undefined;
      res.setHeader(header, prior === undefined ? value : `${String(prior)}, ${String(value)}`);
      copied.push(header);
    }
    this.copied = copied;
    res.once('close', () => {
      if (!this.done) controller.abort(new ClientGone());
    });
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.res.write(chunk)) return;
    controller.pause();
    this.res.once('drain', () => controller.resume());
  }

  onResponseEnd(): void {
    this.done = true;
    this.res.end();
    this.resolve();
  }

  onResponseError(_controller: Dispatcher.DispatchController | undefined, err: Error): void {
    this.done = true;
    const { res } = this;
    // Before any answer byte (copied is set with the upstream's status line), with the client
    // still there, on a connection-level failure only.
    const reason = this.again !== null && this.copied === null && !res.destroyed ? retryReason(err) : null;
    if (reason !== null) {
      this.again!(reason, err);
      return;
    }
    if (res.headersSent) {
      // The client went away, or the upstream broke off mid-body: the status line is sent, so
      // all that is left is to close the connection.
      res.destroy();
      this.resolve();
      return;
    }
    // Failed between the upstream's headers and its first byte: drop what was copied, so the
    // error answer does not carry the upstream's Content-Length or Content-Type.
    if (this.copied !== null) for (const header of this.copied) res.removeHeader(header);
    const mapped = this.upstream.mapError(err);
    this.upstream.observe(mapped.status, this.start);
    this.reject(mapped);
  }
}

/** The reason a forwarding is aborted when its client closed the connection. */
class ClientGone extends Error {
  override name = 'AbortError';
}

/**
 * The request body, read in full before the upstream is asked (as nginx's proxy_request_buffering
 * does): a client trickling its body then holds only its own connection to the gateway, never one
 * of the pool's connections to the upstream, and the listener's body timeout cuts it. Bodies are
 * at most GATEWAY_BODY_LIMIT (16 KiB): a declared length over it is refused before a byte is read,
 * a chunked body once it passes it (the rest is read and dropped, so the 413 can be answered).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = (): AppError => payloadTooLarge(`the request body is too large (limit ${limit} bytes)`);
  const declared = req.headers['content-length'];
  if (declared !== undefined && req.headers['transfer-encoding'] === undefined && Number(declared) > limit)
    return Promise.reject(tooLarge());
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen > limit) {
        req.off('data', onData);
        req.resume();
        reject(tooLarge());
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, seen)));
    req.once('close', () => {
      if (!req.complete)
        reject(
          new AppError(
            499,
            'client_closed_request',
            'the client closed the connection before its body was sent',
          ),
        );
    });
  });
}
