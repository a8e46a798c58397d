import type { Setting } from '@laas/shared';

/** PROMETHEUS_URL: optional; when set, an absolute http(s) URL (checked at boot). */
export const prometheusUrl: Setting<string | undefined> = {
  env: 'PROMETHEUS_URL',
  doc: 'Prometheus the scaling panel (GET /api/scaling) reads; empty = the panel is off',
  parse: (raw) => {
    if (raw === undefined || raw.trim() === '') return { value: undefined };
    try {
      const url = new URL(raw);
      if (url.protocol === 'http:' || url.protocol === 'https:') return { value: url.href };
    } catch {
      // reported below
    }
    return { problem: `must be an http(s) URL like http://prometheus:9090, got "${raw}"` };
  },
};
