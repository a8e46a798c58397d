/**
 * The public API of laas as served by the gateway, in OpenAPI 3.1 (whose schemas are JSON
 * Schema 2020-12). Served at GET /openapi.json; the gateway's contract tests validate real
 * responses against the schemas below, so this document cannot drift from the services.
 */
import { websitePaths, websiteSchemas } from './scaling/openapi.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(ref('Error'), description);

const errors = {
  badGateway: error('upstream_unavailable: the service behind the gateway is unreachable'),
  busy: error('upstream_busy: too many requests are waiting for the service; see the Retry-After header'),
  timeout: error('upstream_timeout: the service behind the gateway did not answer in time'),
  rateLimited: error('rate_limited: too many requests; see the Retry-After header'),
  unauthorized: error('missing_token, invalid_token or token_expired'),
  badRequest: error('the request is malformed; `code` says what is wrong'),
  tooLarge: error('payload_too_large: the body is over the limit (16 KiB by default)'),
  unsupported: error('unsupported_media_type: the body must be application/json'),
};

const randomOperation = (summary: string) => ({
  summary,
  parameters: [
    {
      name: 'count',
      in: 'query',
      required: false,
      description: 'how many distinct images (1..25); without it, one image URL as a string',
      schema: { type: 'string', pattern: '^[0-9]+$' },
    },
  ],
  responses: {
    '200': json({ oneOf: [ref('RandomOne'), ref('RandomMany')] }, 'random image URLs'),
    '400': errors.badRequest,
    '401': errors.unauthorized,
    '404': error('catalog_empty: no images yet'),
    '429': errors.rateLimited,
    '502': errors.badGateway,
    '503': errors.busy,
    '504': errors.timeout,
  },
});

const uploadOperation = (summary: string) => ({
  summary,
  security: [{ bearerAuth: [] }],
  requestBody: {
    required: true,
    content: { 'application/json': { schema: ref('ImageUpload') } },
  },
  responses: {
    '201': json(ref('Image'), 'the stored image'),
    '400': errors.badRequest,
    '401': errors.unauthorized,
    '409': error('duplicate_image: this URL is already in the catalog'),
    '413': errors.tooLarge,
    '415': errors.unsupported,
    '429': errors.rateLimited,
    '502': errors.badGateway,
    '503': errors.busy,
    '504': errors.timeout,
  },
});

