// What the two baselines of the benchmark answer: the images service's 100-llama catalog, and a
// draw of `count` distinct URLs from it (a partial Fisher-Yates over a copy). Shared by the plain
// Express app and the bare node:http server, so both return exactly the JSON the service returns.
import { llamaCatalog } from '@laas/images';

const URLS = llamaCatalog();

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
