import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { MANIFESTS } from '../src/api/manifests.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

// The files are written by `npm run manifests`, which also runs prettier on them (the repo's
// lint checks every YAML file), so compare with the prettier-formatted rendering.
test.each(Object.keys(MANIFESTS))(
  '%s is up to date with its source (run `npm run manifests -w @laas/autoscaler`)',
  async (relative) => {
    const path = join(packageDir, relative);
    const render = MANIFESTS[relative as keyof typeof MANIFESTS];
    const expected = await format(render(), { ...(await resolveConfig(path)), filepath: path });
    expect(readFileSync(path, 'utf8')).toBe(expected);
  },
);
