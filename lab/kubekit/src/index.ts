export { mapSelectorMatches, selectorMatches } from './selectors.js';
export type { LabelSelector, LabelSelectorRequirement, Labels } from './selectors.js';
export { makePki, opensslConfig } from './pki.js';
export type { Identity, Pki, PkiOptions } from './pki.js';
export { CommandError, mustRun, run } from './run.js';
export type { RunOptions, RunResult } from './run.js';
export { repoRoot } from './repo.js';
