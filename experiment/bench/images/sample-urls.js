// What the two baselines of the benchmark answer, so that all three servers return the same
// bytes: the images service's 100-llama catalog under the same base URL the bench seeds it with,
// a draw of `count` distinct URLs from it (a partial Fisher-Yates over a copy), and the same
// headers (a fresh x-request-id per request, as the service makes one when the client sends none).
import { randomUUID } from 'node:crypto';
import { llamaCatalog } from '@laas/images';

export const URLS = llamaCatalog();

export function sampleUrls(count) {
  const pool = URLS.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/** count=N in 1..25, or null when absent (one URL as a string, like the service). */
export function countOf(raw) {
  if (raw === undefined || raw === null) return null;
  const n = Number(raw);
  return Number.isInteger(n) && n >= 1 && n <= 25 ? n : 1;
}

/** The request id the service would answer with. */
export const requestId = () => randomUUID();
