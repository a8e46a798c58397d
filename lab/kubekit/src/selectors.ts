// Kubernetes label selectors (metav1.LabelSelector and a Service's map selector), evaluated over
// a pod's or namespace's labels as the API defines them. One owner for the lab cluster's
// NetworkPolicy enforcer (cluster/src/netpol) and the delivery checks of the chart (delivery/).

export type Labels = Record<string, string>;

export interface LabelSelectorRequirement {
  key: string;
  /**
   * In, NotIn, Exists or DoesNotExist. Typed as a string because objects read from the API
   * carry it as one; the API server refuses any other value, so another one here comes from a
   * hand-written object (a chart template, a test) and is thrown on, not guessed at.
   */
  operator: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

/**
 * Whether `labels` satisfy `selector`. An empty selector ({}) matches everything, and so does a
 * missing one; every requirement must hold (they are ANDed). NotIn and DoesNotExist hold for a
 * label that is not there at all, e.g. {tier NotIn [web]} matches a pod without `tier`.
 */
export function selectorMatches(selector: LabelSelector | undefined | null, labels: Labels = {}): boolean {
  if (!selector) return true;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
    const value = labels[requirement.key];
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case 'In':
        if (!has || !values.includes(value ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown label selector operator ${requirement.operator}`);
    }
  }
  return true;
}

/** A Service's `spec.selector` is a plain map: every pair must be among the pod's labels. */
export function mapSelectorMatches(selector: Labels | undefined, labels: Labels = {}): boolean {
  if (!selector || Object.keys(selector).length === 0) return false; // selector-less Services select nothing
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
