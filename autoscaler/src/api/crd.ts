// The CustomResourceDefinition of LatencyAutoscaler: the single source of the schema, the
// defaults and the printer columns. `npm run crd -w @laas/autoscaler` writes it to
// autoscaler/crd/laas.dev_latencyautoscalers.yaml (a test fails when that file is out of date).
// `resolveSpec` applies the same DEFAULTS in code, so an object that missed API-server defaulting
// (a test fixture, an object stored before a default was added) decides the same way.

import type { YamlValue } from './yaml.js';
import type { LatencyAutoscalerSpec } from './types.js';
import { GROUP, KIND, PLURAL, SHORT_NAMES, SINGULAR, VERSION } from './types.js';

export const DEFAULTS = {
  minReplicas: 1,
  objective: { quantile: 0.99, latencyMilliseconds: 300 },
  // 0.7: plan each replica at 70% of what it can serve within the objective, so that a 40% rise
  // (1/0.7 = 1.43) is absorbed by the replicas already running while the short window notices it.
  capacity: { targetUtilization: 0.7, halfLifeSeconds: 600 },
  // Windows are >= 4x the scrape interval (rate() needs at least two samples, and a window of
  // exactly 2 samples under-reports): 5 s scrapes -> a 20 s short window and a 120 s long one.
  // 60 s without usable metrics (12 evaluations, or 4 failed scrapes at 15 s) before falling back.
  metrics: {
    scrapeIntervalSeconds: 5,
    shortWindowSeconds: 20,
    longWindowSeconds: 60,
    maxAgeSeconds: 30,
    noDataHoldSeconds: 60,
    useArrivals: true,
  },
  behavior: {
    // 10 s: two evaluations at the 5 s resync agree before a non-burst scale-up; a burst (short
    // RPS >= 2x planned capacity) is acted on in the evaluation that sees it.
    // 60 s: a breach nothing explains is given a minute (a dependency's hiccup) before one replica.
    // +900 % (10x per step, Knative's max scale-up rate of 1000 %): the arriving-request count
    // sees a 10x flash crowd on one replica in one evaluation and sizes it at 8 replicas; +400 %
    // allowed 5, and the other 3 were asked for a period later, 5 s more of dropped requests.
    scaleUp: {
      windowSeconds: 10,
      burstThreshold: 2,
      maxStepPercent: 900,
      maxStepReplicas: 4,
      unexplainedLatencySeconds: 60,
    },
    // 120 s: the highest recommendation of the last two minutes wins on the way down; 30 s between
    // a scale and the next scale-down; never more than half the replicas per step; half a
    // replica of dead band (at 2 or at 200 replicas alike, unlike a 10% band).
    scaleDown: { windowSeconds: 30, holdSeconds: 30, maxStepPercent: 50, hysteresisReplicas: 0.3 },
  },
} as const;

/** A spec with every default applied: what the decider and the metric source consume. */
export interface ResolvedSpec {
  targetName: string;
  minReplicas: number;
  maxReplicas: number;
  quantile: number;
  objectiveSeconds: number;
  configuredCapacity: number | null;
  targetUtilization: number;
  /** Learning never goes below this. */
  capacityFloor: number;
  capacityHalfLifeSeconds: number;
  fallbackReplicas: number | null;
  metrics: {
    prometheusUrl: string;
    selector: string | null;
    queries: LatencyAutoscalerSpec['metrics']['queries'] | null;
    scrapeIntervalSeconds: number;
    shortWindowSeconds: number;
    longWindowSeconds: number;
    maxAgeSeconds: number;
    noDataHoldSeconds: number;
    useArrivals: boolean;
  };
  scaleUp: {
    windowSeconds: number;
    burstThreshold: number;
    maxStepPercent: number;
    maxStepReplicas: number;
    unexplainedLatencySeconds: number;
  };
  scaleDown: {
    windowSeconds: number;
    holdSeconds: number;
    maxStepPercent: number;
    hysteresisReplicas: number;
  };
}

