import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../run.js';

/** Mount points from /proc/self/mountinfo (field 5), with the kernel's octal escapes decoded. */
export function mountPoints(): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) =>
      (line.split(' ')[4] ?? '').replace(/\\([0-7]{3})/g, (_, oct: string) =>
        String.fromCharCode(parseInt(oct, 8)),
      ),
    );
}

/** Mount points at or below `dir` (the kubelet's bind mount of its root, pod volumes, container rootfs, shm, netns files). */
export function mountsUnder(dir: string): string[] {
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return mountPoints().filter((m) => m === dir || m.startsWith(prefix));
}

/**
 * Unmounts everything at or below `dir`, deepest first, lazily (a busy mount is detached now
 * and freed when its last user goes). Repeats because one mount can sit on another (the kubelet
 * bind-mounts its root onto itself). Throws if mounts remain after `rounds` passes.
 */
export async function unmountUnder(dir: string, rounds = 5): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    const mounts = mountsUnder(dir).sort((a, b) => b.length - a.length);
    if (mounts.length === 0) return;
    for (const mount of mounts) await run('umount', ['-l', mount]);
    await sleep(50);
  }
  const left = mountsUnder(dir);
  if (left.length > 0)
    throw new Error(`could not unmount ${left.length} mounts under ${dir}: ${left.slice(0, 5).join(', ')}`);
}
