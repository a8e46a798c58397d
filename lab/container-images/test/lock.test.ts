import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withLock } from '../src/lock.js';

describe('the output folder lock', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'laas-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('runs two callers one after the other, never both at once', async () => {
    const events: string[] = [];
    const body = (name: string) => async () => {
      events.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 50));
      events.push(`${name} out`);
    };
    const fast = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.min(ms, 20)));
    await Promise.all([withLock(dir, 5000, body('a'), fast), withLock(dir, 5000, body('b'), fast)]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
  });

  test('takes over a lock whose owner died (a killed run)', async () => {
    mkdirSync(join(dir, '.lock'));
    // pid 2^22 + 1 is above the kernel's pid_max ceiling, so no process has it.
    writeFileSync(join(dir, '.lock', 'pid'), String(4_194_305));
    await expect(withLock(dir, 2000, async () => 'ran')).resolves.toBe('ran');
  });

  test('gives up after its timeout while a live process holds the lock, naming it', async () => {
    mkdirSync(join(dir, '.lock'));
    writeFileSync(join(dir, '.lock', 'pid'), String(process.pid));
    await expect(
      withLock(
        dir,
        100,
        async () => 'ran',
        () => new Promise((r) => setTimeout(r, 30)),
      ),
    ).rejects.toThrow(`held by pid ${process.pid}`);
  });
});
