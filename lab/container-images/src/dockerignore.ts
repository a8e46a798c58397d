// The .dockerignore rules of a build context, as Docker and buildah apply them: patterns are
// relative to the context root, `*` and `?` stay inside one path segment, `**` spans any number
// of segments, a pattern that matches a folder excludes everything under it, and a later `!`
// pattern re-includes. Pure: takes the file's text, answers for repo-relative paths.

export interface IgnoreRule {
  negate: boolean;
  /** The cleaned pattern text (no leading '!' or '/'). */
  pattern: string;
  regex: RegExp;
}

export function parseDockerignore(text: string): IgnoreRule[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((line) => {
      const negate = line.startsWith('!');
      const pattern = clean(negate ? line.slice(1).trim() : line);
      return { negate, pattern, regex: new RegExp(`^${toRegex(pattern)}$`) };
    });
}

/** Whether a repo-relative path ('a/b/c', no leading slash) stays out of the context. */
export function isIgnored(rules: readonly IgnoreRule[], path: string): boolean {
  // A pattern matches the path itself or any folder above it ("node_modules" drops its content).
  const segments = path.split('/');
  const candidates = segments.map((_, i) => segments.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (candidates.some((c) => rule.regex.test(c))) ignored = !rule.negate;
  }
  return ignored;
}

/**
 * Whether some `!` rule could re-include a path under the ignored folder `dir`, so the folder
 * must still be walked: `!local/package.json` under `local`, yes; under `node_modules`, no.
 */
export function mayReinclude(rules: readonly IgnoreRule[], dir: string): boolean {
  return rules.some(
    (r) =>
      r.negate && (r.pattern.startsWith(`${dir}/`) || /^[*?[]/.test(r.pattern) || r.pattern.startsWith('**')),
  );
}

function clean(pattern: string): string {
  const parts: string[] = [];
  for (const part of pattern.replace(/^\/+/, '').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/');
}

function toRegex(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      // '**/' matches zero or more folders; a trailing '**' matches everything below.
      if (pattern[i + 2] === '/') {
        out += '(?:.*/)?';
        i += 2;
      } else {
        out += '.*';
        i += 1;
      }
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) out += escape(pattern[++i]!);
    else out += escape(c);
  }
  return out;
}

function escape(c: string): string {
  return /[.+^${}()|[\]\\]/.test(c) ? `\\${c}` : c;
}
