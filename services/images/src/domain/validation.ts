import { badRequest } from '@laas/shared';
import { judgeHost } from './public-host.js';

/** The longest image URL accepted: the de-facto limit of browsers and CDNs. */
export const MAX_URL_LENGTH = 2048;

const WHOLE_NUMBER = /^[0-9]{1,16}$/;

/**
 * Reads `count` from a parsed query string. Absent → null (a single image). Anything but one
 * plain whole number in [1, max] is refused: `count=abc`, `count=1e9`, `count=-1`, `count=0`,
 * a repeated `count`, and bracketed forms like `count[]=1` that some parsers turn into arrays.
 */
export function parseCount(query: Record<string, unknown>, max: number): number | null {
  // A plain loop, not `find` with a callback: this runs on every GET /random.
  for (const key in query) {
    if (key.startsWith('count[')) {
      throw badRequest('invalid_count', `"${key}" is not supported: pass count once, as a whole number`);
    }
  }
  const raw = query['count'];
  if (raw === undefined) return null;
  if (typeof raw !== 'string') {
    throw badRequest('invalid_count', 'count must be given once, as a whole number');
  }
  if (!WHOLE_NUMBER.test(raw)) {
    throw badRequest(
      'invalid_count',
      `count must be a whole number between 1 and ${max}, got "${raw.slice(0, 32)}"`,
    );
  }
  const count = Number(raw);
  if (count < 1 || count > max) {
    throw badRequest('count_out_of_range', `count must be between 1 and ${max}, got ${count}`, {
      details: { min: 1, max },
    });
  }
  return count;
}

/**
 * Validates an upload body `{"url": "..."}` and returns the normalised absolute URL: https, to a
 * public host (domain/public-host.ts). Only a string is ever used in a query, so
 * `{"url": {"$gt": ""}}` cannot become an operator.
 */
export function parseImageUpload(body: unknown): string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('invalid_body', 'the body must be a JSON object like {"url": "https://..."}');
  }
  const unknown = Object.keys(body).filter((key) => key !== 'url');
  if (unknown.length > 0) {
    throw badRequest('unknown_field', `unknown field(s): ${unknown.join(', ')}; only "url" is accepted`);
  }
  const url: unknown = (body as Record<string, unknown>)['url'];
  if (url === undefined) throw badRequest('missing_url', 'the body must have a "url" field');
  if (typeof url !== 'string') throw badRequest('invalid_url', '"url" must be a string');
  if (url.length > MAX_URL_LENGTH) {
    throw badRequest('url_too_long', `"url" must be at most ${MAX_URL_LENGTH} characters, got ${url.length}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw badRequest('invalid_url', '"url" must be an absolute https URL');
  }
  // Pages are served over https in production, and a browser does not load http pictures into
  // an https page (mixed content); over http, anyone on the way could change the picture.
  if (parsed.protocol === 'http:') {
    throw badRequest('url_not_https', '"url" must use https, got http');
  }
  if (parsed.protocol !== 'https:') {
    throw badRequest('invalid_url', `"url" must use https, got ${parsed.protocol.replace(/:$/, '')}`);
  }
  const host = judgeHost(parsed.hostname);
  if (!host.public) {
    throw badRequest(
      'url_not_public',
      `"url" must point to a public host (every visitor's browser loads it): ${host.reason}`,
    );
  }
  if (parsed.href.length > MAX_URL_LENGTH) {
    throw badRequest('url_too_long', `"url" must be at most ${MAX_URL_LENGTH} characters once normalised`);
  }
  return parsed.href;
}

const IMAGE_ID = /^(0|[1-9][0-9]{0,14})$/;

/** Image ids are non-negative integers (dense, see catalog.ts). */
export function parseImageId(raw: string): number {
  if (!IMAGE_ID.test(raw))
    throw badRequest('invalid_id', `image ids are whole numbers, got "${raw.slice(0, 32)}"`);
  return Number(raw);
}
