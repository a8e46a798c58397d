import type { Account } from './api.js';

const KEY = 'laas.account';

/**
 * The signed-in account, kept for this tab only (sessionStorage): a bearer token in a tab that
 * closes is a smaller risk than one in localStorage for every tab, forever.
 */
export const session = {
  get(now = Date.now()): Account | null {
    try {
      const raw = sessionStorage.getItem(KEY);
      if (!raw) return null;
      const account = JSON.parse(raw) as Account;
      return Date.parse(account.expiresAt) > now ? account : null;
    } catch {
      return null;
    }
  },
  set(account: Account): void {
    sessionStorage.setItem(KEY, JSON.stringify(account));
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
