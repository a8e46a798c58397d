import { LOOPBACK_PROXIES, TrustedProxies, parseCidrs } from './trusted-proxies.js';

/**
 * Configuration read from the environment once, at boot, against a declared schema. Every bad
 * variable is reported at once, by name, so `PORT=abc MONGO_URL=` fails with both problems
 * instead of the first one and a crash later.
 */
export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

/** One variable: its name, documentation and a parser that returns a value or a problem. */
export interface Setting<T> {
  env: string;
  doc: string;
  parse(raw: string | undefined): { value: T } | { problem: string };
}

const ok = <T>(value: T) => ({ value });
const bad = (problem: string) => ({ problem });

export function str(env: string, doc: string, opts: { default?: string } = {}): Setting<string> {
  return {
    env,
    doc,
    parse: (raw) => {
      if (raw !== undefined && raw !== '') return ok(raw);
      if (opts.default !== undefined) return ok(opts.default);
      return bad('is required');
    },
  };
}

export function optionalStr(env: string, doc: string): Setting<string | undefined> {
  return { env, doc, parse: (raw) => ok(raw === '' ? undefined : raw) };
}

export function int(
  env: string,
  doc: string,
  opts: { default?: number; min?: number; max?: number } = {},
): Setting<number> {
  return {
    env,
    doc,
    parse: (raw) => {
      if (raw === undefined || raw === '') {
        return opts.default === undefined ? bad('is required') : ok(opts.default);
      }
      if (!/^-?\d+$/.test(raw.trim())) return bad(`must be an integer, got "${raw}"`);
      const n = Number(raw);
      if (!Number.isSafeInteger(n)) return bad(`must be an integer, got "${raw}"`);
      if (opts.min !== undefined && n < opts.min) return bad(`must be >= ${opts.min}, got ${n}`);
      if (opts.max !== undefined && n > opts.max) return bad(`must be <= ${opts.max}, got ${n}`);
      return ok(n);
    },
  };
}

/** An integer that may be left unset (undefined), checked like int() when set. */
export function optionalInt(
  env: string,
  doc: string,
  opts: { min?: number; max?: number } = {},
): Setting<number | undefined> {
  const parser = int(env, doc, opts);
  return { env, doc, parse: (raw) => (raw === undefined || raw === '' ? ok(undefined) : parser.parse(raw)) };
}

export function oneOf<const T extends string>(
  env: string,
  doc: string,
  values: readonly T[],
  def?: T,
): Setting<T> {
  return {
    env,
    doc,
    parse: (raw) => {
      if (raw === undefined || raw === '') return def === undefined ? bad('is required') : ok(def);
      return (values as readonly string[]).includes(raw)
        ? ok(raw as T)
        : bad(`must be one of ${values.join('|')}, got "${raw}"`);
    },
  };
}

export function url(
  env: string,
  doc: string,
  opts: { default?: string; protocols?: string[] } = {},
): Setting<string> {
  return {
    env,
    doc,
    parse: (raw) => {
      const value = raw === undefined || raw === '' ? opts.default : raw;
      if (value === undefined) return bad('is required');
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        return bad(`must be a URL, got "${value}"`);
      }
      if (opts.protocols && !opts.protocols.includes(parsed.protocol)) {
        return bad(`must use ${opts.protocols.join(' or ')}, got "${parsed.protocol}"`);
      }
      return ok(value);
    },
  };
}

/**
 * A comma-separated list of CIDRs whose X-Forwarded-For is believed; `none` trusts nobody.
 * Every bad entry is named at boot (`TRUST_PROXY "10.0.0.0/33": the prefix length must be 0..32`).
 */
export function trustedProxies(env: string, doc: string, def: string): Setting<TrustedProxies> {
  return {
    env,
    doc,
    parse: (raw) => {
      const value = raw === undefined || raw.trim() === '' ? def : raw;
      if (value.trim() === 'none') return ok(new TrustedProxies([]));
      return parseCidrs(value);
    },
  };
}

/** TRUST_PROXY, for the services that count per client address (auth, the gateway). */
export const trustProxySetting = {
  trustProxy: trustedProxies(
    'TRUST_PROXY',
    `CIDRs of the proxies whose X-Forwarded-For names the client (the ingress and gateway pods), or none; default ${LOOPBACK_PROXIES}`,
    LOOPBACK_PROXIES,
  ),
};

/** A URL that may be left unset (then undefined); a bad one is a problem named at boot. */
export function optionalUrl(
  env: string,
  doc: string,
  opts: { protocols?: string[] } = {},
): Setting<string | undefined> {
  const required = url(env, doc, opts);
  return {
    env,
    doc,
    parse: (raw) => (raw === undefined || raw === '' ? ok(undefined) : required.parse(raw)),
  };
}

export type Schema = Record<string, Setting<unknown>>;
export type ConfigOf<S extends Schema> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export function loadConfig<S extends Schema>(schema: S, env: Env = process.env): ConfigOf<S> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [key, setting] of Object.entries(schema)) {
    const result = setting.parse(env[setting.env]);
    if ('problem' in result) problems.push(`${setting.env} ${result.problem} (${setting.doc})`);
    else out[key] = result.value;
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return out as ConfigOf<S>;
}

/**
 * What one client may hold of a service's listener: the limits `createHttpServer` (server.ts)
 * applies. Defaults fit a request of laas (headers well under 1 KiB, a body of at most 16 KiB);
 * each service's README lists them.
 */
export const serverLimitSettings = {
  headersTimeoutMs: int('HEADERS_TIMEOUT_MS', 'time to receive a request`s headers (then 408)', {
    default: 10_000,
    min: 1,
  }),
  bodyTimeoutMs: int(
    'BODY_TIMEOUT_MS',
    'time to receive a request body, extended by one second per BODY_MIN_RATE bytes received (then 408)',
    { default: 10_000, min: 1 },
  ),
  bodyMinRate: int('BODY_MIN_RATE', 'bytes per second that extend BODY_TIMEOUT_MS by one second', {
    default: 1024,
    min: 1,
  }),
  requestTimeoutMs: int(
    'REQUEST_TIMEOUT_MS',
    'time to receive a whole request, headers and body (then 408)',
    {
      default: 30_000,
      min: 1,
    },
  ),
  keepAliveTimeoutMs: int('KEEP_ALIVE_TIMEOUT_MS', 'how long an idle keep-alive connection is kept', {
    default: 65_000,
    min: 1,
  }),
  maxHeaderBytes: int('MAX_HEADER_BYTES', 'largest request line and headers (then 431)', {
    default: 16_384,
    min: 1024,
  }),
  maxConnections: int('MAX_CONNECTIONS', 'open connections per process; further ones are closed at once', {
    default: 4096,
    min: 1,
  }),
  maxConnectionsPerClient: int(
    'MAX_CONNECTIONS_PER_CLIENT',
    'open connections per client address; further ones are closed at once (0 = no limit)',
    { default: 0, min: 0 },
  ),
};

/** Settings every service shares. */
export const commonSettings = {
  ...serverLimitSettings,
  logLevel: oneOf(
    'LOG_LEVEL',
    'pino log level',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    'info',
  ),
  webConcurrency: int('WEB_CONCURRENCY', 'worker processes; 1 runs without cluster', {
    default: 1,
    min: 1,
    max: 64,
  }),
  shutdownGraceMs: int('SHUTDOWN_GRACE_MS', 'time allowed to drain in-flight requests on SIGTERM', {
    default: 10_000,
    min: 0,
  }),
  host: str('HOST', 'address to listen on', { default: '0.0.0.0' }),
};
