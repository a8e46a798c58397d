import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JSONWebKeySet, type JWTPayload } from 'jose';
import {
  AppError,
  localTokenKeys,
  remoteTokenKeys,
  tokenVerifier,
  type TokenKeys,
  type VerifiedToken,
} from '../src/index.js';

// The one table of what the token verifier (used by auth and the gateway) accepts and refuses.
// The clock is injected: "now" is T0 unless a row checks the token later.
const T0 = Date.parse('2026-03-01T12:00:00Z');
const iat = T0 / 1000;
const PAIR = generateKeyPairSync('ed25519');
const OTHER = generateKeyPairSync('ed25519');
const KID = 'key-1';
const publicJwk = async (key: typeof PAIR.publicKey, kid: string) => ({
  ...(await exportJWK(key)),
  kid,
  alg: 'EdDSA',
  use: 'sig',
});
const JWKS: JSONWebKeySet = { keys: [await publicJwk(PAIR.publicKey, KID)] };
const KEYS = localTokenKeys(JWKS);
/** The public key's bytes, as an attacker would use them for an HMAC "signature". */
const PUBLIC_AS_SECRET = new TextEncoder().encode(JSON.stringify(JWKS.keys[0]));
const SKEW = 30;
const TTL = 600;

interface Claims extends JWTPayload {
  email?: unknown;
}
const standard: Claims = {
  sub: '0123456789abcdef01234567',
  email: 'tok@example.com',
  iss: 'laas-auth',
  aud: 'laas',
  iat,
  exp: iat + TTL,
};

/** Signs `standard` with `changes` applied; a change to undefined removes the claim. */
const sign = (
  changes: Claims = {},
  alg = 'EdDSA',
  key: Parameters<SignJWT['sign']>[0] = PAIR.privateKey,
  kid: string | null = KID,
): Promise<string> => {
  const claims: Claims = { ...standard, ...changes };
  for (const name of Object.keys(changes)) if (changes[name] === undefined) delete claims[name];
  return new SignJWT(claims)
    .setProtectedHeader({ alg, typ: 'JWT', ...(kid === null ? {} : { kid }) })
    .sign(key);
};
const bearer = async (token: Promise<string> | string): Promise<string> => `Bearer ${await token}`;

const tamper = async (part: 'payload' | 'signature'): Promise<string> => {
  const [h, p, s] = (await sign()).split('.');
  if (part === 'signature') return `${h}.${p}.${s!.startsWith('A') ? 'B' : 'A'}${s!.slice(1)}`;
  const claims = JSON.parse(Buffer.from(p!, 'base64url').toString()) as Claims;
  const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
  return `${h}.${forged}.${s}`;
};

type Row = [
  label: string,
  header: () => Promise<string | undefined>,
  secondsAfterT0: number,
  outcome: string,
];

