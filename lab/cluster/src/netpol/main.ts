#!/usr/bin/env node
/**
 * The lab cluster's NetworkPolicy enforcer (see render.ts for the model and why it is ours).
 * A node daemon in the node's network namespace, started by `up`:
 *
 *   node lab/cluster/dist/netpol/main.js --kubeconfig FILE
 *
 * Every second it lists pods, namespaces and NetworkPolicies, renders the rules, and when they
 * changed applies them in one iptables-restore transaction (--noflush: only our chains change),
 * and makes sure FORWARD jumps to LAAS-NETPOL first.
 */
import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { call, readKubeconfig } from '../api/client.js';
import { MAIN_CHAIN, renderRules } from './render.js';
import type { NamespaceInfo, PodInfo, PolicyInfo } from './render.js';

function iptables(args: string[], input?: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolveResult) => {
    const child = spawn(input === undefined ? 'iptables' : 'iptables-restore', args, {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.on('error', (error) => resolveResult({ code: -1, stderr: error.message }));
    child.on('close', (code) => resolveResult({ code: code ?? -1, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

interface List<T> {
  items: T[];
}
interface RawPod {
  metadata: { namespace: string; name: string; labels?: Record<string, string> };
  spec: {
    hostNetwork?: boolean;
    containers: { ports?: { name?: string; containerPort: number; protocol?: string }[] }[];
  };
  status: { podIP?: string; phase?: string };
}
interface RawNamespace {
  metadata: { name: string; labels?: Record<string, string> };
}
interface RawPolicy {
  metadata: { namespace: string; name: string };
  spec: Omit<PolicyInfo, 'namespace' | 'name'>;
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--kubeconfig');
  const kubeconfig = i >= 0 ? process.argv[i + 1] : undefined;
  if (!kubeconfig) throw new Error('netpol: missing --kubeconfig');
  const api = readKubeconfig(kubeconfig);
  let applied = '';
  let chains: string[] = [];
  process.on('SIGTERM', () => process.exit(0));
  process.on('SIGINT', () => process.exit(0));
  console.log('netpol: enforcing NetworkPolicies with iptables (chain LAAS-NETPOL)');
  for (;;) {
    try {
      const [pods, namespaces, policies] = await Promise.all([
        call(api, 'GET', '/api/v1/pods') as Promise<List<RawPod>>,
        call(api, 'GET', '/api/v1/namespaces') as Promise<List<RawNamespace>>,
        call(api, 'GET', '/apis/networking.k8s.io/v1/networkpolicies') as Promise<List<RawPolicy>>,
      ]);
      const podInfos: PodInfo[] = pods.items
        .filter((p) => p.status.phase !== 'Succeeded' && p.status.phase !== 'Failed')
        .map((p) => ({
          namespace: p.metadata.namespace,
          name: p.metadata.name,
          labels: p.metadata.labels ?? {},
          ...(p.status.podIP ? { ip: p.status.podIP } : {}),
          hostNetwork: p.spec.hostNetwork ?? false,
          ports: p.spec.containers.flatMap((c) => c.ports ?? []),
        }));
      const namespaceInfos: NamespaceInfo[] = namespaces.items.map((n) => ({
        name: n.metadata.name,
        labels: n.metadata.labels ?? {},
      }));
      const policyInfos: PolicyInfo[] = policies.items.map((p) => ({
        ...p.spec,
        namespace: p.metadata.namespace,
        name: p.metadata.name,
      }));
      const rendered = renderRules(podInfos, namespaceInfos, policyInfos, chains);
      if (rendered.restore !== applied) {
        const result = await iptables(['--noflush'], rendered.restore);
        if (result.code !== 0) {
          console.error(`netpol: iptables-restore failed: ${result.stderr.trim()}\n${rendered.restore}`);
        } else {
          applied = rendered.restore;
          chains = rendered.chains;
          console.log(
            `netpol: applied ${policyInfos.length} policies, ${rendered.chains.length - 1} pod chains`,
          );
        }
      }
      if ((await iptables(['-C', 'FORWARD', '-j', MAIN_CHAIN])).code !== 0) {
        const inserted = await iptables(['-I', 'FORWARD', '1', '-j', MAIN_CHAIN]);
        if (inserted.code !== 0) console.error(`netpol: cannot hook FORWARD: ${inserted.stderr.trim()}`);
      }
    } catch (error) {
      console.error(`netpol: ${(error as Error).message}`);
    }
    await sleep(1_000);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
