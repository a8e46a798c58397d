import { int, str } from './config.js';

/** The token settings auth (which signs) and its verifiers (the gateway) must agree on. */
export const jwtSettings = {
  issuer: str('JWT_ISSUER', 'iss claim: set by auth, required by the gateway', { default: 'laas-auth' }),
  audience: str('JWT_AUDIENCE', 'aud claim: set by auth, required by the gateway', { default: 'laas' }),
  clockSkewSeconds: int('CLOCK_SKEW_S', 'clock difference tolerated when checking iat/exp', {
    default: 30,
    min: 0,
    max: 300,
  }),
};