const rows: Row[] = [
  ['a fresh token', () => bearer(sign()), 0, 'accepted'],
  ['a token with the scheme in lower case', async () => `bearer ${await sign()}`, 0, 'accepted'],
  ['a token 1 s before exp', () => bearer(sign()), TTL - 1, 'accepted'],
  ['a token past exp but within the clock skew', () => bearer(sign()), TTL + SKEW - 1, 'accepted'],
  ['a token past exp and the clock skew', () => bearer(sign()), TTL + SKEW, 'token_expired'],
  [
    'a token issued by a clock running ahead, within the skew',
    () => bearer(sign({ iat: iat + 20 })),
    0,
    'accepted',
  ],
  [
    'a token issued further in the future than the skew',
    () => bearer(sign({ iat: iat + SKEW + 1 })),
    0,
    'invalid_token',
  ],
  [
    'a token not valid before a time beyond the skew (nbf)',
    () => bearer(sign({ nbf: iat + SKEW + 1 })),
    0,
    'invalid_token',
  ],
  ['a token with nbf within the skew', () => bearer(sign({ nbf: iat + 10 })), 0, 'accepted'],
  ['a token with alg none', () => bearer(new UnsecuredJWT(standard).encode()), 0, 'invalid_token'],
  [
    'a token signed HS256 with the public key as its secret',
    () => bearer(sign({}, 'HS256', PUBLIC_AS_SECRET)),
    0,
    'invalid_token',
  ],
  [
    'a token signed RS256',
    async () => bearer(sign({}, 'RS256', (await generateKeyPair('RS256')).privateKey)),
    0,
    'invalid_token',
  ],
  [
    'a token signed by another key under the known kid',
    () => bearer(sign({}, 'EdDSA', OTHER.privateKey)),
    0,
    'invalid_token',
  ],
  ['a token without a kid', () => bearer(sign({}, 'EdDSA', PAIR.privateKey, null)), 0, 'invalid_token'],
  [
    'a token with an unknown kid',
    () => bearer(sign({}, 'EdDSA', PAIR.privateKey, 'key-9')),
    0,
    'invalid_token',
  ],
  ['a token with a tampered payload', () => bearer(tamper('payload')), 0, 'invalid_token'],
  ['a token with a tampered signature', () => bearer(tamper('signature')), 0, 'invalid_token'],
  ['a token from another issuer', () => bearer(sign({ iss: 'evil' })), 0, 'invalid_token'],
  ['a token for another audience', () => bearer(sign({ aud: 'other' })), 0, 'invalid_token'],
  ['a token without sub', () => bearer(sign({ sub: undefined })), 0, 'invalid_token'],
  ['a token with an empty sub', () => bearer(sign({ sub: '' })), 0, 'invalid_token'],
  ['a token without email', () => bearer(sign({ email: undefined })), 0, 'invalid_token'],
  ['a token with an empty email', () => bearer(sign({ email: '' })), 0, 'invalid_token'],
  ['a token whose email is not a string', () => bearer(sign({ email: 42 })), 0, 'invalid_token'],
  ['a token without exp', () => bearer(sign({ exp: undefined })), 0, 'invalid_token'],
  ['a token without iat', () => bearer(sign({ iat: undefined })), 0, 'invalid_token'],
  ['no Authorization header', () => Promise.resolve(undefined), 0, 'missing_token'],
  ['an empty Authorization header', () => Promise.resolve(''), 0, 'missing_token'],
  ['another scheme (Basic)', () => Promise.resolve('Basic dXNlcjpwYXNz'), 0, 'invalid_token'],
  ['"Bearer" without a token', () => Promise.resolve('Bearer '), 0, 'invalid_token'],
  ['two tokens', async () => `Bearer ${await sign()} ${await sign()}`, 0, 'invalid_token'],
  ['a token that is not a JWT', () => Promise.resolve('Bearer garbage'), 0, 'invalid_token'],
];

describe('tokenVerifier (EdDSA with a kid, issuer laas-auth, audience laas, 30 s skew, hand-set clock)', () => {
  const table = rows.map(([label, header, after, outcome]) => ({ label, header, after, outcome }));
  test.each(table)('$label: $outcome', async ({ header, after, outcome }) => {
    const verifier = tokenVerifier({
      keys: KEYS,
      issuer: 'laas-auth',
      audience: 'laas',
      clockSkewSeconds: SKEW,
      clock: () => T0 + after * 1000,
    });
    const result = await verifier.verifyHeader(await header()).then(
      (verified: VerifiedToken) => verified,
      (err: unknown) => err,
    );
    if (outcome === 'accepted') {
      expect(result).toMatchObject({
        userId: standard.sub,
        email: standard.email,
        claims: { sub: standard.sub, email: standard.email },
      });
      return;
    }
    expect(result).toBeInstanceOf(AppError);
    const error = result as AppError;
    expect({ status: error.status, code: error.code }).toEqual({ status: 401, code: outcome });
    expect(error.headers?.['www-authenticate']).toMatch(/^Bearer/);
  });
});

