import { fileURLToPath } from 'node:url';

/** The repository's root folder (this file is lab/kubekit/src/repo.ts, or lab/kubekit/dist/repo.js once built). */
export const repoRoot: string = fileURLToPath(new URL('../../..', import.meta.url)).replace(/\/$/, '');
