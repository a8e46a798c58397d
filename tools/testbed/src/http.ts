export { httpText } from '@laas/local';
export type { HttpResponse, HttpRequestOptions } from '@laas/local';
