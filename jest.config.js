// One jest config for the whole repo. The repo is ESM ("type": "module"), because
// @kubernetes/client-node 1.x is ESM-only; jest runs ESM under --experimental-vm-modules
// (set by tools/test.sh), and @swc/jest strips types without type-checking (tsc -b does that).
const workspace = {
  shared: 'services/shared/src/index.ts',
  images: 'services/images/src/index.ts',
  auth: 'services/auth/src/index.ts',
  gateway: 'services/gateway/src/index.ts',
  autoscaler: 'autoscaler/src/index.ts',
  testbed: 'tools/testbed/src/index.ts',
  kubekit: 'kubekit/src/index.ts',
  local: 'local/src/index.ts',
  experiment: 'experiment/src/index.ts',
  plot: 'plot/src/index.ts',
  cluster: 'cluster/src/index.ts',
  'images-build': 'images-build/src/index.ts',
  web: 'web/src/site/index.ts',
};

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
      },
    ],
  },
  moduleNameMapper: {
    ...Object.fromEntries(
      Object.entries(workspace).map(([name, path]) => [`^@laas/${name}$`, `<rootDir>/${path}`]),
    ),
    // The referee's modules (imported by the closed-loop runs) from source, like the packages above.
    '^@laas/autoscaler/eval/(.*)$': '<rootDir>/autoscaler/eval/$1.ts',
    // Sources import siblings as './x.js' (NodeNext); jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  globalSetup: '<rootDir>/tools/testbed/src/jest-global-setup.ts',
  globalTeardown: '<rootDir>/tools/testbed/src/jest-global-teardown.ts',
  testTimeout: 60_000,
  // The lab-cluster suites apart from each other in the order (see the file).
  testSequencer: '<rootDir>/tools/jest-sequencer.js',
};
