// Kubernetes label selectors: evaluated by @laas/kubekit, the one owner shared with the lab
// cluster's NetworkPolicy enforcer (cluster/src/netpol/render.ts).
export { mapSelectorMatches, selectorMatches } from '@laas/kubekit';
export type { LabelSelector, LabelSelectorRequirement } from '@laas/kubekit';
