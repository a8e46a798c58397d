// buildah, the daemonless builder from Debian, with its storage in folders of our own (never the
// machine's /var/lib/containers) and RUN steps in chroot isolation: no runc, so nothing has to
// lower oom_score_adj, which some sandboxes forbid (this one among them).
import { run } from './run.js';
import type { RunOptions } from './run.js';

export interface BuildahStore {
  /** Image and layer storage (--root). */
  root: string;
  /** Runtime state: locks, mounts of working containers (--runroot). */
  runroot: string;
  /** 'overlay' (kernel overlayfs, the fast default) or 'vfs' (full copies; works everywhere). */
  driver: 'overlay' | 'vfs';
}

export interface BudOptions {
  dockerfile: string;
  context: string;
  tag: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  /** Read-only bind mounts for RUN steps only (host:container); never part of the image. */
  volumes?: string[];
  onOutput?: (chunk: string) => void;
}

export class Buildah {
  /**
   * @param niceness builds run at lower CPU priority (nice 10 by default): on a 2-core machine a
   * cold build takes minutes of both cores, and the servers and tests next to it keep theirs.
   */
  constructor(
    readonly store: BuildahStore,
    readonly niceness = 10,
  ) {}

  private flags(): string[] {
    const flags = [
      '--root',
      this.store.root,
      '--runroot',
      this.store.runroot,
      '--storage-driver',
      this.store.driver,
    ];
    // Without this the overlay driver bind-mounts its folder onto itself and leaves that mount
    // behind: one more mount in the machine's table (the lab cluster's `down` compares them).
    if (this.store.driver === 'overlay') flags.push('--storage-opt', 'overlay.skip_mount_home=true');
    return flags;
  }

  run(args: readonly string[], options: RunOptions = {}): Promise<string> {
    return run('nice', ['-n', String(this.niceness), 'buildah', ...this.flags(), ...args], options);
  }

  /** `buildah bud`: builds a Dockerfile, never pulling (every FROM is local or scratch). */
  async bud(o: BudOptions): Promise<void> {
    await this.run(
      [
        'bud',
        '--isolation',
        'chroot',
        '--pull-never',
        // The build and deps stages of our Dockerfiles are independent: two cores, two stages.
        '--jobs',
        '2',
        '-f',
        o.dockerfile,
        '-t',
        o.tag,
        ...Object.entries(o.buildArgs).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        ...Object.entries(o.labels).flatMap(([k, v]) => ['--label', `${k}=${v}`]),
        ...(o.volumes ?? []).flatMap((v) => ['--volume', `${v}:ro`]),
        o.context,
      ],
      o.onOutput ? { onOutput: o.onOutput } : {},
    );
  }

  /** Labels of a stored image, or undefined when no image has that name. */
  async labelsOf(image: string): Promise<Record<string, string> | undefined> {
    try {
      const out = await this.run(['inspect', '--type', 'image', image]);
      const info = JSON.parse(out) as { OCIv1?: { config?: { Labels?: Record<string, string> } } };
      return info.OCIv1?.config?.Labels ?? {};
    } catch {
      return undefined;
    }
  }

  /** Writes `image` as a docker-archive tarball that names it `tag` (what `ctr images import` reads). */
  async pushArchive(image: string, archive: string, tag: string): Promise<void> {
    await this.run(['push', '--quiet', image, `docker-archive:${archive}:${tag}`]);
  }

  /** Removes images no tag points at any more: each rebuild of a service leaves ~350 MB behind. */
  async pruneUntagged(): Promise<void> {
    await this.run(['rmi', '--prune']);
  }

  async rmi(image: string): Promise<void> {
    await this.run(['rmi', '--force', image]).catch(() => undefined);
  }
}