export function resolveSpec(spec: LatencyAutoscalerSpec): ResolvedSpec {
  const up = spec.behavior?.scaleUp ?? {};
  const down = spec.behavior?.scaleDown ?? {};
  const m = spec.metrics;
  const d = DEFAULTS;
  return {
    targetName: spec.scaleTargetRef.name,
    minReplicas: spec.minReplicas ?? d.minReplicas,
    maxReplicas: spec.maxReplicas,
    quantile: spec.objective?.quantile ?? d.objective.quantile,
    objectiveSeconds: (spec.objective?.latencyMilliseconds ?? d.objective.latencyMilliseconds) / 1000,
    configuredCapacity: spec.capacity?.rpsPerReplica ?? null,
    targetUtilization: spec.capacity?.targetUtilization ?? d.capacity.targetUtilization,
    capacityFloor:
      spec.capacity?.minRpsPerReplica ??
      (spec.capacity?.rpsPerReplica === undefined ? 1 : spec.capacity.rpsPerReplica / 2),
    capacityHalfLifeSeconds: spec.capacity?.halfLifeSeconds ?? d.capacity.halfLifeSeconds,
    fallbackReplicas: spec.fallbackReplicas ?? null,
    metrics: {
      prometheusUrl: m.prometheusUrl,
      selector: m.selector ?? null,
      queries: m.queries ?? null,
      scrapeIntervalSeconds: m.scrapeIntervalSeconds ?? d.metrics.scrapeIntervalSeconds,
      shortWindowSeconds: m.shortWindowSeconds ?? d.metrics.shortWindowSeconds,
      longWindowSeconds: m.longWindowSeconds ?? d.metrics.longWindowSeconds,
      maxAgeSeconds: m.maxAgeSeconds ?? d.metrics.maxAgeSeconds,
      noDataHoldSeconds: m.noDataHoldSeconds ?? d.metrics.noDataHoldSeconds,
      useArrivals: m.useArrivals ?? d.metrics.useArrivals,
    },
    scaleUp: {
      windowSeconds: up.windowSeconds ?? d.behavior.scaleUp.windowSeconds,
      burstThreshold: up.burstThreshold ?? d.behavior.scaleUp.burstThreshold,
      maxStepPercent: up.maxStepPercent ?? d.behavior.scaleUp.maxStepPercent,
      maxStepReplicas: up.maxStepReplicas ?? d.behavior.scaleUp.maxStepReplicas,
      unexplainedLatencySeconds: up.unexplainedLatencySeconds ?? d.behavior.scaleUp.unexplainedLatencySeconds,
    },
    scaleDown: {
      windowSeconds: down.windowSeconds ?? d.behavior.scaleDown.windowSeconds,
      holdSeconds: down.holdSeconds ?? d.behavior.scaleDown.holdSeconds,
      maxStepPercent: down.maxStepPercent ?? d.behavior.scaleDown.maxStepPercent,
      hysteresisReplicas: down.hysteresisReplicas ?? d.behavior.scaleDown.hysteresisReplicas,
    },
  };
}

/**
 * Scale to zero needs what this operator does not have: something that holds requests while the
 * first replica starts (Knative's activator, KEDA's HTTP add-on interceptor) and a signal that
 * wakes it, since at zero there are no series to read. Refused, with the reason.
 */
export const MIN_REPLICAS_ZERO =
  'minReplicas 0 (scale to zero) is not supported: with no replica there is no request buffer and no metric to wake on; use minReplicas >= 1';

/**
 * Checks the schema cannot express (or that an API server without CEL would let through).
 * Returns human-readable problems; empty means valid.
 */
export function validateSpec(s: ResolvedSpec): string[] {
  const problems: string[] = [];
  if (s.minReplicas < 1) problems.push(MIN_REPLICAS_ZERO);
  if (
    s.fallbackReplicas !== null &&
    (s.fallbackReplicas < s.minReplicas || s.fallbackReplicas > s.maxReplicas)
  )
    problems.push(`fallbackReplicas ${s.fallbackReplicas} is outside [minReplicas, maxReplicas]`);
  if (s.configuredCapacity !== null && s.capacityFloor > s.configuredCapacity)
    problems.push(
      `capacity.minRpsPerReplica ${s.capacityFloor} > capacity.rpsPerReplica ${s.configuredCapacity}`,
    );
  if (s.minReplicas > s.maxReplicas)
    problems.push(`minReplicas ${s.minReplicas} > maxReplicas ${s.maxReplicas}`);
  if (s.metrics.selector === null && s.metrics.queries === null)
    problems.push('metrics needs a selector or queries');
  const minWindow = 4 * s.metrics.scrapeIntervalSeconds;
  if (s.metrics.shortWindowSeconds < minWindow)
    problems.push(
      `metrics.shortWindowSeconds ${s.metrics.shortWindowSeconds} < 4x scrape interval (${minWindow})`,
    );
  if (s.metrics.longWindowSeconds < s.metrics.shortWindowSeconds)
    problems.push('metrics.longWindowSeconds must be >= shortWindowSeconds');
  if (!(s.quantile > 0 && s.quantile < 1)) problems.push(`objective.quantile ${s.quantile} not in (0,1)`);
  if (!(s.targetUtilization > 0 && s.targetUtilization <= 1))
    problems.push(`capacity.targetUtilization ${s.targetUtilization} not in (0,1]`);
  return problems;
}

