export { freePort } from '@laas/local';
