import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';

// Each guest boots in about 10 s, then runs the tests emulated (qemu -accel tcg, one vCPU):
// measured on 2 cores at a load average of 8-20, 120-150 s as root and 270-400 s as the user (who
// also runs the experiment's refusal): about 7 minutes for the file.
jest.setTimeout(1_200_000);
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The cgroup module's tests, run where cgroup v2 is all there is. */
const CGROUP_TESTS = [
  'lab/local/test/cgroup-backend',
  'lab/local/test/limited-process',
  'lab/local/test/cpu-accounting',
];

function guestCommand(tests: string[]): string {
  return [
    // The guest's console is a terminal: no colours, so that the summary reads as text.
    `FORCE_COLOR=0 NODE_OPTIONS=--experimental-vm-modules node node_modules/jest/bin/jest.js --ci -c tools/guest/jest.config.js --runInBand ${tests.join(' ')} 2>&1`,
    'status=$?',
    'echo "runner cgroup: $(cat /proc/self/cgroup)"',
    'exit $status',
  ].join('; ');
}

function runGuest(args: string[], tests: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolveRun) => {
    // run.sh powers the guest off after --timeout: below jest's 1 200 s for the test.
    const child = spawn(
      'bash',
      [resolve(REPO, 'tools/guest/run.sh'), '--timeout', '1100', ...args, '--', guestCommand(tests)],
      {
        cwd: REPO,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    // The serial console ends lines with \r\n, and jest there, on a terminal, writes control codes
    // (ESC [ ... letter) around its status line: both go, so that lines read as text.
    child.once('exit', (code) =>
      // eslint-disable-next-line no-control-regex -- ESC is exactly what is removed
      resolveRun({ code, output: output.replace(/\r/g, '').replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '') }),
    );
  });
}

describe('in a cgroup-v2 guest (qemu, cgroup2 alone)', () => {
  test.each([
    {
      who: 'root, in the root cgroup',
      args: [],
      tests: CGROUP_TESTS,
      runner: /runner cgroup: 0::\/\n/,
    },
    {
      // The experiment's refusal too (its command loads for about 90 s emulated: once is enough).
      who: 'uid 1000 in a cgroup delegated to it (moved by the runner to its laas-runner leaf)',
      args: ['--user'],
      tests: [...CGROUP_TESTS, 'experiment/test/limits'],
      runner: /runner cgroup: 0::\/user-1000\/laas-runner\n/,
    },
  ])(
    "as $who, the cgroup module's tests pass, the 100m loop held to a tenth of a core",
    async ({ args, tests, runner }) => {
      const { code, output } = await runGuest(args, tests);
      expect(output).toMatch(/cgroup2 controllers: .*\bcpu\b.*\bmemory\b/);
      expect(output).toMatch(/^Tests: +\d+ passed, \d+ total$/m);
      expect(output).toMatch(/100m busy loop: \d+\.\d% of a core/);
      expect(output).toMatch(runner);
      expect(code).toBe(0);
    },
  );
});
