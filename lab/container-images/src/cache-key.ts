// Content keys of built images: an image is rebuilt exactly when one of its inputs changed, and
// reused (the archive as it is) otherwise. Pure: callers hash the files, this combines them.
import { createHash } from 'node:crypto';

export interface ContextFile {
  /** Path relative to the context root, '/'-separated. */
  path: string;
  /** 'file' with its mode's executable bit, or 'link' with its target. */
  kind: 'file' | 'executable' | 'link';
  /** sha256 of the content (of the link target's text for a link). */
  sha256: string;
}

export interface KeyInputs {
  /** The builder's recipe: the Dockerfile's text. */
  dockerfile: string;
  buildArgs: Record<string, string>;
  files: readonly ContextFile[];
  /** Key of the base image the Dockerfile starts from ('' for FROM scratch). */
  baseKey: string;
  /** Bumped when the way images are built changes in a way the inputs above do not show. */
  recipe: string;
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** One hex key for everything an image is built from; independent of file and argument order. */
export function imageKey(inputs: KeyInputs): string {
  const lines = [
    `recipe ${inputs.recipe}`,
    `base ${inputs.baseKey}`,
    `dockerfile ${sha256(inputs.dockerfile)}`,
    ...Object.keys(inputs.buildArgs)
      .sort()
      .map((k) => `arg ${k}=${inputs.buildArgs[k]}`),
    ...[...inputs.files]
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
      .map((f) => `${f.kind} ${f.sha256} ${f.path}`),
  ];
  return sha256(lines.join('\n'));
}
