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
  kubekit: 'lab/kubekit/src/index.ts',
  local: 'lab/local/src/index.ts',
  experiment: 'experiment/src/index.ts',
  plot: 'tools/plot/src/index.ts',
  cluster: 'lab/cluster/src/index.ts',
  'container-images': 'lab/container-images/src/index.ts',
  web: 'services/web/src/site/index.ts',
  referee: 'autoscaler/referee/index.ts',
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
