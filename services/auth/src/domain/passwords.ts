import argon2 from 'argon2';

/** Hashes and checks passwords. An interface so the cost can be tuned per environment. */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export interface Argon2Options {
  /** KiB of memory per hash; OWASP's minimum for argon2id is 19456 (19 MiB) with 2 iterations. */
  memoryCost: number;
  timeCost: number;
}

/**
 * argon2id through the native `argon2` package (prebuilt binaries; the hash runs on libuv's
 * thread pool, so it does not block the event loop). The encoded hash carries its own
 * parameters and salt, so raising the cost later keeps old hashes verifiable.
 */
export function argon2Hasher(options: Argon2Options): PasswordHasher {
  // `as const` keeps `type` the literal 2 (argon2id) that the typings ask for.
  const params = {
    type: argon2.argon2id,
    memoryCost: options.memoryCost,
    timeCost: options.timeCost,
    parallelism: 1,
  } as const;
  return {
    hash: (password) => argon2.hash(password, params),
    verify: async (hash, password) => {
      try {
        return await argon2.verify(hash, password);
      } catch {
        return false;
      }
    },
  };
}

/**
 * Answers "wrong password" for unknown emails at the cost of a real check: the login of an
 * unknown email verifies against this hash of a random string, so timing does not reveal
 * which emails have accounts.
 */
export async function dummyHash(hasher: PasswordHasher): Promise<string> {
  return hasher.hash(`dummy-${Math.random().toString(36)}-${Date.now()}`);
}
