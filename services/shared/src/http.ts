import express, { type RequestHandler } from 'express';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { unsupportedMediaType } from './errors.js';

/** Default request body limit: 16 KiB is far more than any laas request needs. */
export const BODY_LIMIT_BYTES = 16 * 1024;

/** Whether a request carries a body (RFC 9112 §6.3: chunked, or a Content-Length above 0). */
export const hasBody = (headers: { 'content-length'?: string; 'transfer-encoding'?: string }): boolean =>
  headers['transfer-encoding'] !== undefined ||
  (headers['content-length'] !== undefined && headers['content-length'] !== '0');

/**
 * JSON bodies only: a body of another type is refused with 415 before anything reads it, and a
 * body over the limit with 413 (body-parser stops reading at the limit).
 */
export function jsonBody(limitBytes: number = BODY_LIMIT_BYTES): RequestHandler[] {
  const requireJson: RequestHandler = (req, _res, next) => {
    if (hasBody(req.headers) && !req.is('application/json')) {
      next(
        unsupportedMediaType(
          `expected Content-Type: application/json, got ${req.headers['content-type'] ?? 'none'}`,
        ),
      );
      return;
    }
    next();
  };
  return [requireJson, express.json({ limit: limitBytes, strict: true })];
}

const VALID_REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Keeps a well-formed incoming x-request-id, or makes one; sets it on the request and the response. */
export function assignRequestId(
  req: IncomingMessage,
  res: ServerResponse,
  generate: () => string = randomUUID,
): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming) ? incoming : generate();
  req.headers['x-request-id'] = id;
  res.setHeader('x-request-id', id);
  return id;
}

/** Keeps a well-formed incoming x-request-id, or makes one; echoes it on the response. */
export function requestId(generate: () => string = randomUUID): RequestHandler {
  return (req, res, next) => {
    assignRequestId(req, res, generate);
    next();
  };
}