export const openApiDocument = {
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  info: {
    title: 'laas — Llama as a Service',
    version: '0.1.0',
    description:
      'Random llama images, and accounts to upload more. Every error answers {"error": {"code", "message"}}. ' +
      'Uploads need a bearer token from POST /api/auth/login (GATEWAY_AUTH=writes, the default).',
  },
  servers: [{ url: '/' }],
  paths: {
    '/api/images/random': { get: randomOperation('Random llama images') },
    '/random': { get: randomOperation('Random llama images (the original LaaS path)') },
    '/api/images': { post: uploadOperation('Add an image to the catalog') },
    '/upload': { post: uploadOperation('Add an image (the original LaaS path)') },
    '/api/images/{id}': {
      get: {
        summary: 'One image by id',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string', pattern: '^[0-9]+$' } },
        ],
        responses: {
          '200': json(ref('Image'), 'the image'),
          '400': errors.badRequest,
          '404': error('image_not_found'),
          '502': errors.badGateway,
          '503': errors.busy,
          '504': errors.timeout,
        },
      },
    },
    '/api/auth/register': {
      post: {
        summary:
          'Create an account, then log in. The same answer whether or not the email was free, so it tells nobody which emails have accounts',
        requestBody: { required: true, content: { 'application/json': { schema: ref('Registration') } } },
        responses: {
          '202': json(ref('Registered'), 'accepted: log in with this email and password'),
          '400': errors.badRequest,
          '413': errors.tooLarge,
          '415': errors.unsupported,
          '429': error(
            'rate_limited (registrations per address) or server_busy (password hashing queue full), with Retry-After',
          ),
          '502': errors.badGateway,
          '503': errors.busy,
          '504': errors.timeout,
        },
      },
    },
    '/api/auth/login': {
      post: {
        summary: 'Exchange an email and password for a token',
        requestBody: { required: true, content: { 'application/json': { schema: ref('Credentials') } } },
        responses: {
          '200': json(ref('Token'), 'a bearer token'),
          '400': errors.badRequest,
          '401': error('invalid_credentials: the same answer for an unknown email and a wrong password'),
          '413': errors.tooLarge,
          '415': errors.unsupported,
          '429': errors.rateLimited,
          '502': errors.badGateway,
          '503': errors.busy,
          '504': errors.timeout,
        },
      },
    },
    '/api/auth/authenticate': {
      post: {
        summary: 'Check a token and read its claims',
        security: [{ bearerAuth: [] }],
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['claims'],
              additionalProperties: false,
              properties: { claims: ref('Claims') },
            },
            'the claims',
          ),
          '401': errors.unauthorized,
        },
      },
    },
    '/api/auth/me': {
      get: {
        summary: 'The account of the token',
        security: [{ bearerAuth: [] }],
        responses: {
          '200': json(
            {
              type: 'object',
              required: ['user'],
              additionalProperties: false,
              properties: { user: ref('User') },
            },
            'the user',
          ),
          '401': errors.unauthorized,
          '404': error('user_not_found'),
        },
      },
    },
    '/healthz': { get: { summary: 'Liveness', responses: { '200': json(ref('Health'), 'alive') } } },
    '/readyz': {
      get: {
        summary: 'Readiness: true unless the gateway is draining (upstreams are not checked)',
        responses: { '200': json(ref('Readiness'), 'ready'), '503': json(ref('Readiness'), 'draining') },
      },
    },
    '/openapi.json': {
      get: {
        summary: 'This document',
        responses: { '200': json({ type: 'object', required: ['openapi', 'paths'] }, 'OpenAPI 3.1') },
      },
    },
    ...websitePaths,
  },
  components: {
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    schemas: {
      Error: {
        type: 'object',
        required: ['error'],
        additionalProperties: false,
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            additionalProperties: false,
            properties: {
              code: { type: 'string', pattern: '^[a-z_]+$' },
              message: { type: 'string', minLength: 1 },
              details: { type: 'object' },
              requestId: { type: 'string' },
            },
          },
        },
      },
      RandomOne: {
        type: 'object',
        required: ['message'],
        additionalProperties: false,
        properties: { message: { type: 'string', format: 'uri' } },
      },
      RandomMany: {
        type: 'object',
        required: ['message'],
        additionalProperties: false,
        properties: { message: { type: 'array', maxItems: 1000, items: { type: 'string', format: 'uri' } } },
      },
      ImageUpload: {
        type: 'object',
        required: ['url'],
        additionalProperties: false,
        properties: { url: { type: 'string', format: 'uri', maxLength: 2048 } },
      },
      Image: {
        type: 'object',
        required: ['id', 'url', 'createdAt'],
        additionalProperties: false,
        properties: {
          id: { type: 'integer', minimum: 0 },
          url: { type: 'string', format: 'uri' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      Registration: {
        type: 'object',
        required: ['email', 'password'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', format: 'email', maxLength: 254 },
          password: { type: 'string', minLength: 8, maxLength: 128 },
          name: { type: 'string', minLength: 1, maxLength: 100 },
        },
      },
      Credentials: {
        type: 'object',
        required: ['email', 'password'],
        additionalProperties: false,
        properties: {
          email: { type: 'string', format: 'email' },
          password: { type: 'string', minLength: 8, maxLength: 128 },
        },
      },
      User: {
        type: 'object',
        required: ['id', 'email', 'createdAt'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', pattern: '^[0-9a-f]{24}$' },
          email: { type: 'string', format: 'email' },
          name: { type: 'string' },
          createdAt: { type: 'string', format: 'date-time' },
        },
      },
      Token: {
        type: 'object',
        required: ['token', 'expiresAt'],
        additionalProperties: false,
        properties: {
          token: { type: 'string', pattern: '^[\\w-]+\\.[\\w-]+\\.[\\w-]+$' },
          expiresAt: { type: 'string', format: 'date-time' },
        },
      },
      Registered: {
        type: 'object',
        required: ['message'],
        additionalProperties: false,
        properties: { message: { type: 'string' } },
      },
      Claims: {
        type: 'object',
        required: ['sub', 'email', 'iss', 'aud', 'iat', 'exp'],
        properties: {
          sub: { type: 'string' },
          email: { type: 'string', format: 'email' },
          name: { type: 'string' },
          iss: { type: 'string' },
          aud: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
          iat: { type: 'integer' },
          exp: { type: 'integer' },
        },
      },
      Health: { type: 'object', required: ['status'], properties: { status: { const: 'ok' } } },
      Readiness: {
        type: 'object',
        required: ['status', 'checks'],
        properties: {
          status: { enum: ['ready', 'unavailable'] },
          checks: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      ...websiteSchemas,
    },
  },
};
