import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the launcher and the supervisor exchange through the units folder (`<state>/units`):
 * the launcher writes one `<name>.unit.json` per daemon, the supervisor starts every unit it
 * finds and keeps `status.json` current (written whole, then renamed: readers never see half).
 */
export interface UnitSpec {
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here, with a line from the supervisor at each restart. */
  logPath: string;
}

export interface UnitStatus {
  /** The running process, or the last one while waiting to restart. */
  pid: number;
  state: 'running' | 'waiting';
  /** Starts after the first one. */
  restarts: number;
  startedAt: string;
  lastExit?: { code: number | null; signal: string | null; at: string; ranMs: number };
  /** When waiting: the time of the next start. */
  nextStartAt?: string;
}

export interface SupervisorStatus {
  supervisorPid: number;
  units: Record<string, UnitStatus>;
}

export const unitFile = (unitsDir: string, name: string): string => join(unitsDir, `${name}.unit.json`);
export const statusFile = (unitsDir: string): string => join(unitsDir, 'status.json');

export function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

export function readSupervisorStatus(unitsDir: string): SupervisorStatus | undefined {
  try {
    return JSON.parse(readFileSync(statusFile(unitsDir), 'utf8')) as SupervisorStatus;
  } catch {
    return undefined;
  }
}
