import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { repoRoot } from '@laas/cluster';
import { isRunning } from '../src/daemons.js';
import { nextRestart, NODE_RESTART_POLICY } from '../src/supervisor/policy.js';
import { readSupervisorStatus, unitFile, writeAtomically } from '../src/supervisor/units.js';
import type { SupervisorStatus } from '../src/supervisor/units.js';

describe('the restart policy of node daemons', () => {
  test.each([
    ['the first exit after a long run waits the initial delay', 0, 300_000, 1_000, 1],
    ['a long run ends a streak of quick exits', 5, 60_000, 1_000, 1],
    ['a second quick exit waits twice as long', 1, 2_000, 2_000, 2],
    ['a fifth quick exit waits 16 s', 4, 500, 16_000, 5],
    ['the delay stops growing at 30 s', 5, 500, 30_000, 6],
    ['a daemon that always dies at once is still retried every 30 s', 40, 10, 30_000, 41],
  ])('%s', (_label, streakBefore, ranMs, delayMs, streak) => {
    expect(nextRestart(NODE_RESTART_POLICY, streakBefore, ranMs)).toEqual({ delayMs, streak });
  });
});

describe('the supervisor (a real process, outside any cluster)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'laas-supervisor-'));
  const supervisor = spawn(
    process.execPath,
    [join(repoRoot, 'lab', 'cluster', 'dist', 'supervisor', 'main.js'), dir],
    {
      stdio: 'ignore',
    },
  );

  afterAll(() => {
    supervisor.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  async function statusWhen(
    check: (status: SupervisorStatus) => boolean,
    timeoutMs: number,
  ): Promise<SupervisorStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = readSupervisorStatus(dir);
      if (status && check(status)) return status;
      if (Date.now() > deadline) throw new Error(`status never matched: ${JSON.stringify(status)}`);
      await sleep(50);
    }
  }

  test('starts a unit written after it started, restarts it about 1 s after a SIGKILL, counts the restart and notes the exit in its log', async () => {
    const logPath = join(dir, 'sleeper.log');
    writeAtomically(
      unitFile(dir, 'sleeper'),
      JSON.stringify({ name: 'sleeper', command: 'sleep', args: ['600'], logPath }),
    );
    const first = (await statusWhen((s) => s.units.sleeper?.state === 'running', 5_000)).units.sleeper!;
    expect(first.restarts).toBe(0);
    expect(readFileSync(`/proc/${first.pid}/cmdline`, 'utf8')).toBe('sleep\u0000600\u0000');

    const killedAt = Date.now();
    process.kill(first.pid, 'SIGKILL');
    const waiting = (await statusWhen((s) => s.units.sleeper?.state === 'waiting', 2_000)).units.sleeper!;
    expect(waiting.lastExit).toMatchObject({ code: null, signal: 'SIGKILL' });
    const second = (
      await statusWhen((s) => s.units.sleeper?.restarts === 1 && s.units.sleeper.state === 'running', 5_000)
    ).units.sleeper!;
    const tookMs = Date.now() - killedAt;
    expect(second.pid).not.toBe(first.pid);
    expect(isRunning(second.pid)).toBe(true);
    expect(isRunning(first.pid)).toBe(false);
    // The policy's initial delay (1 s), plus the status polls of this test under load.
    expect(tookMs).toBeGreaterThanOrEqual(1_000);
    expect(tookMs).toBeLessThan(4_000);
    expect(readFileSync(logPath, 'utf8')).toContain(`sleeper: pid ${first.pid} exited (SIGKILL)`);
  }, 20_000);
});
