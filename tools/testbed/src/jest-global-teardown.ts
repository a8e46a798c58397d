import type { TestbedGlobals } from './jest-global-setup.js';

/**
 * Stops what the global setup started. Jest loads this file on its own (compiled to CommonJS,
 * without our `.js` → `.ts` mapping), so it imports nothing at run time: the servers' `stop`
 * functions are on globalThis, under the key the setup used.
 */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as unknown as Record<string, TestbedGlobals | undefined>;
  const globals = holder.__laasTestbed ?? {};
  const servers = [globals.kube, globals.mongo];
  globals.kube = undefined;
  globals.mongo = undefined;
  await Promise.all(servers.map((server) => server?.stop()));
}
