import Module from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Testbed from './index.js';
import type { MongoServer } from '@laas/local';
import type { KubeServer } from './kube.js';

/**
 * Jest global setup: starts ONE FerretDB and ONE etcd + kube-apiserver for the whole run and
 * publishes them to the test workers (which inherit this process's environment) as
 * LAAS_TEST_MONGO_URL, LAAS_TEST_KUBECONFIG and LAAS_TEST_KUBE_URL.
 *
 * Jest runs this file in its parent process, compiled to CommonJS, and keeps no module state
 * for the teardown, so the servers' `stop` functions are kept on globalThis.
 */
export interface TestbedGlobals {
  mongo?: MongoServer;
  kube?: KubeServer;
}

/** Also read by jest-global-teardown.ts. */
const GLOBAL_KEY = '__laasTestbed';

export function testbedGlobals(): TestbedGlobals {
  const holder = globalThis as unknown as Record<string, TestbedGlobals | undefined>;
  holder[GLOBAL_KEY] ??= {};
  return holder[GLOBAL_KEY];
}

type ResolveFilename = (
  request: string,
  parent: { filename?: string } | undefined,
  ...rest: unknown[]
) => string;

/** Workspace packages the test bed imports, mapped to their sources (as jest.config.js maps them for tests). */
const WORKSPACE_SOURCES: Record<string, string> = {
  '@laas/local': resolve(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    '..',
    'lab',
    'local',
    'src',
    'index.ts',
  ),
};

/**
 * Loads the test bed sources. Jest compiles this file to CommonJS, where `require('./x.js')`
 * does not find our `./x.ts` siblings (moduleNameMapper only applies inside test workers), so
 * while loading we map relative `.js` requests from .ts files to the .ts file next to them, and
 * workspace packages to their sources; jest's transform hook is active during globalSetup and
 * compiles them.
 */
async function loadTestbed(): Promise<typeof Testbed> {
  // Module._resolveFilename is internal and untyped; this cast is the narrowest honest type.
  const moduleInternals = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (request, parent, ...rest) {
    const workspace = WORKSPACE_SOURCES[request];
    if (workspace) return workspace;
    if (request.startsWith('.') && request.endsWith('.js') && parent?.filename?.endsWith('.ts')) {
      const candidate = resolve(dirname(parent.filename), request.replace(/\.js$/, '.ts'));
      if (existsSync(candidate)) return candidate;
    }
    return original.call(this, request, parent, ...rest);
  };
  try {
    return await import('./index.js');
  } finally {
    moduleInternals._resolveFilename = original;
  }
}

export default async function globalSetup(): Promise<void> {
  const testbed = await loadTestbed();
  // Fail here, once, with the fix in the message, rather than in every test file.
  testbed.toolPath('ferretdb');
  testbed.toolPath('etcd');
  testbed.toolPath('kube-apiserver');
  testbed.systemToolPath('kubectl');

  const globals = testbedGlobals();
  const [mongo, kube] = await Promise.allSettled([testbed.startMongo(), testbed.startKube()]);
  if (mongo.status === 'fulfilled') globals.mongo = mongo.value;
  if (kube.status === 'fulfilled') globals.kube = kube.value;
  const failures = [mongo, kube].filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length > 0) {
    await globals.mongo?.stop();
    await globals.kube?.stop();
    throw new Error(
      failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('\n\n'),
    );
  }

  if (!globals.mongo || !globals.kube) throw new Error('unreachable: both servers started');
  process.env[testbed.TEST_ENV.mongoUrl] = globals.mongo.url;
  process.env[testbed.TEST_ENV.kubeconfig] = globals.kube.kubeconfigPath;
  process.env[testbed.TEST_ENV.kubeUrl] = globals.kube.url;
}
