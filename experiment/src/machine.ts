import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { cgroupSupport } from '@laas/local';
import { toolPath } from '@laas/local';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  node: string;
  os: string;
  k6?: string;
  nginx?: string;
  /** The cgroup back end of this machine (absent in results written before there were two). */
  cgroupVersion?: 'v1' | 'v2' | 'none';
  /** Whether replicas run under CPU quotas here. */
  cgroupCpu: boolean;
  cgroupMemory: boolean;
}

function firstLine(command: string, args: string[]): string | undefined {
  // nginx -v prints on stderr; k6 version on stdout.
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return undefined;
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n')[0] || undefined;
}

function cpuModel(): string {
  const model = os.cpus()[0]?.model?.trim();
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = /^model name\s*:\s*(.+)$/m.exec(info)?.[1]?.trim();
    return line ?? model ?? 'unknown';
  } catch {
    return model ?? 'unknown';
  }
}

/** The machine the experiment ran on, for results.json and the report. */
export function describeMachine(): MachineInfo {
  const support = cgroupSupport();
  let k6: string | undefined;
  try {
    k6 = firstLine(toolPath('k6'), ['version']);
  } catch {
    k6 = undefined;
  }
  const nginx = firstLine('nginx', ['-v']) ?? firstLine('/usr/sbin/nginx', ['-v']);
  return {
    cpuModel: cpuModel(),
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    k6,
    nginx,
    cgroupVersion: support.version,
    cgroupCpu: support.cpu,
    cgroupMemory: support.memory,
  };
}
