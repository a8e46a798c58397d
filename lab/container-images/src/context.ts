// Lists and hashes the files of a build context, skipping what .dockerignore keeps out, so the
// cache key covers exactly what the builder sends.
import { readFileSync, readdirSync, readlinkSync, lstatSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from './cache-key.js';
import type { ContextFile } from './cache-key.js';
import { isIgnored, mayReinclude, parseDockerignore } from './dockerignore.js';

export function contextFiles(root: string): ContextFile[] {
  const ignoreFile = join(root, '.dockerignore');
  const rules = existsSync(ignoreFile) ? parseDockerignore(readFileSync(ignoreFile, 'utf8')) : [];
  const files: ContextFile[] = [];
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      const ignored = isIgnored(rules, path);
      const abs = join(root, path);
      if (entry.isDirectory()) {
        if (!ignored || mayReinclude(rules, path)) walk(path);
        continue;
      }
      if (ignored) continue;
      if (entry.isSymbolicLink()) files.push({ path, kind: 'link', sha256: sha256(readlinkSync(abs)) });
      else if (entry.isFile()) {
        const executable = (lstatSync(abs).mode & 0o111) !== 0;
        files.push({ path, kind: executable ? 'executable' : 'file', sha256: sha256(readFileSync(abs)) });
      }
    }
  };
  walk('');
  return files;
}
