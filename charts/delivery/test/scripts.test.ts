// The shell scripts and GitHub workflows: linted, and the minikube scripts' --dry-run plans.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { actionlintPath, programPath, repoRoot, run } from '../src/tools.js';

const SCRIPTS = [
  'minikube/up.sh',
  'minikube/experiment.sh',
  'minikube/down.sh',
  'minikube/lib.sh',
  'k8s/render.sh',
];

test.each(SCRIPTS)('shellcheck passes on %s', async (script) => {
  const shellcheck = programPath('shellcheck', 'apt-get install shellcheck (npm run tools does)');
  const result = await run(shellcheck, ['--external-sources', script]);
  expect(result.stdout + result.stderr).toBe('');
  expect(result.code).toBe(0);
});

test('actionlint passes on every workflow', async () => {
  const workflows = readdirSync(join(repoRoot, '.github', 'workflows')).filter((f) => f.endsWith('.yml'));
  expect(workflows.sort()).toEqual(['ci.yml', 'e2e.yml', 'release.yml']);
  const result = await run(
    actionlintPath(),
    workflows.map((f) => join('.github', 'workflows', f)),
  );
  expect(result.stdout + result.stderr).toBe('');
  expect(result.code).toBe(0);
});

/** The "+ command" lines a --dry-run prints, with the repo's pinned helm shown as `helm`. */
async function plan(
  script: string,
  args: string[],
): Promise<{ code: number; commands: string[]; stdout: string }> {
  const result = await run('bash', [script, '--dry-run', ...args], {
    // A PATH without minikube: the dry run must still print its plan (and say minikube is missing).
    env: { PATH: '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp' },
  });
  const commands = result.stdout
    .split('\n')
    .filter((l) => l.startsWith('+ '))
    .map((l) => l.slice(2).replace(/^\S*\/tools\/bin\/helm /, 'helm '));
  return { code: result.code, commands, stdout: result.stdout };
}

describe('minikube/up.sh --dry-run', () => {
  test('prints, in order, every command that brings laas up, and runs none', async () => {
    const { code, commands } = await plan('minikube/up.sh', []);
    expect(code).toBe(0);
    expect(commands).toEqual([
      'minikube start --profile laas --cpus 4 --memory 8g --kubernetes-version v1.32.0',
      'minikube addons enable ingress --profile laas',
      'minikube addons enable metrics-server --profile laas',
      'minikube image build --profile laas -t laas/images:dev -f services/images/Dockerfile .',
      'minikube image build --profile laas -t laas/auth:dev -f services/auth/Dockerfile .',
      'minikube image build --profile laas -t laas/gateway:dev -f services/gateway/Dockerfile .',
      'minikube image build --profile laas -t laas/autoscaler:dev -f autoscaler/Dockerfile .',
      'helm upgrade --install laas charts/laas --kube-context laas --namespace laas --create-namespace --values minikube/values.yaml --set ingress.host=laas.local',
      'kubectl --context laas --namespace laas rollout status deployment/laas-gateway --timeout=300s',
      'kubectl --context laas --namespace laas rollout status deployment/laas-images --timeout=300s',
      'kubectl --context laas --namespace laas rollout status deployment/laas-auth --timeout=300s',
      'kubectl --context laas --namespace laas rollout status deployment/laas-prometheus --timeout=300s',
      'kubectl --context laas --namespace laas rollout status deployment/laas-autoscaler --timeout=300s',
      'kubectl --context laas --namespace laas rollout status statefulset/laas-mongodb --timeout=300s',
    ]);
  });

  test('prints the URL and the port-forward command', async () => {
    const { stdout } = await plan('minikube/up.sh', []);
    expect(stdout).toContain('curl -H \'Host: laas.local\' "http://<minikube ip>/random?count=5"');
    expect(stdout).toContain('kubectl --context laas -n laas port-forward service/laas-gateway 4002:4002');
  });

  test('names a missing prerequisite with the way to install it', async () => {
    const { stdout } = await plan('minikube/up.sh', []);
    expect(stdout).toContain(
      '# note: minikube is not installed (install minikube: https://minikube.sigs.k8s.io/docs/start/)',
    );
  });

  test.each([
    [
      ['--profile', 'demo', '--cpus', '6', '--memory', '12g', '--skip-build'],
      'minikube start --profile demo --cpus 6 --memory 12g --kubernetes-version v1.32.0',
    ],
    [
      ['--release', 'llamas', '--namespace', 'zoo', '--host', 'llamas.test'],
      'helm upgrade --install llamas charts/laas --kube-context laas --namespace zoo --create-namespace --values minikube/values.yaml --set ingress.host=llamas.test',
    ],
  ])('with %j prints %s', async (args, expected) => {
    const { commands } = await plan('minikube/up.sh', args);
    expect(commands).toContain(expected);
  });

  test('--cni passes a NetworkPolicy-enforcing CNI to minikube start', async () => {
    const { commands } = await plan('minikube/up.sh', ['--cni', 'calico']);
    expect(commands[0]).toBe(
      'minikube start --profile laas --cpus 4 --memory 8g --kubernetes-version v1.32.0 --cni calico',
    );
  });

  test('--skip-build builds nothing', async () => {
    const { commands } = await plan('minikube/up.sh', ['--skip-build']);
    expect(commands.filter((c) => c.includes('image build'))).toEqual([]);
  });

  test('a release not named after the chart waits for <release>-laas-* objects', async () => {
    const { commands } = await plan('minikube/up.sh', ['--release', 'demo']);
    expect(commands).toContain(
      'kubectl --context laas --namespace laas rollout status deployment/demo-laas-gateway --timeout=300s',
    );
  });

  test('rejects an unknown option', async () => {
    const result = await run('bash', ['minikube/up.sh', '--dry-run', '--bogus']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: unknown option: --bogus');
  });
});

describe('minikube/experiment.sh --dry-run', () => {
  test('turns the images LatencyAutoscaler off, then hands every other argument to the experiment with the minikube target', async () => {
    const { code, commands } = await plan('minikube/experiment.sh', ['--plateau', '8s', '--start', '100']);
    expect(code).toBe(0);
    expect(commands).toEqual([
      'helm upgrade laas charts/laas --kube-context laas --namespace laas --reuse-values --set images.autoscaling.enabled=false --wait --timeout 5m',
      'npm run experiment -- --target minikube --context laas --namespace laas --deployment laas-images --service-url http://laas-images:4000 --plateau 8s --start 100',
    ]);
  });

  test('--keep-autoscaler leaves the release alone', async () => {
    const { commands } = await plan('minikube/experiment.sh', ['--keep-autoscaler']);
    expect(commands).toEqual([
      'npm run experiment -- --target minikube --context laas --namespace laas --deployment laas-images --service-url http://laas-images:4000',
    ]);
  });
});

describe('minikube/down.sh --dry-run', () => {
  test('deletes the minikube profile', async () => {
    const { code, commands } = await plan('minikube/down.sh', []);
    expect(code).toBe(0);
    expect(commands).toEqual(['minikube delete --profile laas']);
  });

  test('--keep-cluster only uninstalls the release', async () => {
    const { commands } = await plan('minikube/down.sh', ['--keep-cluster']);
    expect(commands).toEqual(['helm uninstall laas --kube-context laas --namespace laas --wait']);
  });
});