const int = (minimum: number, def?: number, description?: string): YamlValue => ({
  type: 'integer',
  format: 'int32',
  minimum,
  ...(def === undefined ? {} : { default: def }),
  ...(description === undefined ? {} : { description }),
});
const num = (minimum: number, def: number | undefined, description: string, maximum?: number): YamlValue => ({
  type: 'number',
  minimum,
  ...(maximum === undefined ? {} : { maximum }),
  ...(def === undefined ? {} : { default: def }),
  description,
});
const str = (description: string): YamlValue => ({ type: 'string', description });

const D = DEFAULTS;

const specSchema: YamlValue = {
  type: 'object',
  required: ['scaleTargetRef', 'maxReplicas', 'metrics'],
  'x-kubernetes-validations': [
    {
      rule: '!has(self.minReplicas) || self.minReplicas <= self.maxReplicas',
      message: 'minReplicas must be <= maxReplicas',
    },
    {
      rule: 'has(self.metrics.selector) || has(self.metrics.queries)',
      message: 'metrics needs a selector or queries',
    },
    {
      rule: '!has(self.minReplicas) || self.minReplicas >= 1',
      message: MIN_REPLICAS_ZERO,
    },
    {
      rule: '!has(self.fallbackReplicas) || (self.fallbackReplicas <= self.maxReplicas && (!has(self.minReplicas) || self.fallbackReplicas >= self.minReplicas))',
      message: 'fallbackReplicas must be within [minReplicas, maxReplicas]',
    },
  ],
  properties: {
    scaleTargetRef: {
      type: 'object',
      description: 'The Deployment to scale (same namespace).',
      required: ['kind', 'name'],
      properties: {
        apiVersion: { type: 'string', enum: ['apps/v1'], default: 'apps/v1' },
        kind: { type: 'string', enum: ['Deployment'] },
        name: { type: 'string', minLength: 1 },
      },
    },
    minReplicas: int(0, D.minReplicas, 'Lower bound of replicas; at least 1 (no scale to zero).'),
    maxReplicas: int(1, undefined, 'Upper bound of replicas.'),
    fallbackReplicas: int(
      1,
      undefined,
      'Replicas after metrics stay unusable for metrics.noDataHoldSeconds (never a scale-down).',
    ),
    objective: {
      type: 'object',
      default: {},
      description: 'The latency objective, e.g. p99 under 300 ms.',
      properties: {
        quantile: num(0.5, D.objective.quantile, 'Quantile of request latency, 0.99 = p99.', 0.9999),
        latencyMilliseconds: int(1, D.objective.latencyMilliseconds, 'Latency bound of that quantile.'),
      },
    },
    capacity: {
      type: 'object',
      default: {},
      properties: {
        rpsPerReplica: num(
          0.001,
          undefined,
          'RPS one replica serves within the objective; learned when absent.',
        ),
        targetUtilization: num(0.05, D.capacity.targetUtilization, 'Fraction of capacity to plan for.', 1),
        minRpsPerReplica: num(
          0.001,
          undefined,
          'Learning never goes below this; default half of rpsPerReplica, else 1.',
        ),
        halfLifeSeconds: int(
          1,
          D.capacity.halfLifeSeconds,
          'A learned capacity halves its distance to rpsPerReplica in this time.',
        ),
      },
    },
    metrics: {
      type: 'object',
      required: ['prometheusUrl'],
      properties: {
        prometheusUrl: {
          type: 'string',
          pattern: '^https?://',
          description: 'Base URL of the Prometheus HTTP API.',
        },
        selector: str('Label matchers of the service series, e.g. {service="images"}.'),
        queries: {
          type: 'object',
          description: 'Explicit PromQL, each returning exactly one series.',
          required: ['rps', 'latency'],
          properties: {
            rps: str('Requests per second (short window).'),
            rpsLong: str('Requests per second (long window); defaults to rps.'),
            latency: str('The objective quantile of latency, in seconds.'),
            withinObjective: str('Fraction of requests within the objective latency (0..1).'),
            cpu: str(
              'CPU seconds per second of all replicas; tells heavier requests from slow dependencies.',
            ),
          },
        },
        scrapeIntervalSeconds: int(1, D.metrics.scrapeIntervalSeconds, 'Scrape interval of the series.'),
        shortWindowSeconds: int(1, D.metrics.shortWindowSeconds, 'Window to go up; >= 4x scrape interval.'),
        longWindowSeconds: int(1, D.metrics.longWindowSeconds, 'Window to go down.'),
        maxAgeSeconds: int(1, D.metrics.maxAgeSeconds, 'Readings older than this are stale.'),
        noDataHoldSeconds: int(
          0,
          D.metrics.noDataHoldSeconds,
          'Hold this long without usable metrics, then fall back.',
        ),
        useArrivals: {
          type: 'boolean',
          default: D.metrics.useArrivals,
          description:
            'Also size from http_requests_received_total (requests counted on arrival); selector only.',
        },
      },
    },
    behavior: {
      type: 'object',
      default: {},
      properties: {
        scaleUp: {
          type: 'object',
          default: {},
          properties: {
            windowSeconds: int(
              0,
              D.behavior.scaleUp.windowSeconds,
              'A higher recommendation must last this long.',
            ),
            burstThreshold: num(
              1,
              D.behavior.scaleUp.burstThreshold,
              'Short RPS / planned capacity that is a burst.',
            ),
            maxStepPercent: int(1, D.behavior.scaleUp.maxStepPercent, 'Most percent added per step.'),
            maxStepReplicas: int(
              1,
              D.behavior.scaleUp.maxStepReplicas,
              'Most replicas added per step (if larger).',
            ),
            unexplainedLatencySeconds: int(
              1,
              D.behavior.scaleUp.unexplainedLatencySeconds,
              'A breach nothing explains holds at most this long, then adds a replica.',
            ),
          },
        },
        scaleDown: {
          type: 'object',
          default: {},
          properties: {
            windowSeconds: int(
              0,
              D.behavior.scaleDown.windowSeconds,
              'Highest recommendation of this window wins.',
            ),
            holdSeconds: int(
              0,
              D.behavior.scaleDown.holdSeconds,
              'Time after any scale before a scale-down.',
            ),
            maxStepPercent: int(1, D.behavior.scaleDown.maxStepPercent, 'Most percent removed per step.'),
            hysteresisReplicas: num(0, D.behavior.scaleDown.hysteresisReplicas, 'Dead band, in replicas.'),
          },
        },
      },
    },
  },
};

