// Kubernetes objects as plain data, parsed from the YAML that `helm template` or a file holds.
import yaml from 'js-yaml';

export type Labels = Record<string, string>;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Labels; annotations?: Record<string, string> };
  // The rest is kind-specific; tests read it through the small typed views below.
  [key: string]: unknown;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

export interface Probe {
  httpGet?: { path: string; port: number | string };
  exec?: { command: string[] };
  tcpSocket?: { port: number | string };
}

export interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: ContainerPort[];
  env?: { name: string; value?: string; valueFrom?: unknown }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
}

export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: 'ScheduleAnyway' | 'DoNotSchedule';
  labelSelector: { matchLabels?: Labels };
  matchLabelKeys?: string[];
}

export interface Volume {
  name: string;
  emptyDir?: { sizeLimit?: string };
  [source: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  securityContext?: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  serviceAccountName?: string;
  topologySpreadConstraints?: TopologySpreadConstraint[];
  volumes?: Volume[];
}

export interface PodTemplate {
  metadata: { labels?: Labels; annotations?: Record<string, string> };
  spec: PodSpec;
}

/** Every non-empty document of a multi-document YAML text. */
export function parseDocuments(text: string): K8sObject[] {
  return yaml
    .loadAll(text)
    .filter((doc): doc is K8sObject => typeof doc === 'object' && doc !== null && 'kind' in doc);
}

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet', 'Job', 'DaemonSet'] as const;

/** The pod template of a workload, or the spec of a bare Pod, as a pod template. */
export function podTemplateOf(obj: K8sObject): PodTemplate | undefined {
  if (obj.kind === 'Pod') {
    return { metadata: obj.metadata, spec: obj['spec'] as PodSpec };
  }
  if ((WORKLOAD_KINDS as readonly string[]).includes(obj.kind)) {
    return (obj['spec'] as { template: PodTemplate }).template;
  }
  return undefined;
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function byName(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) {
    const names = ofKind(objects, kind).map((o) => o.metadata.name);
    throw new Error(`no ${kind} named ${name} (there are: ${names.join(', ') || 'none'})`);
  }
  return found;
}

/** The spec of an object, typed by the caller. */
export function specOf<T>(obj: K8sObject): T {
  return obj['spec'] as T;
}
