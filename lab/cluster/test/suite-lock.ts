import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One lab-cluster suite at a time on this machine. Jest runs test files in parallel workers, and
 * two suites each with a cluster of their own would see each other: lab-cluster.test.ts compares
 * the whole machine before `up` and after `down`, and numbers its restarted instance, so another
 * suite's cluster coming or going mid-run reads as a leak. The lock is a folder holding the
 * owner's pid; a folder whose owner is dead (a killed run) is taken over. It lives outside the
 * checkout because the machine is what is shared: two clones (or git worktrees) each running the
 * suite would otherwise each hold a lock of their own and still see each other's clusters.
 */
const LOCK_DIR = join(tmpdir(), 'laas-lab-suite.lock');

function ownerAlive(): boolean {
  try {
    const pid = Number(readFileSync(join(LOCK_DIR, 'pid'), 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * How long a lab suite waits for the lock. The three suites hold it for about 5 (lab-cluster),
 * 8 (chart) and 13 (load) minutes on a loaded 2-core machine, so the last of them in line may
 * wait ~21 minutes; 45 leaves room for a slower machine without hanging CI for ever.
 */
export const LAB_SUITE_LOCK_TIMEOUT_MS = 45 * 60_000;

export async function lockLabSuite(timeoutMs: number): Promise<() => void> {
  const waitingSince = Date.now();
  const deadline = waitingSince + timeoutMs;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(join(LOCK_DIR, 'pid'), String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A folder without a pid file yet is an owner between mkdir and write: give it a moment.
      if (!ownerAlive() && Date.now() - waitingSince > 2_000) {
        rmSync(LOCK_DIR, { recursive: true, force: true });
        continue;
      }
    }
    if (Date.now() > deadline)
      throw new Error(`another lab-cluster suite held ${LOCK_DIR} for ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