const condition: YamlValue = {
  type: 'object',
  required: ['type', 'status'],
  properties: {
    type: { type: 'string' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string' },
    message: { type: 'string' },
    lastTransitionTime: { type: 'string', format: 'date-time' },
  },
};

const statusSchema: YamlValue = {
  type: 'object',
  properties: {
    observedGeneration: { type: 'integer', format: 'int64' },
    replicas: { type: 'integer', format: 'int32' },
    readyReplicas: { type: 'integer', format: 'int32' },
    desiredReplicas: { type: 'integer', format: 'int32' },
    observedRPS: { type: 'string' },
    observedArrivingRPS: { type: 'string' },
    observedLatencyMilliseconds: { type: 'string' },
    rpsPerReplica: { type: 'string' },
    capacityEstimate: { type: 'string' },
    capacitySource: { type: 'string', enum: ['Configured', 'Learned', 'LowerBound', 'None'] },
    lastScaleTime: { type: 'string', format: 'date-time' },
    memory: {
      type: 'object',
      description: 'What the decision windows need to survive a leader change.',
      properties: {
        capacityEstimateTime: { type: 'string', format: 'date-time' },
        costPerRequestSeconds: { type: 'string' },
        costRatio: { type: 'string' },
        highestRecommendation: { type: 'integer', format: 'int32' },
        highestRecommendationTime: { type: 'string', format: 'date-time' },
        burstUntil: { type: 'string', format: 'date-time' },
        metricsMissingSince: { type: 'string', format: 'date-time' },
        unexplainedLatencySince: { type: 'string', format: 'date-time' },
      },
    },
    conditions: {
      type: 'array',
      items: condition,
      'x-kubernetes-list-type': 'map',
      'x-kubernetes-list-map-keys': ['type'],
    },
  },
};

export const CRD: YamlValue = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${PLURAL}.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: {
      kind: KIND,
      listKind: `${KIND}List`,
      plural: PLURAL,
      singular: SINGULAR,
      shortNames: [...SHORT_NAMES],
    },
    versions: [
      {
        name: VERSION,
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Target', type: 'string', jsonPath: '.spec.scaleTargetRef.name' },
          { name: 'Min', type: 'integer', jsonPath: '.spec.minReplicas' },
          { name: 'Max', type: 'integer', jsonPath: '.spec.maxReplicas' },
          { name: 'Replicas', type: 'integer', jsonPath: '.status.replicas' },
          { name: 'Desired', type: 'integer', jsonPath: '.status.desiredReplicas' },
          { name: 'RPS', type: 'string', jsonPath: '.status.observedRPS' },
          { name: 'P99ms', type: 'string', jsonPath: '.status.observedLatencyMilliseconds' },
          { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            description: 'Scales a Deployment from requests per second, guarded by a latency objective.',
            required: ['spec'],
            properties: {
              apiVersion: { type: 'string' },
              kind: { type: 'string' },
              metadata: { type: 'object' },
              spec: specSchema,
              status: statusSchema,
            },
          },
        },
      },
    ],
  },
};
