#!/usr/bin/env node
import { labClusterStatus, startLabCluster, stopLabCluster } from './cluster.js';
import { DEFAULT_STATE_DIR } from './tools.js';

const USAGE = `usage: npm run cluster -- up | down | status [--state-dir DIR]
  up      start the lab cluster (removes leftovers of an earlier run first)
  down    stop it and remove every process, mount, cgroup, namespace and rule it created
  status  what runs, and whether the node is Ready
State folder: ${DEFAULT_STATE_DIR} (or --state-dir / LAAS_LAB_STATE_DIR).`;

function stamp(): string {
  return new Date().toISOString().slice(11, 19);
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  let stateDir = process.env.LAAS_LAB_STATE_DIR || undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--state-dir' && rest[i + 1]) stateDir = rest[++i];
    else {
      console.error(`unknown argument ${rest[i]}\n${USAGE}`);
      return 2;
    }
  }
  const log = (line: string): void => console.log(`[cluster ${stamp()}] ${line}`);
  switch (command) {
    case 'up': {
      const cluster = await startLabCluster({ stateDir, log });
      console.log(
        [
          '',
          `The lab cluster runs (instance ${cluster.instance}, node ${cluster.nodeName} at ${cluster.nodeIp}).`,
          `  export KUBECONFIG=${cluster.kubeconfigPath}   # context: ${cluster.context}`,
          '  kubectl get nodes',
          `Logs: ${cluster.logsDir}`,
        ].join('\n'),
      );
      return 0;
    }
    case 'down': {
      const report = await stopLabCluster({ stateDir });
      if (!report.found) log('no lab cluster of this state folder is known: nothing to do');
      else log(`instance ${report.instance} stopped: ${report.actions.join('; ') || 'nothing was left'}`);
      return 0;
    }
    case 'status': {
      const status = await labClusterStatus({ stateDir });
      if (!status.cluster) {
        console.log('not running');
        return 1;
      }
      console.log(JSON.stringify(status, null, 2));
      return status.running ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
