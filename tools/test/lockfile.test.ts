import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `npm ci` refuses a lockfile that names an optional dependency it does not list. That happens
 * when a package's platform binaries (darwin, win32, ...) lag behind it in the registry these
 * machines reach: `npm install` quietly leaves them out, and then every clean install — CI, the
 * Dockerfiles, a newcomer — fails. Pin such packages (package.json `overrides`) to a version
 * whose every platform package exists.
 */
interface LockPackage {
  version?: string;
  optionalDependencies?: Record<string, string>;
}

const lock = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../package-lock.json', import.meta.url)), 'utf8'),
) as {
  packages: Record<string, LockPackage>;
};

test('every optional dependency named in package-lock.json is listed in it, so a clean npm ci succeeds', () => {
  const listed = new Set(Object.keys(lock.packages).map((path) => path.split('node_modules/').pop()));
  const missing = Object.entries(lock.packages).flatMap(([path, pkg]) =>
    Object.keys(pkg.optionalDependencies ?? {})
      .filter((name) => !listed.has(name))
      .map((name) => `${path}@${pkg.version ?? '?'} → ${name}`),
  );
  expect(missing).toEqual([]);
});
