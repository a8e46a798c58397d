import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decideLimits } from '@laas/experiment';

const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

const LIMITED = { version: 'v2', cpu: true, reasons: [] } as const;
const NOT_DELEGATED = {
  version: 'v2',
  cpu: false,
  reasons: ["/sys/fs/cgroup/user.slice/x.scope, this user's cgroup (v2), is not delegated to uid 1000"],
} as const;
const NO_CGROUPS = {
  version: 'none',
  cpu: false,
  reasons: ['no cgroup v1 cpu controller and no cgroup2 file system is mounted'],
} as const;

describe('whether the experiment may report a scaling figure', () => {
  test.each([
    {
      what: 'the local target where replicas can be CPU-limited',
      target: 'local',
      support: LIMITED,
      allow: false,
      run: true,
      unlimited: false,
    },
    {
      what: 'the cluster target on a machine without cgroups (the kubelet limits)',
      target: 'cluster',
      support: NO_CGROUPS,
      allow: false,
      run: true,
      unlimited: false,
    },
    {
      what: 'the minikube target without a delegated cgroup',
      target: 'minikube',
      support: NOT_DELEGATED,
      allow: false,
      run: true,
      unlimited: false,
    },
    {
      what: 'the local target with --allow-unlimited where nothing limits CPU, marked unlimited',
      target: 'local',
      support: NOT_DELEGATED,
      allow: true,
      run: true,
      unlimited: true,
    },
  ] as const)('runs: $what', ({ target, support, allow, run, unlimited }) => {
    expect(decideLimits({ target, support, allowUnlimited: allow })).toMatchObject({ run, unlimited });
  });

  test.each([
    { what: 'no delegation', support: NOT_DELEGATED, reason: 'is not delegated to uid 1000' },
    {
      what: 'no cgroup at all (macOS, a bare container)',
      support: NO_CGROUPS,
      reason: 'no cgroup2 file system is mounted',
    },
  ])('refuses the local target with $what, naming the reason and the alternatives', ({ support, reason }) => {
    const decision = decideLimits({ target: 'local', support, allowUnlimited: false });
    expect(decision).toMatchObject({ run: false, code: 'NoCpuLimit' });
    const message = decision.run ? '' : decision.message;
    expect(message).toContain(reason);
    for (const alternative of [
      '--target cluster',
      '--target minikube',
      'systemd-run --user --scope -p Delegate=yes',
      '--allow-unlimited',
    ])
      expect(message).toContain(alternative);
  });
});

describe('npm start where nothing can limit CPU', () => {
  test('exits with code 2 and the refusal before starting anything, writing no report', async () => {
    const out = mkdtempSync(join(tmpdir(), 'laas-refusal-'));
    // LAAS_CGROUP_ROOT points the probe at folders that do not exist: no controller is writable.
    const child = spawn(process.execPath, [MAIN, '--replicas', '1', '--out', join(out, 'run')], {
      env: { ...process.env, LAAS_CGROUP_ROOT: '/nonexistent/cgroup' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise<number | null>((resolveExit) => child.once('exit', resolveExit));
      expect(code).toBe(2);
      expect(stderr).toContain('refusing to report a scaling figure');
      // v1: "…/cpu is not a writable cgroup v1 cpu controller"; v2: "… is not writable" (root)
      // or "… is not delegated to uid N" (a user).
      expect(stderr).toMatch(
        /\/nonexistent\/cgroup\S* .*is not (a writable cgroup v1 cpu controller|writable|delegated)/,
      );
      expect(stderr).toContain('--target cluster');
      expect(readdirSync(out)).toEqual([]);
      // Nothing was started: the run's first line ("replicas 1 at ...") and FerretDB's never came.
      expect(stdout).not.toMatch(/replicas 1 at|FerretDB on/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(out, { recursive: true, force: true });
    }
    // The command loads its modules before it decides: 2 s here, about 90 s in the emulated guest
    // (tools/guest).
  }, 300_000);
});
