import { kubeClusterFromKubeconfig } from './kube.js';
import type { KubeCluster } from './kube.js';

/**
 * The jest global setup starts one FerretDB and one kube-apiserver for the whole run and
 * hands them to test workers through these environment variables.
 */
export const TEST_ENV = {
  mongoUrl: 'LAAS_TEST_MONGO_URL',
  kubeconfig: 'LAAS_TEST_KUBECONFIG',
  kubeUrl: 'LAAS_TEST_KUBE_URL',
} as const;

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set: the jest global setup (tools/testbed/src/jest-global-setup.ts) starts the shared ` +
        'servers; run tests through jest at the repo root (npm test), after `npm run tools`',
    );
  }
  return value;
}

/** `mongodb://127.0.0.1:PORT/` of the shared FerretDB. Use a database name of your own per test file. */
export function testMongoUrl(): string {
  return required(TEST_ENV.mongoUrl);
}

/** The shared kube-apiserver. Use a namespace of your own per test file. */
export function testKube(): KubeCluster {
  required(TEST_ENV.kubeUrl);
  return kubeClusterFromKubeconfig(required(TEST_ENV.kubeconfig));
}
