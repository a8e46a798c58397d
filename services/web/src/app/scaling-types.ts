/**
 * The answer of GET /api/scaling, declared once for both sides: the page reads it, and the gateway
 * builds it (services/gateway/src/scaling/report.ts imports these types through @laas/web). They
 * live here, not in the gateway, because the page is built for the browser and imports nothing
 * from Node packages; the browser tests check the panel against the real endpoint.
 */
export interface ScalingReport {
  enabled: boolean;
  /** Why the panel is off (enabled: false). */
  message?: string;
  generatedAt: string;
  windowSeconds: number;
  stepSeconds: number;
  services: ServiceScaling[];
  autoscaler: AutoscalerDecision | null;
}

export interface ServiceScaling {
  name: string;
  readyReplicas: number | null;
  rps: number | null;
  p99Ms: number | null;
  /** One value per step over the window, oldest first; null where there was no data. */
  history: { readyReplicas: (number | null)[]; rps: (number | null)[]; p99Ms: (number | null)[] };
}

export interface AutoscalerDecision {
  outcome: string;
  reason: string;
  secondsAgo: number;
}
