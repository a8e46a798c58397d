import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, isAppError, type ErrorBody } from './errors.js';
import type { Logger } from './logger.js';

/** Errors of the MongoDB driver that mean "the database is unreachable", not "your query is wrong". */
const UNAVAILABLE_DRIVER_ERRORS = new Set([
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
]);

/** body-parser's error types, mapped to what a client should be told. */
const BODY_ERRORS: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'malformed_json', 'the request body is not valid JSON'],
  'entity.too.large': [413, 'payload_too_large', 'the request body is too large'],
  'encoding.unsupported': [415, 'unsupported_encoding', 'the request body encoding is not supported'],
  'charset.unsupported': [415, 'unsupported_charset', 'the request body charset is not supported'],
  'request.aborted': [400, 'request_aborted', 'the request body was not received in full'],
  'request.size.invalid': [400, 'bad_request', 'the request body length does not match Content-Length'],
};

/** Turns anything thrown into an AppError; unknown errors become null (a programmer error). */
export function toAppError(err: unknown): AppError | null {
  if (isAppError(err)) return err;
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { name?: unknown; type?: unknown; limit?: unknown };
  if (typeof e.type === 'string' && e.type in BODY_ERRORS) {
    const [status, code, message] = BODY_ERRORS[e.type]!;
    const detail =
      e.type === 'entity.too.large' && typeof e.limit === 'number' ? ` (limit ${e.limit} bytes)` : '';
    return new AppError(status, code, message + detail);
  }
  if (typeof e.name === 'string' && UNAVAILABLE_DRIVER_ERRORS.has(e.name)) {
    return new AppError(503, 'database_unavailable', 'the database is unreachable; try again shortly', {
      headers: { 'retry-after': '1' },
      cause: err,
    });
  }
  return null;
}

/** What an error answers: status, headers and the JSON body. Pure, so non-Express handlers share it. */
export function errorResponse(
  err: unknown,
  requestId: string | undefined,
): { status: number; headers: Record<string, string>; body: ErrorBody; expected: boolean } {
  const appError = toAppError(err);
  const body: ErrorBody = appError
    ? {
        error: {
          code: appError.code,
          message: appError.message,
          ...(appError.details ? { details: appError.details } : {}),
        },
      }
    : { error: { code: 'internal_error', message: 'an unexpected error occurred' } };
  if (requestId !== undefined) body.error.requestId = requestId;
  return {
    status: appError?.status ?? 500,
    headers: appError?.headers ?? {},
    body,
    expected: appError !== null,
  };
}

/** What a log line says about an error's cause (an upstream's ECONNREFUSED): never its stack. */
function describeCause(cause: unknown): { code?: unknown; message?: unknown } | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const { code, message } = cause as { code?: unknown; message?: unknown };
  return { code, message };
}

/**
 * The one place where errors become responses, for Express apps (through errorHandler) and
 * plain node:http handlers (the gateway's pipeline) alike. Operational errors (AppError and the
 * known library errors above) answer with their status and code, and those of 500 and above are
 * logged once as a warning with their code and cause; anything else is a bug: logged with its
 * stack, answered 500 without internals. After the status line is sent, all that is left is to
 * close the connection.
 */
export function answerError(err: unknown, req: IncomingMessage, res: ServerResponse, logger: Logger): void {
  const requestId = res.getHeader('x-request-id');
  const answer = errorResponse(err, typeof requestId === 'string' ? requestId : undefined);
  const url = (req as { originalUrl?: string }).originalUrl ?? req.url;
  if (!answer.expected) logger.error({ err, method: req.method, url }, 'unhandled error');
  else if (answer.status >= 500)
    logger.warn(
      {
        code: answer.body.error.code,
        method: req.method,
        url,
        cause: describeCause((err as { cause?: unknown }).cause),
      },
      answer.body.error.message,
    );
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...answer.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

/** Express's error middleware: answerError. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    answerError(err, req, res, logger);
  };
}

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new AppError(404, 'route_not_found', `no route for ${req.method} ${req.path}`));
};
