// Reads a docker-archive tarball the way a runtime does: its image config (Entrypoint, Cmd, User,
// Env, WorkingDir) and its layers applied in order, whiteouts included, into a root file system.
// Used to check what the archives hold without trusting the builder that wrote them.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from './run.js';

export interface ImageConfig {
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  User?: string;
  Env?: string[];
  WorkingDir?: string;
  ExposedPorts?: Record<string, object>;
  Labels?: Record<string, string>;
}

interface ArchiveManifest {
  Config: string;
  RepoTags: string[];
  Layers: string[];
}

async function readMember(archive: string, member: string): Promise<string> {
  return run('tar', ['-xOf', archive, member]);
}

export async function archiveManifest(archive: string): Promise<ArchiveManifest> {
  const list = JSON.parse(await readMember(archive, 'manifest.json')) as ArchiveManifest[];
  if (list.length !== 1) throw new Error(`${archive} holds ${list.length} images, expected 1`);
  return list[0]!;
}

export async function archiveConfig(archive: string): Promise<{ tags: string[]; config: ImageConfig }> {
  const manifest = await archiveManifest(archive);
  const image = JSON.parse(await readMember(archive, manifest.Config)) as { config?: ImageConfig };
  return { tags: manifest.RepoTags, config: image.config ?? {} };
}

/** Applies the archive's layers in order into `dest` (created), as an overlay stack would show them. */
export async function unpackArchive(archive: string, dest: string): Promise<void> {
  const manifest = await archiveManifest(archive);
  const scratch = mkdtempSync(join(tmpdir(), 'laas-unpack-'));
  try {
    await run('tar', ['-xf', archive, '-C', scratch, ...manifest.Layers]);
    mkdirSync(dest, { recursive: true });
    // The root of a container's file system is 0755 (the layers carry no entry for it); a
    // mkdtemp folder is 0700, which would lock the image's non-root user out of everything.
    chmodSync(dest, 0o755);
    for (const layer of manifest.Layers) {
      const path = join(scratch, layer);
      const entries = (await run('tar', ['-tf', path])).split('\n').filter(Boolean);
      // Whiteouts first: `.wh.name` deletes `name` of the layers below, `.wh..wh..opq` empties the folder.
      for (const entry of entries) {
        const clean = entry.replace(/^\.\//, '');
        const base = clean.split('/').pop()!;
        if (base === '.wh..wh..opq') {
          const dir = join(dest, dirname(clean));
          for (const child of safeList(dir)) rmSync(join(dir, child), { recursive: true, force: true });
        } else if (base.startsWith('.wh.')) {
          rmSync(join(dest, dirname(clean), base.slice('.wh.'.length)), { recursive: true, force: true });
        }
      }
      await run('tar', ['-xpf', path, '-C', dest, '--numeric-owner', '--exclude=.wh.*', '--exclude=*/.wh.*']);
      rmSync(path);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
