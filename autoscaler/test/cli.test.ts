import { parseConfig } from '../src/main.js';

test.each([
  {
    label: 'no flags give the defaults',
    argv: [],
    expected: { dryRun: false, port: 8080, resyncSeconds: 5, logLevel: 'info' },
  },
  {
    label: '--kubeconfig, --namespace and --dry-run are read',
    argv: ['--kubeconfig', '/tmp/k', '--namespace', 'laas', '--dry-run'],
    expected: {
      kubeconfig: '/tmp/k',
      namespace: 'laas',
      dryRun: true,
      port: 8080,
      resyncSeconds: 5,
      logLevel: 'info',
    },
  },
])('$label', ({ argv, expected }) => {
  expect(parseConfig(argv)).toEqual(expected);
});

test.each([
  {
    label: 'a port that is not a number is refused at boot',
    argv: ['--port', 'x'],
    error: /--port x is not a port/,
  },
  { label: 'a resync under 1 s is refused at boot', argv: ['--resync-seconds', '0'], error: /must be >= 1/ },
  { label: 'an unknown flag is refused at boot', argv: ['--replicas', '3'], error: /Unknown option/ },
])('$label', ({ argv, error }) => {
  expect(() => parseConfig(argv)).toThrow(error);
});
