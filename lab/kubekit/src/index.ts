export { mapSelectorMatches, selectorMatches } from './selectors.js';
export type { LabelSelector, LabelSelectorRequirement, Labels } from './selectors.js';
export { makePki, opensslConfig } from './pki.js';
export type { Identity, Pki, PkiOptions } from './pki.js';
