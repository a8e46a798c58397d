import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { cgroupsOfPid, cgroupSupport } from '@laas/local';
import { testMongoUrl, waitFor } from '@laas/testbed';

jest.setTimeout(120_000);
const LOCAL_MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
const LOCAL_INDEX = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'index.js');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A zombie is dead for our purpose.
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Pids of the replicas started by `parent` (its children running services/images/dist/main.js). */
function replicaPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === parent && cmdline.includes('services/images/dist/main.js')) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

describe('npm start (local/dist/main.js)', () => {
  test('stays up on its own processes (no timer), and on Ctrl-C (SIGINT) stops every replica, nginx and Prometheus, and removes every cgroup', async () => {
    const child = spawn(
      process.execPath,
      [LOCAL_MAIN, '--replicas', '2', '--mongo-url', testMongoUrl(), '--mongo-db', 'local_cleanup_test'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) =>
      child.once('exit', (code) => resolveExit(code)),
    );
    try {
      await waitFor(() => output.includes('Ctrl-C stops everything'), {
        what: `the local system to start:\n${output}`,
        timeoutMs: 60_000,
      });
      const pids = replicaPids(child.pid!);
      expect(pids).toHaveLength(2);
      // Each replica is in its own group: v1 in the cpu and cpuacct controllers, v2 in one folder.
      const expected = cgroupSupport().version === 'v1' ? ['cpu', 'cpuacct'] : [''];
      const groups = pids.flatMap((pid) => {
        const ours = Object.entries(cgroupsOfPid(pid)).filter(([, path]) => path.includes('/laas/'));
        expect(ours.map(([controller]) => controller)).toEqual(expect.arrayContaining(expected));
        return ours.map(([controller, path]) => join('/sys/fs/cgroup', controller, path));
      });
      for (const group of groups) expect(existsSync(group)).toBe(true);
      const nginxUrl = /ready: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)![1]!;
      // Nothing but the system's own child processes holds its event loop open.
      await new Promise((resolveWait) => setTimeout(resolveWait, 2_000));
      expect(child.exitCode).toBeNull();
      expect((await fetch(`${nginxUrl}/random?count=3`)).status).toBe(200);

      child.kill('SIGINT');
      expect(await exited).toBe(0);
      for (const pid of pids) expect(alive(pid)).toBe(false);
      for (const group of groups) expect(existsSync(group)).toBe(false);
      await expect(fetch(`${nginxUrl}/random?count=3`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  test('where cgroups are not writable, warns and runs the process without limits', async () => {
    const script = `
      const { startLimitedProcess } = await import(${JSON.stringify(LOCAL_INDEX)});
      const proc = startLimitedProcess({ name: 'probe', cmd: process.execPath, args: ['-e', 'setTimeout(() => {}, 200)'], cpuMillis: 250 });
      console.log(JSON.stringify({ limited: proc.limited, pid: proc.pid > 0 }));
      await proc.stop();
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, LAAS_CGROUP_ROOT: '/nonexistent/cgroup' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
    expect(code).toBe(0);
    expect(JSON.parse(stdout.trim())).toEqual({ limited: false, pid: true });
    expect(stderr).toMatch(
      /warning: running probe without a CPU limit: .*(not a writable cgroup v1 cpu controller|is not writable|is not delegated)/,
    );
  });
});
