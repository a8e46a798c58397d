import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  makeTempDir,
  removeTempDir,
  spawnServer,
  toolPath,
  waitFor,
  waitUntilReady,
} from '../src/index.js';

/** Running: a zombie (killed, not yet reaped by whoever inherited it) is dead for our purpose. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('toolPath', () => {
  const saved = process.env.LAAS_TOOLS_BIN;
  afterEach(() => {
    if (saved === undefined) delete process.env.LAAS_TOOLS_BIN;
    else process.env.LAAS_TOOLS_BIN = saved;
  });

  test('finds a pinned tool in tools/bin', () => {
    expect(toolPath('kube-apiserver')).toMatch(/tools\/bin\/kube-apiserver$/);
  });

  test('tells you to run `npm run tools` when a tool is missing', () => {
    const empty = makeTempDir('empty-bin');
    try {
      process.env.LAAS_TOOLS_BIN = empty;
      expect(() => toolPath('ferretdb')).toThrow(/ferretdb is not installed .*run `npm run tools`/);
    } finally {
      removeTempDir(empty);
    }
  });
});

describe('waitFor', () => {
  test('returns the first value the check produces', async () => {
    let calls = 0;
    const value = await waitFor(() => (++calls >= 3 ? `after ${calls}` : undefined), {
      what: 'three calls',
      intervalMs: 1,
    });
    expect(value).toBe('after 3');
  });

  test('names what it waited for and the last error when it times out', async () => {
    const failing = waitFor(
      () => {
        throw new Error('connection refused');
      },
      { what: 'the llama to wake up', timeoutMs: 50, intervalMs: 10 },
    );
    await expect(failing).rejects.toThrow(
      /waiting for the llama to wake up \(last check: connection refused\)/,
    );
  });
});

describe('freePort', () => {
  test('returns a loopback port nobody listens on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(1024);
    expect(port).toBeLessThan(65536);
  });
});

describe('spawnServer', () => {
  test('fails readiness at once, quoting the log, when the process exits', async () => {
    const dir = makeTempDir('harness');
    const server = spawnServer({
      name: 'grumpy',
      command: 'sh',
      args: ['-c', 'echo "bind: address already in use" >&2; exit 3'],
      logPath: join(dir, 'grumpy.log'),
    });
    const started = Date.now();

    await expect(waitUntilReady(server, async () => false, 'grumpy to be ready', 20_000)).rejects.toThrow(
      /grumpy did not become ready: .*grumpy exited with code 3[\s\S]*bind: address already in use/,
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    await server.stop();
  });

  test('stop() kills the whole process group, grandchildren included', async () => {
    const dir = makeTempDir('harness');
    const pidFile = join(dir, 'grandchild.pid');
    const server = spawnServer({
      name: 'parent',
      command: 'sh',
      // Written then renamed: the shell creates the file before `echo` fills it, and a read in
      // between saw "" (Number("") is 0, a pid that is never alive; CI failed on it once).
      args: ['-c', `sleep 300 & echo $! > ${pidFile}.tmp; mv ${pidFile}.tmp ${pidFile}; trap '' TERM; wait`],
      logPath: join(dir, 'parent.log'),
    });
    const grandchild = await waitFor(
      () => (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined),
      {
        what: 'the grandchild pid',
      },
    );
    expect(isAlive(grandchild)).toBe(true);

    await server.stop(500);

    expect(server.exitStatus()).toMatch(/killed by SIG(TERM|KILL)|exited/);
    // SIGKILL is delivered at once, but a loaded machine may take a moment to run the kill.
    await waitFor(() => !isAlive(grandchild), { what: 'the grandchild to die', timeoutMs: 5_000 });
    expect(isAlive(grandchild)).toBe(false);
  });
});
