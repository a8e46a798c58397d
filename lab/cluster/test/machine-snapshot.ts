import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROUTE_METRIC_BASE } from '../src/host/routes.js';
import { KUBELET_SYSCTLS, readSysctls } from '../src/host/sysctls.js';

/**
 * What a lab cluster could leave behind on the host, as sorted lists of lines. The machine is
 * shared (other worktrees may run their own clusters, builds may add rules), so each list keeps
 * only what belongs to one instance or could only have come from a Kubernetes node: the
 * comparison stays exact for our cluster and ignores strangers.
 */
export interface MachineSnapshot {
  processes: string[];
  mounts: string[];
  cgroups: string[];
  links: string[];
  netns: string[];
  routes: string[];
  iptables: string[];
  nftables: string[];
  sysctls: string[];
}

function sh(command: string, args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

/** Lines that name something of a Kubernetes node or of our address block. */
const NODE_WORDS = /KUBE-|CNI-|cni0|198\.1[89]\.|laaslab|laas-lab|kube-network-policies|kube-proxy|kubelet/;

export function machineSnapshot(instance: number, stateDir: string): MachineSnapshot {
  const netns = `laas-lab-${instance}`;
  const processes: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      // A zombie is a process that has died and waits for its parent to collect its status:
      // it holds a pid and nothing else. Killed daemons are zombies for a moment (until their
      // parent, or init once the parent is gone too, reaps them).
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      const cgroup = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cgroup.includes(`/${netns}/`) || cgroup.includes(`/${netns}\n`) || cmdline.includes(stateDir)) {
        processes.push(`${pid} ${cmdline}`);
      }
    } catch {
      // exited meanwhile
    }
  }
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.includes(stateDir) || line.includes(`/run/netns/${netns}`))
    .map((line) => line.split(' ').slice(4, 5).join(' '));
  const cgroups: string[] = [];
  const root = '/sys/fs/cgroup';
  for (const hierarchy of existsSync(root) ? readdirSync(root) : []) {
    const dir = join(root, hierarchy);
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      continue;
    }
    for (const name of entries) {
      if (name === netns || /^(kubepods|besteffort|burstable|kube-|system\.slice)/.test(name)) {
        cgroups.push(`${hierarchy}/${name}`);
      }
    }
  }
  const links = sh('ip', ['-o', 'link', 'show'])
    .split('\n')
    .map((line) => line.split(':')[1]?.trim().split('@')[0] ?? '')
    .filter((name) => name.startsWith(`laaslab${instance}`) || /^(cni|kube|flannel)/.test(name));
  const netnsList = sh('ip', ['netns', 'list'])
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name === netns || name.startsWith('cni-'));
  const withoutCounters = (text: string): string[] =>
    text
      .split('\n')
      .filter((line) => NODE_WORDS.test(line))
      .map((line) => line.replace(/\[\d+:\d+\]/g, '').replace(/counter packets \d+ bytes \d+/g, 'counter'));
  const sysctls = readSysctls(KUBELET_SYSCTLS);
  const sorted = (list: string[]): string[] => [...new Set(list)].sort();
  return {
    processes: sorted(processes),
    mounts: sorted(mounts),
    cgroups: sorted(cgroups),
    links: sorted(links),
    netns: sorted(netnsList),
    // This instance's host routes: through its veth, or with its metric (the unreachable one).
    routes: sorted(
      sh('ip', ['route', 'show'])
        .split('\n')
        .map((line) => line.trim())
        .filter(
          (line) =>
            line.includes(`laaslab${instance}h`) ||
            new RegExp(`metric ${ROUTE_METRIC_BASE + instance}\\b`).test(line),
        ),
    ),
    iptables: sorted(withoutCounters(sh('iptables-save', []))),
    nftables: sorted(withoutCounters(sh('nft', ['list', 'ruleset']))),
    sysctls: sorted(Object.entries(sysctls).map(([k, v]) => `${k}=${v}`)),
  };
}
