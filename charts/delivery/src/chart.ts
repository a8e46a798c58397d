// Renders charts/laas with `helm template` and returns the objects.
import { join } from 'node:path';
import { chartDir, helm } from './tools.js';
import { parseDocuments } from './objects.js';
import type { K8sObject } from './objects.js';

export const CI_VARIANTS = ['minimal', 'no-autoscaler', 'external-mongodb', 'ingress-off'] as const;
export type Variant = 'default' | (typeof CI_VARIANTS)[number];

export function valuesFileOf(variant: Variant): string[] {
  return variant === 'default' ? [] : ['--values', join(chartDir, 'ci', `${variant}-values.yaml`)];
}

export interface RenderOptions {
  variant?: Variant;
  release?: string;
  namespace?: string;
  set?: string[];
  apiVersions?: string[];
  extraArgs?: string[];
}

export async function renderChart(options: RenderOptions = {}): Promise<K8sObject[]> {
  const text = await renderChartText(options);
  return parseDocuments(text);
}

export async function renderChartText(options: RenderOptions = {}): Promise<string> {
  const result = await helm(templateArgs(options));
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return result.stdout;
}

export function templateArgs(options: RenderOptions = {}): string[] {
  return [
    'template',
    options.release ?? 'laas',
    chartDir,
    '--namespace',
    options.namespace ?? 'laas',
    ...valuesFileOf(options.variant ?? 'default'),
    ...(options.set ?? []).flatMap((s) => ['--set', s]),
    ...(options.apiVersions ?? []).flatMap((a) => ['--api-versions', a]),
    ...(options.extraArgs ?? []),
  ];
}
