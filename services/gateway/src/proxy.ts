import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { Transform, type Readable } from 'node:stream';
import { Pool } from 'undici';
import type { Histogram } from 'prom-client';
import { AppError, hasBody, payloadTooLarge } from '@laas/shared';

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
  if (value === undefined) return null;
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
  latency: Histogram<'upstream' | 'status_code'>;
}

/**
 * A bodiless GET or HEAD whose connection failed before any answer is sent once more, on another
 * connection. The case it is for: a pod that is draining closes its idle keep-alive connections
 * (SIGTERM, after preStop), and a request the gateway wrote on one of them at that same moment
 * meets a reset or "other side closed". Seen in the lab cluster before this retry: 1 failed
 * request in 1,200 at 20 RPS while two images pods were evicted one after the other (the
 * gateway's log of it was not kept, so this race is the likely cause, not a proven one); none in
 * the runs since (cluster/test/load.test.ts). The second attempt opens a new
 * connection, which kube-proxy no longer sends to the leaving pod (its endpoint went at deletion,
 * 5 s of preStop earlier). Writes are never repeated: the upstream may have acted on them.
 */
const MAX_ATTEMPTS = 2;
const RETRIABLE_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE']);

function retriable(method: string | undefined, err: unknown): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return RETRIABLE_CODES.has(String((err as { code?: unknown } | null)?.code));
}

/** A body larger than the limit, found while streaming a body of unknown length. */
class BodyTooLarge extends Error {}

/**
 * One upstream service behind a pool of keep-alive connections (undici). Requests and
 * responses are streamed through without being parsed: the gateway never reads a JSON body it
 * only forwards, which is what made the scaling thesis's gateway the bottleneck.
 */
export class Upstream {
  private readonly pool: Pool;
  private readonly basePath: string;

  constructor(private readonly options: UpstreamOptions) {
    const base = new URL(options.baseUrl);
    this.basePath = base.pathname.replace(/\/$/, '');
    this.pool = new Pool(base.origin, {
      connections: options.connections,
      // Idle sockets are kept 4 s at most unless the upstream says less (Keep-Alive: timeout=),
      // below Node's server default of 5 s, so the gateway never reuses a socket the upstream is
      // closing.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 4_000,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      connectTimeout: Math.min(options.timeoutMs, 5_000),
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** Forwards `req` to `path` (path and query, already rewritten) and streams the answer back. */
  async forward(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    extraHeaders: Record<string, string>,
  ): Promise<void> {
    const { bodyLimitBytes, latency, name } = this.options;
    const headers = forwardableHeaders(req.headers);
    const remote = req.socket.remoteAddress;
    if (remote !== undefined) {
      const prior = req.headers['x-forwarded-for'];
      headers['x-forwarded-for'] = prior ? `${String(prior)}, ${remote}` : remote;
    }
    headers['x-forwarded-proto'] ??= (req.socket as TLSSocket).encrypted ? 'https' : 'http';
    if (req.headers.host !== undefined) headers['x-forwarded-host'] ??= req.headers.host;
    Object.assign(headers, extraHeaders);

    const body = requestBody(req, bodyLimitBytes);
    const start = process.hrtime.bigint();
    const observe = (status: number): void => {
      latency.observe(
        { upstream: name, status_code: String(status) },
        Number(process.hrtime.bigint() - start) / 1e9,
      );
    };

    // `stream` (not `request`): undici writes the upstream body straight into `res`, with no
    // intermediate Readable and no pipeline: the cheapest way through on a quarter of a core.
    // If the client goes away, undici sees `res` close and aborts the upstream request; a
    // client that leaves before the upstream answers is bounded by the upstream timeout.
    const copied: string[] = [];
    let answered = false;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.pool.stream(
          { method: req.method as 'GET', path: this.basePath + path, headers, body },
          ({ statusCode, headers: answer }) => {
            answered = true;
            observe(statusCode);
            res.statusCode = statusCode;
            const connectionNamed = connectionTokens(answer['connection']);
            for (const header in answer) {
              const value = answer[header];
              if (value === undefined || HOP_BY_HOP.has(header) || connectionNamed?.has(header)) continue;
              // The pipeline's CORS may have set "Vary: Origin" already: keep it next to the upstream's.
              const prior = header === 'vary' ? res.getHeader('vary') : undefined;
              res.setHeader(header, prior === undefined ? value : `${String(prior)}, ${String(value)}`);
              copied.push(header);
            }
            return res;
          },
        );
        return;
      } catch (err) {
        if (attempt < MAX_ATTEMPTS && !answered && body === null && retriable(req.method, err)) continue;
        if (res.headersSent) {
          // The client went away, or the upstream broke off mid-body: the status line is sent,
          // so all that is left is to close the connection.
          res.destroy();
          return;
        }
        // Failed between the upstream's headers and its first byte: drop what was copied, so the
        // error answer does not carry the upstream's Content-Length or Content-Type.
        for (const header of copied) res.removeHeader(header);
        const mapped = this.mapError(err, body);
        observe(mapped.status);
        throw mapped;
      }
    }
  }

  private mapError(err: unknown, body: Readable | null): AppError {
    if (err instanceof BodyTooLarge || (body as { tooLarge?: boolean } | null)?.tooLarge) {
      return payloadTooLarge(`the request body is too large (limit ${this.options.bodyLimitBytes} bytes)`);
    }
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
 * The request body as a stream for undici, or null. With a Content-Length the limit is checked
 * before anything is sent (Node's parser never delivers more bytes than declared); a chunked
 * body is counted as it streams and cut at the limit.
 */
function requestBody(req: IncomingMessage, limit: number): Readable | null {
  if (!hasBody(req.headers)) return null;
  const declared = req.headers['content-length'];
  if (declared !== undefined && req.headers['transfer-encoding'] === undefined) {
    if (Number(declared) > limit)
      throw payloadTooLarge(`the request body is too large (limit ${limit} bytes)`);
    return req;
  }
  let seen = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) {
        (counter as { tooLarge?: boolean }).tooLarge = true;
        callback(new BodyTooLarge());
        return;
      }
      callback(null, chunk);
    },
  });
  req.pipe(counter);
  return counter;
}
