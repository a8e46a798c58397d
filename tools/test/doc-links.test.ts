import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Every relative link in the project's Markdown points at a file or folder that exists, so a move
 * of a folder cannot leave a README pointing at nothing. Run reports under experiment/runs/ are
 * records of their day and are left as they were written.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The relative targets of `[text](target)` links, without their `#anchor`; web and mail links are skipped. */
function relativeLinks(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const targets = [...withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
  return targets
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith('#'))
    .map((t) => decodeURIComponent(t.split('#')[0]!))
    .filter((t) => t !== '');
}

const markdownFiles = execFileSync('git', ['ls-files', '*.md'], { cwd: repoRoot, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f !== '' && !f.startsWith('experiment/runs/'));

describe('links between documents', () => {
  test.each([
    ['a sibling file', 'see [the chart](charts/laas/README.md).', ['charts/laas/README.md']],
    ['an anchor on a file', '[x](docs/a.md#part)', ['docs/a.md']],
    ['a web link and a bare anchor', '[w](https://example.org/a) [h](#here)', []],
    ['a link inside inline code', 'run `[x](nowhere.md)` and [y](y.md)', ['y.md']],
    ['a link with a title', '[t](a/b.md "title")', ['a/b.md']],
  ])('reads %s', (_what, markdown, links) => {
    expect(relativeLinks(markdown)).toEqual(links);
  });

  test('the project has Markdown files to check', () => {
    expect(markdownFiles).toContain('README.md');
  });

  test.each(markdownFiles)('every relative link of %s points at something that exists', (file) => {
    const base = dirname(join(repoRoot, file));
    const missing = relativeLinks(readFileSync(join(repoRoot, file), 'utf8')).filter(
      (target) => !existsSync(join(base, target)),
    );
    expect(missing).toEqual([]);
  });
});
