// buildLabImages: every lab image as a docker-archive tarball in `out`, rebuilt only when its
// content key changed. A warm run hashes the build contexts and reads manifest.json, nothing more.
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { baseKeys, baseVersionsOf, ensureBaseImages, KEY_LABEL } from './base-image.js';
import type { BaseKeys } from './base-image.js';
import { Buildah } from './buildah.js';
import type { BuildahStore } from './buildah.js';
import { imageKey, sha256 } from './cache-key.js';
import type { ContextFile } from './cache-key.js';
import { contextFiles } from './context.js';
import { defaultOut, defaultStore, readVersions, repoRoot, storeDir, toolsBin } from './layout.js';
import { withLock } from './lock.js';
import { readManifest, reusable, upsert, writeManifest } from './manifest.js';
import { run } from './run.js';
import { BASE_TAGS, qualifiedTag, selectImages } from './specs.js';
import type { LabImageSpec } from './specs.js';

/** Bump when the build procedure changes in a way no input file shows. */
export const RECIPE = '1';

export interface BuildOptions {
  /** Output folder of the archives and manifest.json (default .lab/images). */
  out?: string;
  /** Only these images (names of LAB_IMAGES); all by default. */
  images?: readonly string[];
  store?: BuildahStore;
  /** Scratch and download folder (default: next to the store). */
  work?: string;
  log?: (line: string) => void;
  /** Streams the builder's own output (npm ci, tsc) when set. */
  onBuildOutput?: (chunk: string) => void;
  now?: () => number;
  /** How long to wait for another build holding the output folder (default 60 min). */
  lockTimeoutMs?: number;
}

export interface LabImageArchive {
  name: string;
  tag: string;
  qualifiedTag: string;
  /** Absolute path of the docker-archive tarball. */
  archive: string;
  key: string;
  /** True when the archive of an earlier run was reused. */
  cached: boolean;
  seconds: number;
}

interface PreparedContext {
  dir: string;
  files: ContextFile[];
  /** Makes the context complete (the pause binary is compiled only when a build needs it). */
  complete: () => Promise<void>;
}

export async function buildLabImages(options: BuildOptions = {}): Promise<LabImageArchive[]> {
  const out = options.out ?? defaultOut;
  const store = options.store ?? defaultStore();
  const work = options.work ?? join(storeDir(), 'work');
  const log = options.log ?? ((line: string) => process.stderr.write(`[images] ${line}\n`));
  const now = options.now ?? Date.now;
  const specs = selectImages(options.images ?? []);
  mkdirSync(out, { recursive: true });
  mkdirSync(work, { recursive: true });

  return withLock(out, options.lockTimeoutMs ?? 60 * 60_000, async () => {
    const buildah = new Buildah(store);
    const versions = baseVersionsOf(readVersions());
    let keys: BaseKeys | undefined;
    const results: LabImageArchive[] = [];
    let manifest = readManifest(out);
    for (const spec of specs) {
      const started = now();
      const context = await prepareContext(spec, work);
      const baseKey = baseKeyOf(spec, baseKeys(versions));
      const key = imageKey({
        dockerfile: readFileSync(join(repoRoot, spec.dockerfile), 'utf8'),
        buildArgs: spec.buildArgs,
        files: context.files,
        baseKey,
        recipe: RECIPE,
      });
      const hit = reusable(out, manifest, spec.name, key);
      if (hit) {
        results.push(archiveOf(out, spec, key, true, (now() - started) / 1000));
        continue;
      }
      if (!keys && spec.context !== 'pause') {
        const t0 = now();
        const base = await ensureBaseImages({ buildah, work, versions, log });
        keys = base.keys;
        if (base.built.length > 0)
          log(`base: ${base.built.join(', ')} built in ${Math.round((now() - t0) / 1000)} s`);
      }
      log(`${spec.name}: building ${spec.tag} from ${spec.dockerfile}`);
      await context.complete();
      const tag = qualifiedTag(spec.tag);
      await buildah.bud({
        dockerfile: join(repoRoot, spec.dockerfile),
        context: context.dir,
        tag,
        buildArgs: spec.buildArgs,
        labels: { [KEY_LABEL]: key },
        volumes: buildVolumes(work),
        ...(options.onBuildOutput ? { onOutput: options.onBuildOutput } : {}),
      });
      const archive = join(out, `${spec.name}.tar`);
      rmSync(`${archive}.tmp`, { force: true });
      await buildah.pushArchive(tag, `${archive}.tmp`, tag);
      renameSync(`${archive}.tmp`, archive);
      const seconds = (now() - started) / 1000;
      manifest = upsert(manifest, {
        name: spec.name,
        tag: spec.tag,
        qualifiedTag: tag,
        archive: `${spec.name}.tar`,
        key,
        bytes: statSync(archive).size,
        builtAt: new Date(now()).toISOString(),
        buildSeconds: Math.round(seconds),
      });
      writeManifest(out, manifest);
      log(`${spec.name}: ${tag} -> ${archive} (${Math.round(seconds)} s)`);
      results.push(archiveOf(out, spec, key, false, seconds));
    }
    if (results.some((r) => !r.cached)) await buildah.pruneUntagged();
    return results;
  });
}