describe('the verifier remembers tokens it accepted, and still checks their time on every use', () => {
  let now = T0;
  const verifier = () =>
    tokenVerifier({
      keys: KEYS,
      issuer: 'laas-auth',
      audience: 'laas',
      clockSkewSeconds: SKEW,
      clock: () => now,
    });
  afterEach(() => {
    now = T0;
  });

  test('a second check of an accepted token answers the remembered result', async () => {
    const v = verifier();
    const header = await bearer(sign());
    const first = await v.verifyHeader(header);
    now = T0 + 60_000;
    expect(await v.verifyHeader(header)).toBe(first);
  });

  test.each([
    ['past exp and the skew', 'token_expired', TTL + SKEW],
    ['before its nbf minus the skew (a clock stepped back)', 'invalid_token', -SKEW - 1],
  ])('an accepted token checked again %s is refused: %s', async (_label, code, after) => {
    const v = verifier();
    const token = await sign({ nbf: iat });
    await v.verify(token);
    now = T0 + after * 1000;
    await expect(v.verify(token)).rejects.toMatchObject({ status: 401, code });
  });

  test('with cacheSize 1, a third token evicts the first, which is then checked in full again', async () => {
    const v = tokenVerifier({
      keys: KEYS,
      issuer: 'laas-auth',
      audience: 'laas',
      clockSkewSeconds: SKEW,
      clock: () => now,
      cacheSize: 1,
    });
    const [a, b] = [await sign({ sub: 'a' }), await sign({ sub: 'b' })];
    const first = await v.verify(a);
    await v.verify(b);
    expect(await v.verify(a)).not.toBe(first);
    expect(await v.verify(a)).toMatchObject({ userId: 'a' });
  });
});

describe("keys fetched from auth's JWKS document: cached, refetched for an unknown kid, bounded", () => {
  // A real HTTP server playing auth's /.well-known/jwks.json; its document changes as keys rotate.
  let document: JSONWebKeySet = JWKS;
  let status = 200;
  let fetches = 0;
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    server = http.createServer((_req, res) => {
      fetches++;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(document));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    document = JWKS;
    status = 200;
    fetches = 0;
  });

  const verifierOf = (keys: TokenKeys) =>
    tokenVerifier({
      keys,
      issuer: 'laas-auth',
      audience: 'laas',
      clockSkewSeconds: SKEW,
      clock: () => T0,
      cacheSize: 0,
    });

  test('tokens of the old and the new key are both accepted during a rotation, the new kid fetched once', async () => {
    const v = verifierOf(remoteTokenKeys(url, { cooldownMs: 0 }));
    await v.verify(await sign());
    expect(fetches).toBe(1);
    document = { keys: [await publicJwk(OTHER.publicKey, 'key-2'), ...JWKS.keys] };
    await expect(v.verify(await sign({}, 'EdDSA', OTHER.privateKey, 'key-2'))).resolves.toMatchObject({
      userId: standard.sub,
    });
    await expect(v.verify(await sign())).resolves.toMatchObject({ userId: standard.sub });
    expect(fetches).toBe(2);
  });

  test('a flood of made-up kids refetches at most once per cooldown, and each is refused', async () => {
    const v = verifierOf(remoteTokenKeys(url, { cooldownMs: 60_000 }));
    await v.verify(await sign());
    for (let i = 0; i < 20; i++) {
      await expect(v.verify(await sign({}, 'EdDSA', OTHER.privateKey, `made-up-${i}`))).rejects.toMatchObject(
        {
          status: 401,
          code: 'invalid_token',
        },
      );
    }
    expect(fetches).toBe(1);
  });

  test.each([
    ['answers 500', () => void (status = 500)],
    ['is not a JWKS', () => void (document = { nope: true } as unknown as JSONWebKeySet)],
  ])(
    'when the document %s, a token answers 503 token_keys_unavailable, not a 401',
    async (_label, breakIt) => {
      breakIt();
      const v = verifierOf(remoteTokenKeys(url));
      await expect(v.verify(await sign())).rejects.toMatchObject({
        status: 503,
        code: 'token_keys_unavailable',
      });
    },
  );

  test('a failed fetch is not remembered: once the document answers again, the next token passes', async () => {
    const v = verifierOf(remoteTokenKeys(url));
    status = 500;
    await expect(v.verify(await sign())).rejects.toMatchObject({ status: 503 });
    status = 200;
    await expect(v.verify(await sign())).resolves.toMatchObject({ userId: standard.sub });
  });

  test('when nothing listens at the address, a token answers 503 token_keys_unavailable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const v = verifierOf(remoteTokenKeys(`http://127.0.0.1:${port}/.well-known/jwks.json`));
    await expect(v.verify(await sign())).rejects.toMatchObject({
      status: 503,
      code: 'token_keys_unavailable',
    });
  });
});
