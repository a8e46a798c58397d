/** Display rules for the panel's numbers; null (no data) shows as a dash. */
export const DASH = '—';

/** 0.04 → "0.04/s", 12.34 → "12.3/s", 1234.5 → "1235/s". */
export function formatRps(rps: number | null): string {
  if (rps === null) return DASH;
  if (rps < 1) return `${rps.toFixed(2)}/s`;
  if (rps < 100) return `${rps.toFixed(1)}/s`;
  return `${Math.round(rps)}/s`;
}

/** 4.2 → "4.2 ms", 123.4 → "123 ms", 2500 → "2.5 s". */
export function formatMs(ms: number | null): string {
  if (ms === null) return DASH;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatCount(n: number | null): string {
  return n === null ? DASH : String(Math.round(n));
}

/** 5 → "5 s ago", 125 → "2 min ago". */
export function formatAgo(seconds: number): string {
  if (seconds < 90) return `${Math.max(0, Math.round(seconds))} s ago`;
  return `${Math.round(seconds / 60)} min ago`;
}
