import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { jest } from '@jest/globals';
import { testMongoUrl } from '@laas/testbed';
import type { ExperimentResults } from '@laas/experiment';

jest.setTimeout(300_000);
const execFileAsync = promisify(execFile);
const MAIN = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');

let out: string;
let stdout: string;
let results: ExperimentResults;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'laas-experiment-test-'));
  // Two replica counts, 2 s plateaus, one search each of at most 4 plateaus: about a minute.
  const run = await execFileAsync(
    process.execPath,
    [
      MAIN,
      '--replicas',
      '1,2',
      '--repeats',
      '1',
      '--plateau',
      '2s',
      '--start',
      '10',
      '--max-steps',
      '4',
      '--out',
      out,
      '--mongo-url',
      testMongoUrl(),
      '--mongo-db',
      'experiment_command_test',
    ],
    { timeout: 280_000 },
  );
  stdout = run.stdout;
  results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ExperimentResults;
});

afterAll(() => {
  if (out) rmSync(out, { recursive: true, force: true });
});

describe('npm run experiment on a tiny configuration (1 and 2 replicas, 2 s plateaus)', () => {
  test('shows progress with the step, the replica count, the offered rate and an ETA', () => {
    expect(stdout).toMatch(/\[1\/2\] 1 replica · repeat 1\/1 · step 1 · \d+ RPS → (pass|FAIL).*ETA \d+/);
    expect(stdout).toMatch(/\[2\/2\] 2 replicas · repeat 1\/1 · step \d+ · \d+ RPS/);
  });

  test('writes results.json with the machine, the options and one point per replica count', () => {
    expect(results.machine).toMatchObject({
      cores: expect.any(Number),
      memoryBytes: expect.any(Number),
      node: process.version,
    });
    expect(results.machine.cpuModel.length).toBeGreaterThan(0);
    expect(results.options).toMatchObject({ replicas: [1, 2], repeats: 1, plateauSec: 2, cpuMillis: 100 });
    expect(results.points.map((p) => p.replicas)).toEqual([1, 2]);
  });

  test.each([1, 2])(
    'keeps the raw k6 summary of every plateau for %i replica(s), with p(99) among the trend stats',
    (replicas) => {
      const point = results.points.find((p) => p.replicas === replicas)!;
      expect(point.repeats).toHaveLength(1);
      const steps = point.repeats[0]!.steps;
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.length).toBeLessThanOrEqual(4);
      for (const step of steps) {
        const duration = step.summary.metrics.http_req_duration!;
        expect(duration.values['p(99)']).toBeGreaterThan(0);
        expect(step.p99Ms).toBe(duration.values['p(99)']);
        expect(step.summary.metrics.http_reqs!.values.count).toBeGreaterThan(0);
      }
      expect(point.maxRps).toBe(Math.max(0, ...steps.filter((s) => s.passed).map((s) => s.rate)));
    },
  );

  test.each([1, 2])(
    'records for every plateau at %i replica(s) the CPU seconds of k6, nginx, Prometheus and each replica',
    (replicas) => {
      const point = results.points.find((p) => p.replicas === replicas)!;
      for (const step of point.repeats[0]!.steps) {
        const cpu = step.cpu!;
        expect(cpu.wallSec).toBeGreaterThanOrEqual(2);
        for (const component of ['k6', 'nginx', 'prometheus', 'images'])
          expect(cpu.byComponent[component]).toBeGreaterThan(0);
        // Each replica in its own group; the test points at the shared FerretDB, so none for it.
        expect(Object.keys(cpu.byGroup).filter((g) => g.startsWith('images-'))).toHaveLength(replicas);
        expect(cpu.byComponent.ferretdb).toBeUndefined();
        // The groups cannot use more than the machine did. /proc/stat samples per 10 ms tick
        // while cpuacct counts nanoseconds: 5% and 0.1 s of slack for that.
        const counted = Object.values(cpu.byComponent).reduce((sum, sec) => sum + sec, 0);
        expect(counted).toBeLessThanOrEqual(cpu.machineBusySec * 1.05 + 0.1);
      }
      expect(point.atMax === undefined || point.atMax.cpu !== undefined).toBe(true);
    },
  );

  test('writes report.md with a row per replica count, the efficiency and the original LaaS figures', () => {
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toMatch(/\| replicas \| max RPS \(median\) \|.*efficiency.*original LaaS RPS/);
    expect(report).toMatch(/^\| 1 \| \*\*\d+\*\* \|.*\| 100% \| 440 \| 100% \|$/m);
    expect(report).toMatch(/^\| 2 \| \*\*\d+\*\* \|.*\| 650 \| 74% \|$/m);
    expect(report).toContain(results.machine.cpuModel);
    expect(report).toContain('![');
  });

  test.each([
    [
      'chart.svg',
      (b: Buffer) =>
        b.toString('utf8').startsWith('<svg') && b.toString('utf8').includes('p99 vs offered load'),
    ],
    [
      'cpu.svg',
      (b: Buffer) =>
        b.toString('utf8').startsWith('<svg') && b.toString('utf8').includes('Where the CPU went'),
    ],
    [
      'chart.png',
      (b: Buffer) =>
        b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) &&
        b.length > 10_000,
    ],
  ])('draws %s', (file, wellFormed) => {
    expect(wellFormed(readFileSync(join(out, file)))).toBe(true);
  });
});
