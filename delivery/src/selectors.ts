// Kubernetes label selectors (metav1.LabelSelector) evaluated over a set of labels.
import type { Labels } from './objects.js';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

/** An empty selector ({}) matches everything; requirements are ANDed, as the API defines. */
export function selectorMatches(selector: LabelSelector | undefined | null, labels: Labels = {}): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, req.key);
    const value = labels[req.key];
    switch (req.operator) {
      case 'In':
        if (!has || !(req.values ?? []).includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && (req.values ?? []).includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${String((req as { operator: unknown }).operator)}`);
    }
  }
  return true;
}

/** A Service's `spec.selector` is a plain map: every pair must be among the pod's labels. */
export function mapSelectorMatches(selector: Labels | undefined, labels: Labels = {}): boolean {
  if (!selector || Object.keys(selector).length === 0) return false; // selector-less Services select nothing
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
