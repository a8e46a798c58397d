// Starts a process inside an unpacked image the way a runtime would, without one: root switched to
// the image's file system, working folder, uid:gid and environment from the image config, the
// entrypoint + command as given. No namespaces and no mounts (so nothing to clean up when a test
// dies): the process shares the host's network, so it reaches the test bed's FerretDB on
// loopback, and /dev holds the four device nodes node needs, created with mknod.
// What a container would add and this does not: namespaces, cgroup limits, /proc.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import type { ImageConfig } from '../../src/archive.js';

const DEVICES: [string, number, number][] = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['random', 1, 8],
  ['urandom', 1, 9],
];

export function prepareDevices(rootfs: string): void {
  mkdirSync(join(rootfs, 'dev'), { recursive: true });
  for (const [name, major, minor] of DEVICES) {
    const path = join(rootfs, 'dev', name);
    if (!existsSync(path)) execFileSync('mknod', ['-m', '666', path, 'c', String(major), String(minor)]);
  }
}

export interface StartInImage {
  rootfs: string;
  config: ImageConfig;
  /** Replaces the image's Cmd (the entrypoint stays), like `docker run IMAGE args...`. */
  args?: string[];
  env?: Record<string, string>;
}

/** The argv a runtime runs: Entrypoint + (args or Cmd). */
export function argvOf(config: ImageConfig, args?: string[]): string[] {
  return [...(config.Entrypoint ?? []), ...(args ?? config.Cmd ?? [])];
}

export function startInImage(o: StartInImage): ChildProcess {
  const [uid, gid] = (o.config.User ?? '0:0').split(':');
  const env = [...(o.config.Env ?? []), ...Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}`)];
  // env -i: nothing of the host's environment; unshare without namespace flags only does
  // chroot + chdir + setgid/setuid and then execs, so the pid we hold is the image's process.
  return spawn(
    '/usr/bin/env',
    [
      '-i',
      ...env,
      '/usr/bin/unshare',
      `--root=${o.rootfs}`,
      `--wd=${o.config.WorkingDir || '/'}`,
      '--setgid',
      gid ?? uid!,
      '--setuid',
      uid!,
      '--',
      ...argvOf(o.config, o.args),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}
