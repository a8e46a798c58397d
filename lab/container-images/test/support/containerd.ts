// A private containerd for the import test: its own root, state, socket and opt folders under one
// temp folder, the CRI plugin off (no kubelet talks to it, and it would look for CNI), stopped and
// removed afterwards. The lab cluster's containerd is another process with another socket.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@laas/testbed';

export interface PrivateContainerd {
  address: string;
  dir: string;
  log: () => string;
  stop: () => Promise<void>;
}

export async function startPrivateContainerd(): Promise<PrivateContainerd> {
  // Short path: a unix socket path must stay under 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'laas-ctrd-'));
  const address = join(dir, 'containerd.sock');
  const config = join(dir, 'config.toml');
  writeFileSync(
    config,
    [
      'version = 2',
      `root = "${join(dir, 'root')}"`,
      `state = "${join(dir, 'state')}"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${address}"`,
      '[ttrpc]',
      `  address = "${address}.ttrpc"`,
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = "${join(dir, 'opt')}"`,
      '',
    ].join('\n'),
  );
  let log = '';
  const child: ChildProcess = spawn('containerd', ['--config', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => existsSync(address) || undefined, {
      what: 'the private containerd to listen',
      timeoutMs: 30_000,
      abortIf: () => (child.exitCode !== null ? `containerd exited (${child.exitCode}):\n${log}` : undefined),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { address, dir, log: () => log, stop };
}
