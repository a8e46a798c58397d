// Reads what a Dockerfile says about the image it builds: its stages, the runtime stage's COPY
// instructions, USER and CMD. Enough for the checks and the container smoke test, which rebuild
// the runtime stage's file layout from the Dockerfile itself instead of restating it.
import { readFileSync } from 'node:fs';

export interface Stage {
  from: string;
  name?: string;
  instructions: { op: string; args: string }[];
}

export interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

export function parseDockerfile(path: string): Stage[] {
  const text = readFileSync(path, 'utf8').replace(/\\\n/g, ' ');
  const args: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(\w+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const op = m[1]!.toUpperCase();
    const rest = m[2]!;
    if (op === 'ARG' && stages.length === 0) {
      const [k, v] = rest.split('=');
      if (k && v !== undefined) args[k] = v;
      continue;
    }
    if (op === 'FROM') {
      const fm = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest)!;
      const from = fm[1]!.replace(/\$\{(\w+)\}/g, (_, k: string) => args[k] ?? '');
      stages.push({ from, ...(fm[2] ? { name: fm[2] } : {}), instructions: [] });
      continue;
    }
    stages.at(-1)?.instructions.push({ op, args: rest });
  }
  return stages;
}

export function runtimeStage(stages: Stage[]): Stage {
  const last = stages.at(-1);
  if (!last) throw new Error('no stage');
  return last;
}

export function copiesOf(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/);
      const from = words.find((w) => w.startsWith('--from='))?.slice('--from='.length);
      const paths = words.filter((w) => !w.startsWith('--'));
      return { ...(from ? { from } : {}), sources: paths.slice(0, -1), dest: paths.at(-1)! };
    });
}

/** The exec-form CMD as an array; a shell-form CMD returns undefined. */
export function cmdOf(stage: Stage): string[] | undefined {
  const cmd = stage.instructions.filter((i) => i.op === 'CMD').at(-1);
  if (!cmd) return undefined;
  try {
    const parsed: unknown = JSON.parse(cmd.args);
    return Array.isArray(parsed) ? (parsed as string[]) : undefined;
  } catch {
    return undefined;
  }
}

export function valueOf(stage: Stage, op: string): string | undefined {
  return stage.instructions.filter((i) => i.op === op).at(-1)?.args;
}
