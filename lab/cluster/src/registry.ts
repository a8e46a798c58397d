import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { clusterLayout, MAX_INSTANCES } from './layout.js';
import type { SavedSysctls } from './host/sysctls.js';

/**
 * Machine-wide claims on instance numbers, one file per instance in /run/laas-lab/ (tmpfs: it
 * disappears at reboot, together with every namespace, cgroup and mount it describes). Several
 * worktrees can each run a cluster at once; one state folder always maps to one instance.
 */
export const REGISTRY_DIR = process.env.LAAS_LAB_REGISTRY || '/run/laas-lab';

export interface InstanceClaim {
  instance: number;
  /** Absolute state folder of the cluster that holds the claim. */
  stateDir: string;
  /** ISO time of the claim. */
  claimedAt: string;
  /** The process that ran `up` (alive while `up` runs, before any daemon exists). */
  launcherPid?: number;
  /** Machine-wide sysctls before the kubelet started (restored by `down`). */
  sysctls?: SavedSysctls;
  /** First pids of the daemons, by component name (`status` reads the supervisor's; cleanup goes by cgroup). */
  pids?: Record<string, number>;
}

const claimPath = (instance: number): string => join(REGISTRY_DIR, `${instance}.json`);

export function readClaim(instance: number): InstanceClaim | undefined {
  try {
    return JSON.parse(readFileSync(claimPath(instance), 'utf8')) as InstanceClaim;
  } catch {
    return undefined;
  }
}

export function allClaims(): InstanceClaim[] {
  let names: string[] = [];
  try {
    names = readdirSync(REGISTRY_DIR);
  } catch {
    return [];
  }
  return names
    .map((name) => /^(\d+)\.json$/.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map((n) => readClaim(Number(n)))
    .filter((c): c is InstanceClaim => c !== undefined);
}

export function claimForStateDir(stateDir: string): InstanceClaim | undefined {
  const wanted = resolve(stateDir);
  return allClaims().find((c) => resolve(c.stateDir) === wanted);
}

/**
 * Claims a free instance number for `stateDir` (atomically: the claim file is created with O_EXCL,
 * so two launchers never get the same number). `isAlive` says whether another state folder's
 * claim still has running processes; a dead claim is handed to `reclaim` (cleanup) and reused.
 */
export async function claimInstance(
  stateDir: string,
  isAlive: (claim: InstanceClaim) => boolean,
  reclaim: (claim: InstanceClaim) => Promise<void>,
): Promise<InstanceClaim> {
  mkdirSync(REGISTRY_DIR, { recursive: true });
  for (let instance = 0; instance < MAX_INSTANCES; instance++) {
    const existing = readClaim(instance);
    if (existing) {
      if (isAlive(existing)) continue;
      await reclaim(existing);
      releaseClaim(instance);
    }
    const claim: InstanceClaim = {
      instance,
      stateDir: resolve(stateDir),
      claimedAt: new Date().toISOString(),
      launcherPid: process.pid,
    };
    try {
      writeFileSync(claimPath(instance), `${JSON.stringify(claim, null, 2)}\n`, { flag: 'wx' });
      clusterLayout(instance);
      return claim;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw error;
    }
  }
  throw new Error(
    `all ${MAX_INSTANCES} lab cluster instances are in use (see ${REGISTRY_DIR}/*.json); run \`npm run cluster -- down\` in one of their folders`,
  );
}

export function updateClaim(claim: InstanceClaim): void {
  writeFileSync(claimPath(claim.instance), `${JSON.stringify(claim, null, 2)}\n`);
}

export function releaseClaim(instance: number): void {
  rmSync(claimPath(instance), { force: true });
}