/**
 * What RUN steps see of the host: the host's CA bundle, through npm's global config file
 * (/usr/local/etc/npmrc, since node lives in /usr/local). On this machine every TLS connection
 * to the npm registry goes through an intercepting proxy whose CA only the host trusts, so
 * `npm ci` in the image fails with SELF_SIGNED_CERT_IN_CHAIN without it. It is a mount of the
 * RUN steps, so nothing of it ends up in a layer; on a machine without such a proxy it only adds
 * Debian's public CAs, which node trusts already.
 */
function buildVolumes(work: string): string[] {
  const bundle = '/etc/ssl/certs/ca-certificates.crt';
  if (!existsSync(bundle)) return [];
  const dir = join(work, 'build-etc');
  mkdirSync(dir, { recursive: true });
  cpSync(bundle, join(dir, 'ca-certificates.crt'));
  writeFileSync(join(dir, 'npmrc'), 'cafile=/usr/local/etc/ca-certificates.crt\n');
  return [`${dir}:/usr/local/etc`];
}

function archiveOf(
  out: string,
  spec: LabImageSpec,
  key: string,
  cached: boolean,
  seconds: number,
): LabImageArchive {
  return {
    name: spec.name,
    tag: spec.tag,
    qualifiedTag: qualifiedTag(spec.tag),
    archive: join(out, `${spec.name}.tar`),
    key,
    cached,
    seconds,
  };
}

function baseKeyOf(spec: LabImageSpec, keys: BaseKeys): string {
  const from = Object.values(spec.buildArgs);
  if (from.includes(BASE_TAGS.node)) return keys.node;
  if (from.includes(BASE_TAGS.debian)) return keys.debian;
  return '';
}

async function prepareContext(spec: LabImageSpec, work: string): Promise<PreparedContext> {
  const done = async () => undefined;
  switch (spec.context) {
    case 'repo':
      return { dir: repoRoot, files: contextFiles(repoRoot), complete: done };
    case 'pause': {
      // Keyed by the Go sources and the Go version; compiled only when the image is rebuilt.
      const source = join(repoRoot, 'tools', 'go', 'pause');
      const goVersion = (await run('go', ['version'])).trim();
      const files: ContextFile[] = ['go.mod', 'main.go'].map((f) => ({
        path: `source/${f}`,
        kind: 'file',
        sha256: sha256(readFileSync(join(source, f))),
      }));
      files.push({ path: 'go-version', kind: 'file', sha256: sha256(goVersion) });
      const dir = join(work, 'context-pause');
      return {
        dir,
        files,
        complete: async () => {
          rmSync(dir, { recursive: true, force: true });
          mkdirSync(dir, { recursive: true });
          await run('go', ['build', '-trimpath', '-ldflags', '-s -w', '-o', join(dir, 'pause'), '.'], {
            cwd: source,
            env: { ...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' },
          });
        },
      };
    }
    default: {
      const { binary, name } = spec.context;
      const from = 'tool' in binary ? join(toolsBin(), binary.tool) : binary.system;
      if (!existsSync(from))
        throw new Error(
          `${from} is missing: run \`npm run tools\` (tools/bin and the Debian packages) first`,
        );
      const dir = join(work, `context-${spec.name}`);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      // copyFileSync follows links (tools/bin is one); a link in the context would point
      // outside it, where the builder cannot read. The binary keeps its mode.
      copyFileSync(from, join(dir, name));
      chmodSync(join(dir, name), statSync(from).mode & 0o7777);
      return { dir, files: contextFiles(dir), complete: done };
    }
  }
}
