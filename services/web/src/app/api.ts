import type { ScalingReport } from './scaling-types.js';

/** An error as the API words it: `{"error": {"code", "message"}}`, or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface Account {
  email: string;
  token: string;
  expiresAt: string;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

/**
 * One call to the gateway. Paths are relative (`api/...`), so the page works wherever it is
 * served from, including under a path prefix of an ingress.
 */
async function call<T>(
  method: string,
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers['authorization'] = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
  } catch (err) {
    throw new ApiError(0, 'network_error', `the gateway could not be reached (${String(err)})`);
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text === '' ? null : JSON.parse(text);
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data as ErrorBody | null)?.error;
    throw new ApiError(
      response.status,
      typeof error?.code === 'string' ? error.code : `http_${response.status}`,
      typeof error?.message === 'string' ? error.message : text.slice(0, 200) || response.statusText,
    );
  }
  return data as T;
}

export const api = {
  random: (count: number) =>
    call<{ message: string[] }>('GET', `api/images/random?count=${encodeURIComponent(String(count))}`),
  // Register answers the same for a new and a taken email (no token), so the page logs in after.
  register: async (email: string, password: string) => {
    await call<{ message: string }>('POST', 'api/auth/register', { body: { email, password } });
    return api.login(email, password);
  },
  login: (email: string, password: string) =>
    call<{ token: string; expiresAt: string }>('POST', 'api/auth/login', { body: { email, password } }),
  upload: (url: string, token: string) =>
    call<{ id: number; url: string; createdAt: string }>('POST', 'api/images', { body: { url }, token }),
  scaling: () => call<ScalingReport>('GET', 'api/scaling'),
};
