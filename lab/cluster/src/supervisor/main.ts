#!/usr/bin/env node
/**
 * The lab node's supervisor: what systemd is on a node. It starts every daemon the launcher
 * writes a unit for (see units.ts) and starts it again whenever it exits, with the backoff of
 * policy.ts, counting restarts in `status.json` for `npm run cluster -- status`.
 *
 * It runs inside the node's network namespace and the cluster's cgroup, so its daemons inherit
 * both, and `down` (freeze the cgroup, SIGKILL everything in it) stops it together with them:
 * nothing can be restarted while the cgroup is frozen.
 *
 * Usage: node supervisor/main.js UNITS_DIR
 */
import { spawn } from 'node:child_process';
import { appendFileSync, closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nextRestart, NODE_RESTART_POLICY } from './policy.js';
import { statusFile, writeAtomically } from './units.js';
import type { SupervisorStatus, UnitSpec, UnitStatus } from './units.js';

const unitsDir = process.argv[2];
if (!unitsDir) {
  console.error('usage: supervisor UNITS_DIR');
  process.exit(2);
}

const status: SupervisorStatus = { supervisorPid: process.pid, units: {} };
const streaks = new Map<string, number>();

function save(): void {
  writeAtomically(statusFile(unitsDir!), `${JSON.stringify(status, null, 2)}\n`);
}

function note(unit: UnitSpec, line: string): void {
  const text = `[supervisor ${new Date().toISOString()}] ${unit.name}: ${line}\n`;
  try {
    appendFileSync(unit.logPath, text);
  } catch {
    // the log folder is gone: `down` is under way
  }
  process.stdout.write(text);
}

function start(unit: UnitSpec): void {
  const log = openSync(unit.logPath, 'a');
  const startedAt = Date.now();
  let child;
  try {
    child = spawn(unit.command, unit.args, { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  const previous = status.units[unit.name];
  status.units[unit.name] = {
    pid: child.pid ?? -1,
    state: 'running',
    restarts: previous ? previous.restarts + 1 : 0,
    startedAt: new Date(startedAt).toISOString(),
    ...(previous?.lastExit ? { lastExit: previous.lastExit } : {}),
  };
  save();
  // 'error' (the command is missing) is followed by 'close' with a code: one path handles both.
  child.on('error', (error) => note(unit, `could not start: ${error.message}`));
  child.on('close', (code, signal) => {
    const ranMs = Date.now() - startedAt;
    const decision = nextRestart(NODE_RESTART_POLICY, streaks.get(unit.name) ?? 0, ranMs);
    streaks.set(unit.name, decision.streak);
    const current = status.units[unit.name] as UnitStatus;
    status.units[unit.name] = {
      ...current,
      state: 'waiting',
      lastExit: { code, signal, at: new Date().toISOString(), ranMs },
      nextStartAt: new Date(Date.now() + decision.delayMs).toISOString(),
    };
    save();
    note(
      unit,
      `pid ${current.pid} exited (${signal ?? `code ${code}`}) after ${(ranMs / 1000).toFixed(1)} s; ` +
        `restarting in ${(decision.delayMs / 1000).toFixed(1)} s`,
    );
    setTimeout(() => start(unit), decision.delayMs);
  });
}

/** Starts the units that appeared since the last look. */
function scan(): void {
  let names: string[] = [];
  try {
    names = readdirSync(unitsDir!).filter((name) => name.endsWith('.unit.json'));
  } catch {
    return;
  }
  for (const name of names) {
    const unitName = name.slice(0, -'.unit.json'.length);
    if (unitName in status.units) continue;
    let unit: UnitSpec;
    try {
      unit = JSON.parse(readFileSync(join(unitsDir!, name), 'utf8')) as UnitSpec;
    } catch {
      continue; // being written: the next look reads it
    }
    start(unit);
  }
}

save();
scan();
// The launcher adds units while `up` proceeds; a look every 100 ms costs nothing measurable.
setInterval(scan, 100);
