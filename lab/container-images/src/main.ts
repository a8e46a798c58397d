#!/usr/bin/env node
// npm run container-images -- build [name...]            build what changed, print the archives
// npm run container-images -- import --address SOCKET    import every archive into containerd (ns k8s.io)
// npm run container-images -- list                       the manifest: tags, archives, keys
import { buildLabImages } from './build.js';
import { importLabImages } from './import.js';
import { defaultOut } from './layout.js';
import { readManifest } from './manifest.js';
import { CommandError } from './run.js';

const USAGE = `usage:
  laas-images build [--out DIR] [NAME...]
  laas-images import --address SOCKET [--namespace k8s.io] [--out DIR] [NAME...]
  laas-images list [--out DIR]`;

function parse(argv: string[]): { command: string; flags: Record<string, string>; names: string[] } {
  const [command = '', ...rest] = argv;
  const flags: Record<string, string> = {};
  const names: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a.startsWith('--')) {
      const value = rest[++i];
      if (value === undefined) throw new UsageError(`${a} needs a value`);
      flags[a.slice(2)] = value;
    } else names.push(a);
  }
  return { command, flags, names };
}

class UsageError extends Error {}

async function main(): Promise<void> {
  const { command, flags, names } = parse(process.argv.slice(2));
  const out = flags.out ?? defaultOut;
  switch (command) {
    case 'build': {
      const t0 = Date.now();
      const archives = await buildLabImages({ out, images: names });
      for (const a of archives)
        console.log(
          `${a.tag.padEnd(22)} ${a.cached ? 'cached' : 'built '} ${a.seconds.toFixed(1).padStart(6)} s  ${a.archive}`,
        );
      console.log(`total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return;
    }
    case 'import': {
      if (!flags.address) throw new UsageError('import needs --address (the containerd socket)');
      const names2 = await importLabImages({
        address: flags.address,
        namespace: flags.namespace ?? 'k8s.io',
        out,
        images: names,
      });
      for (const n of names2) console.log(n);
      return;
    }
    case 'list': {
      for (const e of readManifest(out).images)
        console.log(`${e.tag.padEnd(22)} ${e.archive.padEnd(16)} ${e.key.slice(0, 12)} ${e.builtAt}`);
      return;
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : 'no command');
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`${err.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(err instanceof CommandError || err instanceof Error ? err.message : String(err));
  process.exit(1);
});
