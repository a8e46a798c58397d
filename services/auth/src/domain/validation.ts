import { badRequest } from '@laas/shared';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
export const EMAIL_MAX = 254;
export const NAME_MAX = 100;

/** Pragmatic, not RFC 5322: one @, something on both sides, a dot in the domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

export interface Registration {
  email: string;
  password: string;
  name: string | undefined;
}

export interface Credentials {
  email: string;
  password: string;
}

function asObject(body: unknown, allowed: string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest(
      'invalid_body',
      `the body must be a JSON object with ${allowed.map((k) => `"${k}"`).join(', ')}`,
    );
  }
  const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
  if (unknown.length > 0) {
    throw badRequest(
      'unknown_field',
      `unknown field(s): ${unknown.join(', ')}; accepted: ${allowed.join(', ')}`,
    );
  }
  return body as Record<string, unknown>;
}

/**
 * Emails are compared lower-cased. Only a string ever reaches a query, so
 * `{"email": {"$ne": null}}` is refused here and can never become an operator.
 */
export function parseEmail(value: unknown): string {
  if (value === undefined) throw badRequest('missing_email', 'the body must have an "email" field');
  if (typeof value !== 'string') throw badRequest('invalid_email', '"email" must be a string');
  if (value.length > EMAIL_MAX)
    throw badRequest('invalid_email', `"email" must be at most ${EMAIL_MAX} characters`);
  if (!EMAIL.test(value)) throw badRequest('invalid_email', '"email" must look like name@example.com');
  return value.toLowerCase();
}

/** Length in characters (code points), so an emoji counts once. */
export function parsePassword(value: unknown): string {
  if (value === undefined) throw badRequest('missing_password', 'the body must have a "password" field');
  if (typeof value !== 'string') throw badRequest('invalid_password', '"password" must be a string');
  const length = [...value].length;
  if (length < PASSWORD_MIN) {
    throw badRequest('password_too_short', `"password" must be at least ${PASSWORD_MIN} characters`, {
      details: { min: PASSWORD_MIN },
    });
  }
  if (length > PASSWORD_MAX) {
    throw badRequest('password_too_long', `"password" must be at most ${PASSWORD_MAX} characters`, {
      details: { max: PASSWORD_MAX },
    });
  }
  return value;
}

export function parseRegistration(body: unknown): Registration {
  const fields = asObject(body, ['email', 'password', 'name']);
  const email = parseEmail(fields['email']);
  const password = parsePassword(fields['password']);
  const name = fields['name'];
  if (name !== undefined) {
    if (typeof name !== 'string' || name.trim().length === 0 || name.length > NAME_MAX) {
      throw badRequest('invalid_name', `"name" must be a non-empty string of at most ${NAME_MAX} characters`);
    }
  }
  return { email, password, name: name === undefined ? undefined : name.trim() };
}

export function parseCredentials(body: unknown): Credentials {
  const fields = asObject(body, ['email', 'password']);
  return { email: parseEmail(fields['email']), password: parsePassword(fields['password']) };
}
