/**
 * Typed application errors. Anything thrown that is an AppError is "operational": an expected
 * outcome with a status code and a machine-readable code that the central error handler turns
 * into `{"error": {"code", "message"}}`. Anything else is a programmer error: logged in full,
 * answered with a bland 500 that leaks nothing.
 */
export class AppError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  /** Extra response headers, e.g. Retry-After for 429 and 503. */
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }
}

type Options = ConstructorParameters<typeof AppError>[3];

export const badRequest = (code: string, message: string, options?: Options): AppError =>
  new AppError(400, code, message, options);
export const unauthorized = (code: string, message: string, options?: Options): AppError =>
  new AppError(401, code, message, options);
export const forbidden = (code: string, message: string, options?: Options): AppError =>
  new AppError(403, code, message, options);
export const notFound = (code: string, message: string, options?: Options): AppError =>
  new AppError(404, code, message, options);
export const conflict = (code: string, message: string, options?: Options): AppError =>
  new AppError(409, code, message, options);
export const payloadTooLarge = (message: string): AppError => new AppError(413, 'payload_too_large', message);
export const unsupportedMediaType = (message: string): AppError =>
  new AppError(415, 'unsupported_media_type', message);
export const tooManyRequests = (message: string, retryAfterSeconds: number): AppError =>
  new AppError(429, 'rate_limited', message, { headers: { 'retry-after': String(retryAfterSeconds) } });
export const serviceUnavailable = (code: string, message: string, options?: Options): AppError =>
  new AppError(503, code, message, { ...options, headers: { 'retry-after': '1', ...options?.headers } });

export const isAppError = (err: unknown): err is AppError => err instanceof AppError;

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown>; requestId?: string };
}
