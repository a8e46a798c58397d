import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isIgnored, mayReinclude, parseDockerignore } from '../src/dockerignore.js';
import { repoRoot } from '../src/layout.js';

describe('a .dockerignore pattern', () => {
  test.each([
    ['**/node_modules', 'node_modules/jest/package.json', true],
    ['**/node_modules', 'services/images/node_modules/x/index.js', true],
    ['**/dist', 'services/images/dist/main.js', true],
    ['**/dist', 'services/images/src/distance.ts', false],
    ['.git', '.git/HEAD', true],
    ['.git', '.github/workflows/ci.yml', false],
    ['.env.*', '.env.local', true],
    ['.env.*', 'services/.env.local', false],
    ['tools/bin', 'tools/bin/k6', true],
    ['tools/bin', 'tools/bin.md', false],
    ['**/*.log', 'a/b/c.log', true],
    ['**/*.log', 'c.log', true],
    ['/charts', 'charts/laas/values.yaml', true],
    ['experiments', 'experiment/src/main.ts', false],
    ['file?.txt', 'file1.txt', true],
    ['file?.txt', 'file10.txt', false],
  ])('%s: ignores %s → %s', (pattern, path, ignored) => {
    expect(isIgnored(parseDockerignore(pattern), path)).toBe(ignored);
  });

  test('a later ! pattern re-includes what an earlier one dropped', () => {
    const rules = parseDockerignore('docs\n!docs/keep.md\n');
    expect([isIgnored(rules, 'docs/drop.md'), isIgnored(rules, 'docs/keep.md')]).toEqual([true, false]);
  });

  test.each([
    ['local', true],
    ['node_modules', false],
    ['services/images/node_modules', false],
  ])('an ignored folder %s is still walked for a later ! pattern: %s', (dir, walked) => {
    expect(mayReinclude(parseDockerignore('local/*\n!local/package.json\n**/node_modules\n'), dir)).toBe(
      walked,
    );
  });

  test('comments and blank lines are no patterns', () => {
    expect(parseDockerignore('# a comment\n\n  \nx\n')).toHaveLength(1);
  });
});

describe("the repo's .dockerignore", () => {
  const rules = parseDockerignore(readFileSync(join(repoRoot, '.dockerignore'), 'utf8'));
  test.each([
    ['.lab/images/images.tar', true],
    ['services/images/Dockerfile', true],
    ['tools/bin/k6', true],
    ['package-lock.json', false],
    ['services/images/src/main.ts', false],
    ['services/images/test/app.test.ts', true],
    ['README.md', true],
    ['lab/local/src/main.ts', true],
    ['lab/local/package.json', false],
    ['tools/install.sh', true],
    ['tools/testbed/src/index.ts', true],
    ['tools/testbed/package.json', false],
    ['lab/container-images/src/build.ts', true],
    ['lab/container-images/package.json', false],
    ['charts/delivery/src/chart.ts', true],
    ['charts/delivery/package.json', false],
    ['charts/laas/values.yaml', true],
    ['tools/plot/src/index.ts', true],
    ['tools/plot/package.json', false],
    ['autoscaler/referee/package.json', false],
    ['services/shared/src/index.ts', false],
    ['autoscaler/src/main.ts', false],
    ['services/images/README.md', true],
  ])('%s is ignored: %s', (path, ignored) => {
    expect(isIgnored(rules, path)).toBe(ignored);
  });
});
