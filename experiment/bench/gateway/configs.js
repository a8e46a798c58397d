// The gateway configurations both benchmarks measure, and the headers k6 or the load loop sends
// with each, so that every request takes the steps the configuration switches on.
import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, SignJWT } from 'jose';

export const ORIGIN = 'https://laas.example';

/**
 * A fresh Ed25519 key, its JWKS (the gateway fetches it as it would auth's), a token signed
 * with it (valid 6 hours: longer than any run), and the
 * configurations:
 *   default     GATEWAY_AUTH=writes, no CORS, no rate limit (reads need no token)
 *   cors+limit  CORS_ORIGINS and GATEWAY_RATE_LIMIT set; requests carry Origin and
 *               X-Forwarded-For, so each takes the CORS and rate-limit steps (the limit is far
 *               above any offered rate: this measures the cost of the check, not refusals)
 *   auth=all    GATEWAY_AUTH=all; requests carry a valid token
 */
export async function benchConfigs() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'bench', alg: 'EdDSA', use: 'sig' }] };
  const iat = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ email: 'bench@example.com' })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: 'bench' })
    .setSubject('0123456789abcdef01234567')
    .setIssuer('laas-auth')
    .setAudience('laas')
    .setIssuedAt(iat)
    .setExpirationTime(iat + 6 * 3600)
    .sign(privateKey);
  const configs = {
    default: { env: { GATEWAY_AUTH: 'writes' }, headers: {} },
    'cors+limit': {
      env: {
        GATEWAY_AUTH: 'writes',
        CORS_ORIGINS: ORIGIN,
        GATEWAY_RATE_LIMIT: '1000000',
        GATEWAY_RATE_WINDOW_S: '1',
      },
      headers: { origin: ORIGIN, 'x-forwarded-for': '198.51.100.7' },
    },
    'auth=all': { env: { GATEWAY_AUTH: 'all' }, headers: { authorization: `Bearer ${token}` } },
    // The control (not a gateway): a bare forward, see bare-forward.js. Not in the default list.
    bare: { env: {}, headers: {}, main: 'bare-forward.js' },
  };
  return { jwks, configs };
}

/** The names in a comma-separated --configs option, each checked. */
export function chosenConfigs(option, configs) {
  const names = option.split(',').map((n) => n.trim());
  for (const name of names)
    if (!(name in configs)) throw new Error(`unknown config ${name}: use ${Object.keys(configs).join(', ')}`);
  return names;
}
