export { waitFor } from '@laas/local';
export type { WaitOptions } from '@laas/local';
