import { RateLimiter } from '@laas/shared';

/**
 * Slows password guessing without letting a guesser lock the owner out. Pure: state in memory,
 * the clock passed in by the caller. Three rules:
 *
 * - **per pair (account, address)**: `freeFailures` attempts, then an exponential backoff:
 *   the pair waits `baseDelayMs` after its `freeFailures`-th failure, doubled after each further
 *   failure, at most `maxDelayMs`. Worked numbers with 5 free, 1 s base and a 15 min cap: after
 *   the 5th failure the pair waits 1 s, after the 6th 2 s, after the 9th 16 s, after the 15th
 *   and later 15 min: about 18 guesses in the first hour, then 4 an hour. The owner at another
 *   address is not touched: their pair is another key.
 * - **per account, over all addresses** (many addresses guessing one account): failures spend a
 *   token bucket of `accountFailures` per `accountWindowMs`; once it is empty, addresses that
 *   are not familiar wait for it to refill (50 per hour: one attempt every 72 s). 50 is more than
 *   the ~18 an hour one backed-off address can make, so one guesser alone never spends it.
 * - **familiar addresses**: an address where the account logged in within `familiarMs` skips
 *   the per-account rule, so an owner who logged in from here before keeps logging in while a
 *   crowd of addresses guesses their password.
 *
 * An attempt is charged to its pair when it starts (`attempt`), so parallel guesses cannot all
 * pass before the first has failed; a success clears the pair. The per-address budget over all
 * accounts (one address trying many accounts) is a plain RateLimiter outside this class.
 */
export interface LoginThrottleOptions {
  freeFailures: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** 0 = no per-account rule. */
  accountFailures: number;
  accountWindowMs: number;
  familiarMs: number;
  /** Pairs and familiar addresses remembered at once (each). Default 100,000. */
  maxKeys?: number;
}

export type LoginRefusal = 'pair_backoff' | 'account_busy';

export type LoginCheck =
  { allowed: true } | { allowed: false; reason: LoginRefusal; retryAfterSeconds: number };

interface PairState {
  attempts: number;
  lastAt: number;
  blockedUntil: number;
}

/** A Map kept in least-recently-written order that drops its oldest entry past `max`. */
class BoundedMap<V> extends Map<string, V> {
  constructor(private readonly max: number) {
    super();
  }
  override set(key: string, value: V): this {
    super.delete(key);
    super.set(key, value);
    if (this.size > this.max) {
      const oldest = this.keys().next().value;
      if (oldest !== undefined) this.delete(oldest);
    }
    return this;
  }
}

export class LoginThrottle {
  private readonly pairs: BoundedMap<PairState>;
  private readonly familiar: BoundedMap<number>;
  private readonly accounts: RateLimiter;

  constructor(private readonly options: LoginThrottleOptions) {
    const max = options.maxKeys ?? 100_000;
    this.pairs = new BoundedMap(max);
    this.familiar = new BoundedMap(max);
    this.accounts = new RateLimiter({
      limit: options.accountFailures,
      windowMs: options.accountWindowMs,
      maxKeys: max,
    });
  }

  /** May this address try this account's password now? Charges nothing. */
  check(account: string, address: string, now: number): LoginCheck {
    const pair = this.pairs.get(pairKey(account, address));
    if (pair !== undefined && pair.blockedUntil > now) {
      return { allowed: false, reason: 'pair_backoff', retryAfterSeconds: seconds(pair.blockedUntil - now) };
    }
    if (!this.isFamiliar(account, address, now)) {
      const budget = this.accounts.peek(account, now);
      if (!budget.allowed)
        return { allowed: false, reason: 'account_busy', retryAfterSeconds: budget.retryAfterSeconds };
    }
    return { allowed: true };
  }

  /** Charges an attempt to its pair, as if it failed (`succeeded` undoes it). */
  attempt(account: string, address: string, now: number): void {
    const key = pairKey(account, address);
    const previous = this.pairs.get(key);
    // A pair quiet for longer than the longest backoff starts again from nothing.
    const fresh = previous === undefined || now - previous.lastAt > this.options.maxDelayMs;
    const attempts = fresh ? 1 : previous.attempts + 1;
    const over = attempts - this.options.freeFailures;
    const delay = over < 0 ? 0 : Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** over);
    this.pairs.set(key, { attempts, lastAt: now, blockedUntil: now + delay });
  }

  /** A wrong password: spends the account's budget, unless the address is familiar. */
  failed(account: string, address: string, now: number): void {
    // A familiar address mistyping must not shut the owner's other devices out.
    if (!this.isFamiliar(account, address, now)) this.accounts.take(account, now);
  }

  succeeded(account: string, address: string, now: number): void {
    const key = pairKey(account, address);
    this.pairs.delete(key);
    this.familiar.set(key, now);
  }

  private isFamiliar(account: string, address: string, now: number): boolean {
    const at = this.familiar.get(pairKey(account, address));
    return at !== undefined && now - at <= this.options.familiarMs;
  }
}

// A NUL cannot appear in a validated email, so the pair key is unambiguous.
const pairKey = (account: string, address: string): string => `${account}\u0000${address}`;
const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
