/**
 * The website's part of the OpenAPI document: the scaling panel's endpoint and the pictures.
 * Kept here, beside the code it describes, and spread into src/openapi.ts.
 */
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const series = { type: 'array', items: { type: ['number', 'null'] } };
const errorBody = (description: string) => ({
  description,
  content: { 'application/json': { schema: ref('Error') } },
});

export const websitePaths = {
  '/api/scaling': {
    get: {
      summary:
        'The live scaling panel: ready replicas, RPS and p99 per service over 10 minutes, and the autoscaler’s last decision (from Prometheus, shared for one second)',
      responses: {
        '200': {
          description: 'the report; `enabled: false` with a message when the gateway has no PROMETHEUS_URL',
          content: { 'application/json': { schema: ref('ScalingReport') } },
        },
        '502': errorBody('prometheus_unavailable or prometheus_error'),
      },
    },
  },
  '/pictures/{file}': {
    get: {
      summary: 'A seed llama picture (SVG), immutable: cached for a year, with an ETag',
      parameters: [
        {
          name: 'file',
          in: 'path',
          required: true,
          schema: { type: 'string', pattern: '^[1-9][0-9]{0,2}(-[a-z0-9-]+)?\\.svg$' },
        },
      ],
      responses: {
        '200': { description: 'the picture', content: { 'image/svg+xml': { schema: { type: 'string' } } } },
        '304': { description: 'not modified (If-None-Match)' },
        '400': errorBody('invalid_picture_name'),
        '404': errorBody('picture_not_found'),
      },
    },
  },
};

export const websiteSchemas = {
  ScalingReport: {
    type: 'object',
    required: ['enabled', 'generatedAt', 'windowSeconds', 'stepSeconds', 'services', 'autoscaler'],
    additionalProperties: false,
    properties: {
      enabled: { type: 'boolean' },
      message: { type: 'string' },
      generatedAt: { type: 'string', format: 'date-time' },
      windowSeconds: { type: 'integer', minimum: 1 },
      stepSeconds: { type: 'integer', minimum: 1 },
      services: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name', 'readyReplicas', 'rps', 'p99Ms', 'history'],
          additionalProperties: false,
          properties: {
            name: { type: 'string' },
            readyReplicas: { type: ['integer', 'null'], minimum: 0 },
            rps: { type: ['number', 'null'] },
            p99Ms: { type: ['number', 'null'] },
            history: {
              type: 'object',
              required: ['readyReplicas', 'rps', 'p99Ms'],
              additionalProperties: false,
              properties: { readyReplicas: series, rps: series, p99Ms: series },
            },
          },
        },
      },
      autoscaler: {
        oneOf: [
          { type: 'null' },
          {
            type: 'object',
            required: ['outcome', 'reason', 'secondsAgo'],
            additionalProperties: false,
            properties: {
              outcome: { type: 'string' },
              reason: { type: 'string' },
              secondsAgo: { type: 'number', minimum: 0 },
            },
          },
        ],
      },
    },
  },
};
